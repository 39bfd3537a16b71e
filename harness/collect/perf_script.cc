#include "harness/collect/perf_script.h"

#include <cctype>
#include <sstream>

namespace hugin::harness {
namespace {

// x86-64: the kernel's half of the address space (kernel text, modules and BPF JIT images).
constexpr uint64_t kKernelSpaceStart = 0xffff800000000000ull;

// perf script indents call-chain frames with a tab; a sample's header line starts with its tid,
// right-aligned in 5 columns (" 604    1001001": small pids start with spaces).
bool IsHeader(const std::string& line) { return !line.empty() && line[0] != '\t'; }

bool ParseFrame(const std::string& line, PerfFrame& f) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string::npos) return false;
  size_t end = i;
  while (end < line.size() && std::isxdigit(static_cast<unsigned char>(line[end]))) ++end;
  if (end == i || end >= line.size() || line[end] != ' ') return false;
  f.ip = std::stoull(line.substr(i, end - i), nullptr, 16);
  f.kernel = f.ip >= kKernelSpaceStart;
  f.symbol = line.substr(end + 1);
  while (!f.symbol.empty() && std::isspace(static_cast<unsigned char>(f.symbol.back())))
    f.symbol.pop_back();
  const std::string inlined = " (inlined)";
  if (f.symbol.size() > inlined.size() &&
      f.symbol.compare(f.symbol.size() - inlined.size(), inlined.size(), inlined) == 0)
    f.symbol.resize(f.symbol.size() - inlined.size());
  if (f.symbol.empty()) f.symbol = "[unknown]";
  return true;
}

}  // namespace

std::vector<PerfSample> ParsePerfScript(const std::string& text) {
  std::vector<PerfSample> samples;
  std::istringstream in(text);
  std::string line;
  bool in_sample = false;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      in_sample = false;
      continue;
    }
    if (IsHeader(line)) {
      samples.emplace_back();
      in_sample = true;
      continue;
    }
    PerfFrame f;
    if (in_sample && ParseFrame(line, f)) samples.back().frames.push_back(std::move(f));
  }
  return samples;
}

}  // namespace hugin::harness
