// What the agent says about what it lost, per connection, in its JSON output next to the spans
// (one object per line starting with a "type" key; span lines have none):
//   {"type":"loss", pid, fd, generation, local_port, peer_port, ingress_records, egress_records,
//    control_records, bytes, first_ns, last_ns}   records the kernel could not hand over
//   {"type":"gap", pid, fd, generation, local_port, peer_port, direction, bytes, after_ns,
//    before_ns}                                   bytes missing in a stream, noticed in user space
//   {"type":"unpaired", pid, fd, generation, local_port, peer_port, request_ns}
//                                                 a request seen whole that records lost around
//                                                 it left without an answer to pair with
// Times are CLOCK_MONOTONIC ns, like spans and the ground truth.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hugin::harness {

struct LossReport {
  int pid = 0;
  int local_port = 0, peer_port = 0;
  uint64_t ingress_records = 0, egress_records = 0, control_records = 0, bytes = 0;
  int64_t first_ns = 0, last_ns = 0;
  uint64_t records() const { return ingress_records + egress_records + control_records; }
};

struct GapReport {
  int pid = 0;
  int local_port = 0, peer_port = 0;
  bool ingress = true;
  uint64_t bytes = 0;
  int64_t after_ns = 0, before_ns = 0;  // the records on either side of the hole
};

struct UnpairedReport {
  int pid = 0;
  int local_port = 0, peer_port = 0;
  int64_t request_ns = 0;  // when the service read the request
};

struct AgentReports {
  std::vector<LossReport> losses;
  std::vector<GapReport> gaps;
  std::vector<UnpairedReport> unpaired;
  size_t bad_lines = 0;
  std::string first_error;
};

// Reads the loss and gap lines of an agent's JSON output (span lines are left to ReadSpanFile).
AgentReports ReadAgentReports(const std::string& path);
// One line; false (with `error`) when it is a report line that does not parse. Lines without a
// "type" of loss/gap/unpaired are not reports: `is_report` is false and the call succeeds.
bool ParseAgentReportLine(const std::string& line, AgentReports& into, bool& is_report,
                          std::string& error);

}  // namespace hugin::harness
