#include "harness/collect/prom_text.h"

#include <gtest/gtest.h>


namespace hugin::harness {

const char* kExposition = R"(# HELP hugin_kernel_drops_total Events the kernel side dropped.
# TYPE hugin_kernel_drops_total counter
hugin_kernel_drops_total{reason="ringbuf_full"} 12
hugin_kernel_drops_total{reason="conn_map_full"} 1
hugin_kernel_drops_total{reason="kernel_handover"} 2
hugin_kernel_drops_total{reason="kernel_series_full"} 3
hugin_kernel_exchanges_total 900
hugin_payload_truncated_total 40
hugin_spans_total 1000
hugin_watched_pids 1
hugin_events_received_total 4005
http_server_request_duration_seconds_bucket{http_request_method="GET",http_response_status_code="200",service_name="server",server_port="8080",le="0.005"} 990
http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="200",service_name="server",server_port="8080"} 995
http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="404",service_name="server",server_port="8080"} 5
http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="200",service_name="other",server_port="9090"} 7
weird{label="a \"quoted\" value, with comma"} 3.5e2
)";

TEST(PromText, SumsWithLabelMatch) {
  std::vector<std::string> errors;
  const auto samples = ParseExposition(kExposition, &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(SumSamples(samples, "http_server_request_duration_seconds_count",
                       {{"server_port", "8080"}}),
            1000);
  EXPECT_EQ(SumSamples(samples, "http_server_request_duration_seconds_count"), 1007);
  EXPECT_EQ(SumSamples(samples, "hugin_spans_total"), 1000);
  EXPECT_EQ(SumSamples(samples, "absent"), 0);
  EXPECT_EQ(SumSamples(samples, "weird", {{"label", "a \"quoted\" value, with comma"}}), 350);
}

TEST(PromText, MalformedLinesAreReportedNotFatal) {
  std::vector<std::string> errors;
  const auto samples = ParseExposition("ok 1\nbroken{a=\"x} 2\nnovalue\nbad xyz\n", &errors);
  EXPECT_EQ(samples.size(), 1u);
  EXPECT_EQ(errors.size(), 3u);
}

TEST(PromText, AgentCountersSeparateLossFromTruncation) {
  const AgentCounters c = CountersFromExposition(kExposition);
  EXPECT_EQ(c.kernel_drops(), 18);  // truncation is not loss; the kernel's lost exchanges are
  EXPECT_EQ(c.kernel_drops_by_reason.at("kernel_handover"), 2);
  EXPECT_EQ(c.kernel_exchanges, 900);
  EXPECT_EQ(c.payload_truncated, 40);
  EXPECT_EQ(c.spans, 1000);
  EXPECT_EQ(c.events_received, 4005);
}

}  // namespace hugin::harness
