// What was lost, and where: reported next to the spans so that a consumer can tell a request
// the agent never saw (and says so) from one it silently missed.
#pragma once

#include <cstdint>

namespace hugin {

// Records of one connection the kernel side could not deliver (ring buffer full), from map
// conn_losses. Ports come from the socket, so they are known even
// when the connection's open record is one of the losses.
struct ConnLoss {
  uint32_t pid = 0;
  int32_t fd = -1;
  uint64_t generation = 0;
  uint16_t local_port = 0, peer_port = 0;
  uint64_t ingress_records = 0, egress_records = 0;
  uint64_t control_records = 0;  // open and close records
  uint64_t bytes = 0;            // bytes moved by the lost data calls, where known
  uint64_t first_ns = 0, last_ns = 0;  // CLOCK_MONOTONIC, when the first and last were lost
};

enum class Direction { kIngress, kEgress };

// A forward jump of a connection's stream position: bytes that moved through the socket but
// whose records never reached user space. The loss happened between after_ns and before_ns.
struct StreamGap {
  uint32_t pid = 0;
  int32_t fd = -1;
  uint64_t generation = 0;
  uint16_t local_port = 0, peer_port = 0;  // 0: the connection's open record was not seen
  Direction direction = Direction::kIngress;
  uint64_t bytes = 0;      // bytes missing
  uint64_t after_ns = 0;   // the last record of this direction before the gap (or the open)
  uint64_t before_ns = 0;  // the record that revealed the gap
};

// A request the agent saw whole but could not pair with its answer because records were lost
// around it (the stitcher pairs by time after a loss only when it can confirm the pairing, and
// never makes up a status): reported instead of becoming a span, so it is not a silent loss.
struct UnpairedRequest {
  uint32_t pid = 0;
  int32_t fd = -1;
  uint64_t generation = 0;
  uint16_t local_port = 0, peer_port = 0;  // 0: the connection's open record was not seen
  uint64_t request_ns = 0;  // when the service read the request (CLOCK_MONOTONIC)
};

}  // namespace hugin
