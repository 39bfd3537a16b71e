#include "core/config/port_list.h"

#include <optional>

#include "core/config/value_parsing.h"

namespace hugin::config_internal {
namespace {

std::optional<uint16_t> ParsePort(std::string_view s) {
  auto value = ParseUnsigned(s, 1, 65535);
  if (!value) return std::nullopt;
  return static_cast<uint16_t>(*value);
}

Error BadToken(std::string_view token, const char* why) {
  return Error{"bad port " + Quote(token) + ": " + why};
}

}  // namespace

Result<std::vector<PortRange>> ParsePortList(std::string_view text) {
  std::vector<PortRange> ranges;
  size_t pos = 0;
  while (true) {
    size_t comma = text.find(',', pos);
    std::string_view token =
        Trim(text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    if (token.empty()) return Error{"empty entry in port list"};
    size_t dash = token.find('-');
    if (dash == std::string_view::npos) {
      auto port = ParsePort(token);
      if (!port) return BadToken(token, "not a port number in 1..65535");
      ranges.push_back({*port, *port});
    } else {
      auto first = ParsePort(token.substr(0, dash));
      auto last = ParsePort(token.substr(dash + 1));
      if (!first || !last) {
        return BadToken(token, "not a port range FIRST-LAST with ports in 1..65535");
      }
      if (*first > *last) {
        return BadToken(token, "range start is greater than its end");
      }
      ranges.push_back({*first, *last});
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return ranges;
}

}  // namespace hugin::config_internal
