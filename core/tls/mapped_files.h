// The files a process has mapped, from the text of /proc/PID/maps: where its TLS
// libraries are (core/tls/tls_attacher).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hugin::tls {

struct MappedFile {
  std::string path;      // as the process sees it (its mount namespace); " (deleted)" cut off
  bool deleted = false;  // the file was replaced or removed since it was mapped
  uint32_t dev_major = 0, dev_minor = 0;
  uint64_t inode = 0;
  uint64_t start = 0, end = 0;  // the first mapping of the file (its /proc/PID/map_files name)
};

// One entry per file (its first mapping), in order of address. Anonymous and special
// mappings ([heap], [vdso], inode 0) are left out; malformed lines are skipped.
std::vector<MappedFile> ParseMaps(std::string_view maps_text);

// True for OpenSSL's libssl: "libssl.so", "libssl.so.3", "libssl.so.1.1".
bool IsLibSsl(std::string_view path);

}  // namespace hugin::tls
