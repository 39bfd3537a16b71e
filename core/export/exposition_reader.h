// A small reader for the Prometheus text exposition format, the one in C++ (Python's is
// tests/e2e/harness.py metric_value): enough to read back what core/export writes, for its
// tests and for the harness, which reads Hugin's own counters from /metrics between runs.
// Not used by the agent itself.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace hugin {

struct ExpositionSample {
  std::string name;
  std::map<std::string, std::string> labels;  // values unescaped (\\, \", \n)
  double value = 0;
};

// Comment and blank lines are skipped; a malformed sample line is reported in `errors` (may be
// null) and left out.
std::vector<ExpositionSample> ParseExposition(const std::string& text,
                                              std::vector<std::string>* errors);

// Sum of every sample named `name` whose labels include all of `match`.
double SumSamples(const std::vector<ExpositionSample>& samples, const std::string& name,
                  const std::map<std::string, std::string>& match = {});

}  // namespace hugin
