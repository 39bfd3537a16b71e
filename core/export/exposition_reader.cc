#include "core/export/exposition_reader.h"

#include <algorithm>
#include <cstdlib>

namespace hugin {
namespace {

// Parses `{a="x",b="y"}` starting at text[pos] == '{'; leaves pos after '}'.
bool ParseLabels(const std::string& text, size_t& pos, std::map<std::string, std::string>& out) {
  ++pos;  // '{'
  while (pos < text.size()) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == ',')) ++pos;
    if (pos < text.size() && text[pos] == '}') {
      ++pos;
      return true;
    }
    const size_t eq = text.find('=', pos);
    if (eq == std::string::npos || eq + 1 >= text.size() || text[eq + 1] != '"') return false;
    const std::string key = text.substr(pos, eq - pos);
    std::string value;
    size_t i = eq + 2;
    for (; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) {
        ++i;
        value += text[i] == 'n' ? '\n' : text[i];
      } else {
        value += text[i];
      }
    }
    if (i >= text.size()) return false;
    out[key] = value;
    pos = i + 1;
  }
  return false;
}

}  // namespace

std::vector<ExpositionSample> ParseExposition(const std::string& text, std::vector<std::string>* errors) {
  std::vector<ExpositionSample> samples;
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    const std::string line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (line.empty() || line[0] == '#') continue;
    ExpositionSample s;
    size_t pos = line.find_first_of("{ ");
    if (pos == std::string::npos) {
      if (errors) errors->push_back("no value: " + line);
      continue;
    }
    s.name = line.substr(0, pos);
    if (line[pos] == '{' && !ParseLabels(line, pos, s.labels)) {
      if (errors) errors->push_back("bad labels: " + line);
      continue;
    }
    const char* begin = line.c_str() + pos;
    char* end = nullptr;
    s.value = std::strtod(begin, &end);
    if (end == begin) {
      if (errors) errors->push_back("bad value: " + line);
      continue;
    }
    samples.push_back(std::move(s));
  }
  return samples;
}

double SumSamples(const std::vector<ExpositionSample>& samples, const std::string& name,
                  const std::map<std::string, std::string>& match) {
  double sum = 0;
  for (const auto& s : samples) {
    if (s.name != name) continue;
    bool all = std::all_of(match.begin(), match.end(), [&](const auto& kv) {
      auto it = s.labels.find(kv.first);
      return it != s.labels.end() && it->second == kv.second;
    });
    if (all) sum += s.value;
  }
  return sum;
}

}  // namespace hugin
