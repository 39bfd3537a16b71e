// Function names and address ranges from Go's own symbol table, .gopclntab, which the runtime
// needs for stack traces and therefore survives `-ldflags="-s -w"` (which drops .symtab).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>

#include "core/common/result.h"
#include "core/tls/go/elf_file.h"

namespace hugin::gotls {

struct PclnFunction {
  uint64_t entry = 0;  // virtual address
  uint64_t end = 0;    // the next function's entry (includes the linker's alignment padding)
};

// The functions in `names` that .gopclntab lists (missing names are simply absent), or an Error
// when there is no pclntab or it is of an unknown/corrupt format. Formats: Go 1.16/1.17
// (magic 0xfffffffa), 1.18/1.19 (0xfffffff0), 1.20 and later (0xfffffff1).
Result<std::unordered_map<std::string, PclnFunction>> FindPclnFunctions(
    const ElfFile& elf, const std::set<std::string>& names);

}  // namespace hugin::gotls
