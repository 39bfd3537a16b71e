#include "harness/collect/agent_log.h"

#include <regex>

namespace hugin::harness {

std::optional<PlantedFaults> ParsePlantedFaults(const std::string& text) {
  static const std::regex line_re(
      R"(hugin: fault injection planted drop_span=([0-9]+) swap_status=([0-9]+))");
  std::optional<PlantedFaults> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), line_re);
       it != std::sregex_iterator(); ++it) {
    found = PlantedFaults{std::stoull((*it)[1]), std::stoull((*it)[2])};
  }
  return found;
}

std::string ParseDataPath(const std::string& text) {
  static const std::regex line_re(R"((^|\n)hugin: ready: [^\n]*; data path: ([a-z]+)\))");
  std::smatch m;
  return std::regex_search(text, m, line_re) ? m[2].str() : std::string();
}

}  // namespace hugin::harness
