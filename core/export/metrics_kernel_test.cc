// Series aggregated in the kernel (Metrics::SetKernelSeries) next to the span-derived ones: one
// label set is exposed once, as the sum of both; a snapshot replaces the previous one.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "core/export/exposition_reader.h"
#include "core/export/metrics.h"
#include "core/export/metrics_testing.h"

namespace hugin {
namespace {

constexpr const char* kDuration = "http_server_request_duration_seconds";
constexpr const char* kRequestBody = "http_server_request_body_size_bytes";
constexpr const char* kResponseBody = "http_server_response_body_size_bytes";

using testing_metrics::ServerSpan;

KernelSeriesSample Sample(uint8_t method_id, int status, uint16_t port = 8080) {
  KernelSeriesSample k;
  k.method_id = method_id;
  k.status = status;
  k.service_name = "testserver";
  k.server_port = port;
  return k;
}

constexpr uint8_t kGet = 2, kPost = 6;  // indexes in kKnownHttpMethods

std::map<std::string, std::string> LabelsOf(const std::string& method, int status,
                                            uint16_t port = 8080) {
  return {{"http_request_method", method},
          {"http_response_status_code", std::to_string(status)},
          {"service_name", "testserver"},
          {"server_port", std::to_string(port)}};
}

// Every sample named `name` with exactly `labels` (plus `le` when given): its value, -1 when
// absent; a label set exposed twice fails the test.
double Value(const std::string& text, const std::string& name,
             std::map<std::string, std::string> labels, const char* le = nullptr) {
  std::vector<std::string> errors;
  const auto samples = ParseExposition(text, &errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  if (le) labels["le"] = le;
  double value = -1;
  int found = 0;
  for (const auto& s : samples) {
    if (s.name == name && s.labels == labels) {
      value = s.value;
      ++found;
    }
  }
  EXPECT_LE(found, 1) << name << " exposed " << found << " times";
  return value;
}

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

TEST(MetricsKernel, BucketArraysHaveOneCountPerBoundAndInf) {
  KernelSeriesSample k;
  EXPECT_EQ(k.duration_buckets.size(), kDurationBucketsSeconds.size() + 1);
  EXPECT_EQ(k.request_body_buckets.size(), kBodySizeBucketsBytes.size() + 1);
  EXPECT_EQ(k.response_body_buckets.size(), kBodySizeBucketsBytes.size() + 1);
  Metrics m;
  m.SetKernelSeries({Sample(kGet, 200)});
  const std::string text = m.Expose(AgentCounters{});
  EXPECT_EQ(Occurrences(text, std::string(kDuration) + "_bucket{"), k.duration_buckets.size());
  EXPECT_EQ(Occurrences(text, std::string(kRequestBody) + "_bucket{"),
            k.request_body_buckets.size());
  EXPECT_EQ(Occurrences(text, std::string(kResponseBody) + "_bucket{"),
            k.response_body_buckets.size());
}

TEST(MetricsKernel, RawBucketsAreExposedCumulative) {
  KernelSeriesSample k = Sample(kGet, 200);
  // Per bucket: one at le=0, two at le=0.005, none up to 0.25, three at le=0.5, four above 10.
  k.duration_buckets[0] = 1;
  k.duration_buckets[1] = 2;
  k.duration_buckets[8] = 3;
  k.duration_buckets[kDurationBucketsSeconds.size()] = 4;
  k.duration_sum_seconds = 50.25;
  k.request_body_buckets[1] = 10;  // le=32
  k.request_body_sum = 200;
  k.response_body_buckets[kBodySizeBucketsBytes.size()] = 10;  // above 8192
  k.response_body_sum = 100000;
  Metrics m;
  m.SetKernelSeries({k});
  const std::string text = m.Expose(AgentCounters{});
  const auto labels = LabelsOf("GET", 200);
  const std::string bucket = std::string(kDuration) + "_bucket";
  EXPECT_EQ(Value(text, bucket, labels, "0"), 1);
  EXPECT_EQ(Value(text, bucket, labels, "0.005"), 3);
  EXPECT_EQ(Value(text, bucket, labels, "0.25"), 3);
  EXPECT_EQ(Value(text, bucket, labels, "0.5"), 6);
  EXPECT_EQ(Value(text, bucket, labels, "10"), 6);
  EXPECT_EQ(Value(text, bucket, labels, "+Inf"), 10);
  EXPECT_EQ(Value(text, std::string(kDuration) + "_count", labels), 10);
  EXPECT_DOUBLE_EQ(Value(text, std::string(kDuration) + "_sum", labels), 50.25);
  EXPECT_EQ(Value(text, std::string(kRequestBody) + "_bucket", labels, "0"), 0);
  EXPECT_EQ(Value(text, std::string(kRequestBody) + "_bucket", labels, "32"), 10);
  EXPECT_EQ(Value(text, std::string(kRequestBody) + "_sum", labels), 200);
  EXPECT_EQ(Value(text, std::string(kResponseBody) + "_bucket", labels, "8192"), 0);
  EXPECT_EQ(Value(text, std::string(kResponseBody) + "_bucket", labels, "+Inf"), 10);
  EXPECT_EQ(Value(text, std::string(kResponseBody) + "_count", labels), 10);
  EXPECT_EQ(Value(text, std::string(kResponseBody) + "_sum", labels), 100000);
}

TEST(MetricsKernel, WithoutOverlapEachSeriesIsExposedAsItIs) {
  Metrics m;
  m.Observe(ServerSpan("GET", 200, 2'000'000));
  KernelSeriesSample k = Sample(kPost, 201);
  k.duration_buckets[2] = 4;  // le=0.01
  k.duration_sum_seconds = 0.03;
  m.SetKernelSeries({k});
  const std::string text = m.Expose(AgentCounters{});
  const std::string count = std::string(kDuration) + "_count";
  EXPECT_EQ(Value(text, count, LabelsOf("GET", 200)), 1);
  EXPECT_EQ(Value(text, count, LabelsOf("POST", 201)), 4);
  EXPECT_DOUBLE_EQ(Value(text, std::string(kDuration) + "_sum", LabelsOf("POST", 201)), 0.03);
  EXPECT_EQ(Value(text, std::string(kDuration) + "_bucket", LabelsOf("POST", 201), "0.005"), 0);
  EXPECT_EQ(Value(text, std::string(kDuration) + "_bucket", LabelsOf("POST", 201), "0.01"), 4);
  EXPECT_EQ(Occurrences(text, count + "{"), 2u);
  // The kernel's series are server-side only.
  EXPECT_EQ(Occurrences(text, "http_client_request_duration_seconds_count{"), 0u);
}

TEST(MetricsKernel, AnOverlappingLabelSetIsExposedOnceAsTheSum) {
  Metrics m;
  Span small = ServerSpan("GET", 200, 2'000'000);  // le=0.005
  small.request_body_bytes = 6;                    // le=32
  m.Observe(small);
  m.Observe(ServerSpan("GET", 200, 300'000'000));  // le=0.5
  KernelSeriesSample k = Sample(kGet, 200);
  k.duration_buckets[1] = 5;  // le=0.005
  k.duration_buckets[kDurationBucketsSeconds.size()] = 1;
  k.duration_sum_seconds = 20;
  k.request_body_buckets[1] = 6;  // le=32
  k.request_body_buckets[0] = 0;
  k.request_body_sum = 60;
  m.SetKernelSeries({k});
  const std::string text = m.Expose(AgentCounters{});
  const auto labels = LabelsOf("GET", 200);
  const std::string bucket = std::string(kDuration) + "_bucket";
  EXPECT_EQ(Value(text, bucket, labels, "0"), 0);
  EXPECT_EQ(Value(text, bucket, labels, "0.005"), 6);
  EXPECT_EQ(Value(text, bucket, labels, "0.25"), 6);
  EXPECT_EQ(Value(text, bucket, labels, "0.5"), 7);
  EXPECT_EQ(Value(text, bucket, labels, "+Inf"), 8);
  EXPECT_EQ(Value(text, std::string(kDuration) + "_count", labels), 8);
  EXPECT_NEAR(Value(text, std::string(kDuration) + "_sum", labels), 20.302, 1e-9);
  // The set's other histograms are summed too: the spans' 0 and 6 bytes, the kernel's 6 x 10.
  EXPECT_EQ(Value(text, std::string(kRequestBody) + "_bucket", labels, "0"), 1);
  EXPECT_EQ(Value(text, std::string(kRequestBody) + "_bucket", labels, "32"), 8);
  EXPECT_EQ(Value(text, std::string(kRequestBody) + "_count", labels), 8);
  EXPECT_EQ(Value(text, std::string(kRequestBody) + "_sum", labels), 66);
  EXPECT_EQ(Occurrences(text, std::string(kDuration) + "_count{"), 1u);
  // The stored span series is untouched by the exposition: the same text again.
  EXPECT_EQ(m.Expose(AgentCounters{}), text);
}

TEST(MetricsKernel, ASnapshotReplacesThePreviousOne) {
  Metrics m;
  m.Observe(ServerSpan("GET", 200, 2'000'000));
  KernelSeriesSample k = Sample(kGet, 200);
  k.duration_buckets[1] = 5;
  m.SetKernelSeries({k, Sample(kPost, 500)});
  const std::string count = std::string(kDuration) + "_count";
  EXPECT_EQ(Value(m.Expose(AgentCounters{}), count, LabelsOf("GET", 200)), 6);
  k.duration_buckets[1] = 7;  // the kernel's values are cumulative: 7 in all, not 5 + 7
  m.SetKernelSeries({k});
  std::string text = m.Expose(AgentCounters{});
  EXPECT_EQ(Value(text, count, LabelsOf("GET", 200)), 8);
  EXPECT_EQ(Value(text, count, LabelsOf("POST", 500)), -1);  // not in this snapshot
  m.SetKernelSeries({});
  text = m.Expose(AgentCounters{});
  EXPECT_EQ(Value(text, count, LabelsOf("GET", 200)), 1);  // the spans' own
}

TEST(MetricsKernel, SamplesWithTheSameLabelsAreAddedUp) {
  // Two processes of one service behind one port: two kernel series, one label set.
  KernelSeriesSample a = Sample(kGet, 200), b = Sample(kGet, 200);
  a.duration_buckets[3] = 2;
  b.duration_buckets[3] = 3;
  a.duration_sum_seconds = 0.04;
  b.duration_sum_seconds = 0.06;
  Metrics m;
  m.SetKernelSeries({a, b});
  const std::string text = m.Expose(AgentCounters{});
  EXPECT_EQ(Value(text, std::string(kDuration) + "_count", LabelsOf("GET", 200)), 5);
  EXPECT_NEAR(Value(text, std::string(kDuration) + "_sum", LabelsOf("GET", 200)), 0.1, 1e-12);
}

TEST(MetricsKernel, MethodIdsOutOfRangeAreOther) {
  EXPECT_EQ(MethodLabel(kGet), "GET");
  EXPECT_EQ(MethodLabel(0), "CONNECT");
  EXPECT_EQ(MethodLabel(8), "TRACE");
  for (uint8_t id : {uint8_t{kOtherMethodId}, uint8_t{10}, uint8_t{200}, uint8_t{255}})
    EXPECT_EQ(MethodLabel(id), "_OTHER") << int(id);
  KernelSeriesSample odd = Sample(10, 200), odder = Sample(255, 200), other = Sample(9, 200);
  odd.duration_buckets[0] = 1;
  odder.duration_buckets[0] = 1;
  other.duration_buckets[0] = 1;
  Metrics m;
  m.SetKernelSeries({odd, odder, other});
  const std::string text = m.Expose(AgentCounters{});
  EXPECT_EQ(Value(text, std::string(kDuration) + "_count", LabelsOf("_OTHER", 200)), 3);
  // With the spans' "_OTHER" (an unknown method on the wire) it is the same label set.
  m.Observe(ServerSpan("BREW", 200, 1'000'000));
  EXPECT_EQ(Value(m.Expose(AgentCounters{}), std::string(kDuration) + "_count",
                  LabelsOf("_OTHER", 200)),
            4);
}

TEST(MetricsKernel, KernelCountersAreExposed) {
  AgentCounters c;
  c.kernel_exchanges = 41;
  c.kernel_handovers = 3;
  c.kernel_drops = {{"kernel_handover", 2}, {"kernel_series_full", 0}};
  const std::string text = Metrics().Expose(c);
  EXPECT_EQ(Value(text, "hugin_kernel_exchanges_total", {}), 41);
  EXPECT_EQ(Value(text, "hugin_kernel_handovers_total", {}), 3);
  EXPECT_EQ(Value(text, "hugin_kernel_drops_total", {{"reason", "kernel_handover"}}), 2);
  EXPECT_EQ(Value(text, "hugin_kernel_drops_total", {{"reason", "kernel_series_full"}}), 0);
  EXPECT_NE(text.find("# TYPE hugin_kernel_exchanges_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE hugin_kernel_handovers_total counter\n"), std::string::npos);
}

// The scrape thread sets and exposes while the poll loop observes (run under --config=tsan).
TEST(MetricsKernel, ConcurrentObserveSetAndExpose) {
  Metrics m;
  std::thread observer([&m] {
    for (int i = 0; i < 2000; ++i) m.Observe(ServerSpan("GET", 200, 1'000'000));
  });
  std::thread scraper([&m] {
    for (uint64_t i = 1; i <= 50; ++i) {
      KernelSeriesSample k = Sample(kGet, 200);
      k.duration_buckets[0] = i;
      m.SetKernelSeries({k});
      m.Expose(AgentCounters{});
    }
  });
  observer.join();
  scraper.join();
  EXPECT_EQ(Value(m.Expose(AgentCounters{}), std::string(kDuration) + "_count",
                  LabelsOf("GET", 200)),
            2050);
}

}  // namespace
}  // namespace hugin
