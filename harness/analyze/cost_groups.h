// Sorting perf samples into cost groups: an ordered table of (group, symbol regex) per profiled
// process. A sample's group: walking its frames from the leaf towards the root, the first frame
// whose symbol matches a row decides (so memcpy called by the HTTP parser is parser cost, and a
// spin lock taken by bpf_ringbuf_reserve is tracing cost); a sample no row matches falls back on
// its leaf: kernel or user space, or "other" without any frame. Nothing is dropped.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "harness/model/profile.h"

namespace hugin::harness {

struct GroupRule {
  std::string group;
  std::string pattern;  // ECMAScript regex, searched in the symbol
};

struct GroupTable {
  std::vector<GroupRule> rules;  // in order: the first matching rule of a frame wins
  std::string kernel_fallback;   // no rule matched, the leaf is a kernel address
  std::string user_fallback;     // no rule matched, the leaf is in user space
  std::string other = "other";   // a sample without frames
  // Report order; empty: the rules' groups, then the fallbacks. Groups() adds any group missing.
  std::vector<std::string> order;
  // Every group in report order, each once.
  std::vector<std::string> Groups() const;
};

// The fixture process: Hugin's tracing cost in the kernel (tracepoint dispatch, BPF programs
// and their helpers, the ring buffer), the rest of the kernel, the service's own code.
const GroupTable& ServiceGroups();
// The agent process, by pipeline stage.
const GroupTable& AgentGroups();

// Compiled once per table; Classify returns the group name.
class GroupClassifier {
 public:
  explicit GroupClassifier(const GroupTable& table);
  const std::string& Classify(const PerfSample& sample) const;
  // Every sample into the table's groups (all groups present, zeros too), with the top leaf
  // symbols of each group; `process` names the profile.
  Profile Aggregate(const std::vector<PerfSample>& samples, const std::string& process,
                    size_t top_symbols = 5) const;

 private:
  const GroupTable& table_;
  std::vector<std::regex> compiled_;
};

}  // namespace hugin::harness
