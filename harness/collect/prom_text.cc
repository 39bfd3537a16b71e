#include "harness/collect/prom_text.h"

#include <httplib.h>

namespace hugin::harness {

std::optional<std::string> FetchMetrics(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  auto res = client.Get("/metrics");
  if (!res || res->status != 200) return std::nullopt;
  return res->body;
}

namespace {
// Reasons that are real loss (core/agent/counter_board.cc names them);
// hugin_payload_truncated_total is not one.
const std::vector<std::string> kLossReasons{"ringbuf_full", "conn_map_full", "tls_no_connection",
                                            "kernel_handover", "kernel_series_full"};
}  // namespace

AgentCounters CountersFromExposition(const std::string& text) {
  const auto samples = ParseExposition(text, nullptr);
  AgentCounters c;
  c.events_received = SumSamples(samples, "hugin_events_received_total");
  c.spans = SumSamples(samples, "hugin_spans_total");
  c.parse_errors = SumSamples(samples, "hugin_parse_errors_total");
  c.stream_gaps = SumSamples(samples, "hugin_stream_gaps_total");
  c.payload_truncated = SumSamples(samples, "hugin_payload_truncated_total");
  c.kernel_exchanges = SumSamples(samples, "hugin_kernel_exchanges_total");
  for (const auto& reason : kLossReasons)
    c.kernel_drops_by_reason[reason] =
        SumSamples(samples, "hugin_kernel_drops_total", {{"reason", reason}});
  return c;
}

}  // namespace hugin::harness
