#include "core/tls/mapped_files.h"

#include <charconv>
#include <set>
#include <utility>

namespace hugin::tls {
namespace {

// Reads a hex or decimal number up to `stop` from the front of s.
bool Take(std::string_view& s, char stop, int base, uint64_t* out) {
  size_t end = s.find(stop);
  if (end == std::string_view::npos || end == 0) return false;
  auto r = std::from_chars(s.data(), s.data() + end, *out, base);
  if (r.ec != std::errc() || r.ptr != s.data() + end) return false;
  s.remove_prefix(end + 1);
  return true;
}

// Skips one space-separated field.
bool Skip(std::string_view& s) {
  size_t end = s.find(' ');
  if (end == std::string_view::npos) return false;
  s.remove_prefix(end + 1);
  return true;
}

}  // namespace

std::vector<MappedFile> ParseMaps(std::string_view text) {
  // A line: "7f1c2a000000-7f1c2a0b0000 r-xp 00022000 fd:01 1835331   /usr/lib/x86_64-linux-gnu/libssl.so.3"
  std::vector<MappedFile> out;
  std::set<std::pair<uint64_t, uint64_t>> seen;  // (device, inode)
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    MappedFile f;
    uint64_t major = 0, minor = 0;
    if (!Take(line, '-', 16, &f.start) || !Take(line, ' ', 16, &f.end) || !Skip(line) ||
        !Skip(line) || !Take(line, ':', 16, &major) || !Take(line, ' ', 16, &minor) ||
        !Take(line, ' ', 10, &f.inode))
      continue;
    if (f.inode == 0) continue;
    size_t p = line.find_first_not_of(' ');
    if (p == std::string_view::npos || line[p] != '/') continue;
    std::string_view path = line.substr(p);
    constexpr std::string_view kDeleted = " (deleted)";
    if (path.size() > kDeleted.size() && path.substr(path.size() - kDeleted.size()) == kDeleted) {
      f.deleted = true;
      path.remove_suffix(kDeleted.size());
    }
    f.path = std::string(path);
    f.dev_major = static_cast<uint32_t>(major);
    f.dev_minor = static_cast<uint32_t>(minor);
    if (!seen.insert({(major << 32) | minor, f.inode}).second) continue;
    out.push_back(std::move(f));
  }
  return out;
}

bool IsLibSsl(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  constexpr std::string_view kName = "libssl.so";
  return base.substr(0, kName.size()) == kName &&
         (base.size() == kName.size() || base[kName.size()] == '.');
}

}  // namespace hugin::tls
