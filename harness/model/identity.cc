#include "harness/model/identity.h"

#include <cctype>

namespace hugin::harness {

bool ValidIdentityToken(std::string_view token) {
  if (token.empty()) return false;
  for (char c : token)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

std::string IdentityPath(const RequestIdentity& id, uint64_t n) {
  return "/" + id.prefix + "/" + id.run_id + "/" + std::to_string(n);
}

std::optional<PathIdentity> ParseIdentityPath(std::string_view path) {
  // Splits off the next '/'-terminated token after a leading '/'.
  auto token = [&path](std::string_view& out) {
    if (path.empty() || path[0] != '/') return false;
    path.remove_prefix(1);
    const size_t end = path.find_first_of("/?");
    out = path.substr(0, end);
    path.remove_prefix(out.size());
    return true;
  };
  std::string_view prefix, run, number;
  if (!token(prefix) || !ValidIdentityToken(prefix)) return std::nullopt;
  if (!token(run) || !ValidIdentityToken(run)) return std::nullopt;
  // At most 19 digits: every such number fits in 64 bits.
  if (!token(number) || number.empty() || number.size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (char c : number) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  // What follows the number is the rest of the path ('/'), the query ('?') or nothing.
  if (!path.empty() && path[0] != '/' && path[0] != '?') return std::nullopt;
  return PathIdentity{std::string(prefix), std::string(run), n};
}

PathRole RoleOfPath(std::string_view path, const std::string& run_id, uint64_t* n) {
  const auto id = ParseIdentityPath(path);
  if (!id || id->run_id != run_id) return PathRole::kOther;
  if (id->prefix == kMeasuredPrefix) {
    if (n) *n = id->n;
    return PathRole::kMeasured;
  }
  return id->prefix == kWarmupPrefix ? PathRole::kWarmup : PathRole::kOther;
}

}  // namespace hugin::harness
