// A small reader for the Prometheus text exposition format: enough to read Hugin's own counters
// (drops by reason, spans, watched pids) straight from its /metrics between runs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/model/run_result.h"

namespace hugin::harness {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Comment and blank lines are skipped; a malformed sample line is reported in `errors`.
std::vector<Sample> ParseExposition(const std::string& text, std::vector<std::string>* errors);

// Sum of every sample named `name` whose labels include all of `match`.
double SumSamples(const std::vector<Sample>& samples, const std::string& name,
                  const std::map<std::string, std::string>& match = {});

// GET http://127.0.0.1:port/metrics; nullopt when unreachable.
std::optional<std::string> FetchMetrics(int port);

// Hugin's own counters from its exposition.
AgentCounters CountersFromExposition(const std::string& text);

}  // namespace hugin::harness
