#include "core/agent/counter_board.h"

#include <gtest/gtest.h>

namespace hugin {
namespace {

TEST(CounterBoard, EveryKernelCounterHasItsOwnName) {
  KernelCounters k{};
  for (size_t i = 0; i < k.size(); i++) k[i] = 100 + i;
  CounterBoard board;
  TrackerStats t;
  t.records = 1;
  t.parse_errors = 2;
  t.decode_errors = 3;
  t.stream_gaps = 4;
  t.spans = 999;  // made; what counts is what was exported
  t.unreported_exchanges = 8;
  t.unmatched_requests = 17;
  t.capture_off_conns = 9;
  t.open_conns = 11;
  t.pending_pairings = 12;
  t.evictions = {13, 14, 15, 16};
  LoopTallies loop{5, 6, 7};
  loop.capture_policy_map_full = 10;
  board.Publish(t, loop);
  AgentCounters c = board.Snapshot(k);
  EXPECT_EQ(c.events_received, 1u);
  EXPECT_EQ(c.parse_errors, 5u);
  EXPECT_EQ(c.stream_gaps, 4u);
  EXPECT_EQ(c.spans, 5u);
  EXPECT_EQ(c.conn_loss_reports, 6u);
  EXPECT_EQ(c.watched_pids, 7u);
  EXPECT_EQ(c.payload_truncated, 100u + HG_CNT_PAYLOAD_TRUNCATED);
  EXPECT_EQ(c.payload_short_copy, 100u + HG_CNT_PAYLOAD_SHORT_COPY);
  EXPECT_EQ(c.conn_loss_map_full, 100u + HG_CNT_LOSS_MAP_FULL);
  EXPECT_EQ(c.unreported_exchanges, 8u);
  // Parsed requests never answered, and those the kernel followed when their connection ended.
  EXPECT_EQ(c.unpaired_requests, 17u + 100u + HG_CNT_KERNEL_UNANSWERED);
  EXPECT_EQ(c.capture_off_conns, 9u);
  EXPECT_EQ(c.capture_off_calls, 100u + HG_CNT_POLICY_OFF_CALLS);
  EXPECT_EQ(c.capture_policy_map_full, 10u);
  // Only losses are drop reasons: a short copy still delivered its record.
  EXPECT_EQ(c.kernel_drops, (std::map<std::string, uint64_t>{
                                {"ringbuf_full", 100u + HG_CNT_DROP_RINGBUF},
                                {"conn_map_full", 100u + HG_CNT_DROP_CONN_MAP},
                                {"tls_no_connection", 100u + HG_CNT_TLS_NO_CONN},
                                {"kernel_handover", 100u + HG_CNT_KERNEL_LOST},
                                {"kernel_series_full", 100u + HG_CNT_KERNEL_SERIES_FULL}}));
  EXPECT_EQ(c.kernel_exchanges, 100u + HG_CNT_KERNEL_EXCHANGES);
  EXPECT_EQ(c.kernel_handovers, 100u + HG_CNT_KERNEL_HANDOVERS);
  EXPECT_EQ(c.tls_calls, 100u + HG_CNT_TLS_CALLS);
  EXPECT_EQ(c.evictions, (std::map<std::string, uint64_t>{{"connection", 13},
                                                          {"in_flight_request", 14},
                                                          {"header_bytes", 15},
                                                          {"pending_pairing", 16}}));
  EXPECT_EQ(c.tracked_connections, 11u);
  EXPECT_EQ(c.pending_pairings, 12u);
  EXPECT_EQ(c.tls_ciphertext_calls, 100u + HG_CNT_TLS_CIPHERTEXT_CALLS);
}

}  // namespace
}  // namespace hugin
