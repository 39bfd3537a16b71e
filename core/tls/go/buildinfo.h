// The Go toolchain version recorded in a binary's build information (.go.buildinfo),
// the same string `go version <binary>` prints.
#pragma once

#include <string>

#include "core/common/result.h"
#include "core/tls/go/elf_file.h"

namespace hugin::gotls {

// "go1.24.3", or an Error when the binary has no (readable) build information.
Result<std::string> ReadGoVersion(const ElfFile& elf);

// Major/minor of a version string such as "go1.24.3", "go1.21rc2" or "devel go1.23-abc";
// false when the string has no "go1.N" in it.
bool ParseGoVersion(const std::string& version, int* major, int* minor);

}  // namespace hugin::gotls
