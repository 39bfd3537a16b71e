#include "core/export/metrics.h"
#include "core/export/metrics_testing.h"
#include "core/export/exposition_reader.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

namespace hugin {
namespace {

using testing_metrics::ServerSpan;

AgentCounters SomeCounters() {
  AgentCounters c;
  c.events_received = 1234;
  c.spans = 5;
  c.parse_errors = 1;
  c.stream_gaps = 2;
  c.unpaired_requests = 11;
  c.payload_truncated = 3;
  c.payload_short_copy = 6;
  c.kernel_drops = {{"ringbuf_full", 7}, {"conn_map_full", 0}};
  c.conn_loss_reports = 8;
  c.conn_loss_map_full = 9;
  c.watched_pids = 4;
  c.evictions = {{"connection", 12}, {"header_bytes", 0}};
  c.tracked_connections = 13;
  c.pending_pairings = 14;
  return c;
}

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// The value of the one sample with exactly the name and labels `series` gives (name{labels},
// any label order), -1 if there is none; read with the exposition reader, so a malformed line
// fails the test.
double SampleValue(const std::string& text, const std::string& series) {
  std::vector<std::string> errors;
  const auto wanted = ParseExposition(series + " 0", &errors);
  EXPECT_EQ(wanted.size(), 1u) << series;
  const auto samples = ParseExposition(text, &errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  if (wanted.size() != 1) return -1;
  double value = -1;
  int found = 0;
  for (const auto& s : samples) {
    if (s.name == wanted[0].name && s.labels == wanted[0].labels) {
      value = s.value;
      ++found;
    }
  }
  EXPECT_LE(found, 1) << "series repeated: " << series;
  return value;
}

struct CommandResult {
  int exit_code;
  std::string output;
};

// Runs promtool on `exposition`; promtool reads the metrics from stdin.
CommandResult PromtoolCheck(const std::string& exposition) {
  std::string path = ::testing::TempDir() + "/exposition.txt";
  std::ofstream(path) << exposition;
  std::string command = "/usr/bin/promtool check metrics < " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(Metrics, ExpositionPassesPromtool) {
  Metrics m;
  m.Observe(ServerSpan("GET", 200, 15'220'000));
  m.Observe(ServerSpan("POST", 404, 201'000'000));
  Span client = ServerSpan("GET", 500, 3'000'000);
  client.kind = SpanKind::kClient;
  client.peer = {"10.0.0.1", 443};
  client.service_name = "we\"ird\\svc\nname";
  m.Observe(client);
  std::string text = m.Expose(SomeCounters());
  CommandResult result = PromtoolCheck(text);
  EXPECT_EQ(result.exit_code, 0) << result.output << "\n---\n" << text;
  EXPECT_EQ(result.output, "") << result.output;
}

TEST(Metrics, ExpositionWithKernelSeriesPassesPromtool) {
  Metrics m;
  m.Observe(ServerSpan("GET", 200, 15'220'000));
  KernelSeriesSample same, other;
  same.method_id = MethodLabelId("GET");
  same.status = 200;
  same.service_name = "testserver";
  same.server_port = 8080;
  same.duration_buckets[3] = 4;
  same.duration_sum_seconds = 0.08;
  other = same;
  other.method_id = 200;  // "_OTHER"
  other.server_port = 9090;
  m.SetKernelSeries({same, other});
  AgentCounters c = SomeCounters();
  c.kernel_drops["kernel_handover"] = 1;
  c.kernel_drops["kernel_series_full"] = 2;
  std::string text = m.Expose(c);
  CommandResult result = PromtoolCheck(text);
  EXPECT_EQ(result.exit_code, 0) << result.output << "\n---\n" << text;
  EXPECT_EQ(result.output, "") << result.output;
}

TEST(Metrics, EmptyExpositionPassesPromtool) {
  Metrics m;
  std::string text = m.Expose(AgentCounters{});
  CommandResult result = PromtoolCheck(text);
  EXPECT_EQ(result.exit_code, 0) << result.output << "\n---\n" << text;
}

TEST(Metrics, PromtoolRejectsBrokenExposition) {
  // Guards the check above: promtool must fail on a malformed line.
  CommandResult result = PromtoolCheck("# TYPE x counter\nx{a=\"b} 1\n");
  EXPECT_NE(result.exit_code, 0);
}

TEST(Metrics, DurationBucketsAreCumulativeAndRight) {
  Metrics m;
  // 2ms, 7ms, 7ms, 300ms, 12s
  for (uint64_t ns : {2'000'000ull, 7'000'000ull, 7'000'000ull, 300'000'000ull, 12'000'000'000ull}) {
    m.Observe(ServerSpan("GET", 200, ns));
  }
  std::string text = m.Expose(AgentCounters{});
  const std::string p =
      "http_server_request_duration_seconds_bucket{http_request_method=\"GET\","
      "http_response_status_code=\"200\",service_name=\"testserver\",server_port=\"8080\",le=";
  EXPECT_TRUE(Contains(text, p + "\"0\"} 0\n")) << text;
  EXPECT_TRUE(Contains(text, p + "\"0.005\"} 1\n")) << text;
  EXPECT_TRUE(Contains(text, p + "\"0.01\"} 3\n")) << text;
  EXPECT_TRUE(Contains(text, p + "\"0.25\"} 3\n")) << text;
  EXPECT_TRUE(Contains(text, p + "\"0.5\"} 4\n")) << text;
  EXPECT_TRUE(Contains(text, p + "\"10\"} 4\n")) << text;
  EXPECT_TRUE(Contains(text, p + "\"+Inf\"} 5\n")) << text;
  EXPECT_TRUE(Contains(text,
                       "http_server_request_duration_seconds_count{http_request_method=\"GET\","
                       "http_response_status_code=\"200\",service_name=\"testserver\","
                       "server_port=\"8080\"} 5\n"))
      << text;
  EXPECT_NEAR(SampleValue(text,
                          "http_server_request_duration_seconds_sum{http_request_method=\"GET\","
                          "http_response_status_code=\"200\",service_name=\"testserver\","
                          "server_port=\"8080\"} "),
              12.316, 1e-9)
      << text;
}

TEST(Metrics, EverySeriesHasAllBuckets) {
  Metrics m;
  m.Observe(ServerSpan("GET", 200, 1'000'000));
  std::string text = m.Expose(AgentCounters{});
  size_t duration_buckets = 0, body_buckets = 0;
  for (size_t pos = 0; (pos = text.find("http_server_request_duration_seconds_bucket{", pos)) != std::string::npos; ++pos) {
    ++duration_buckets;
  }
  for (size_t pos = 0; (pos = text.find("http_server_request_body_size_bytes_bucket{", pos)) != std::string::npos; ++pos) {
    ++body_buckets;
  }
  EXPECT_EQ(duration_buckets, kDurationBucketsSeconds.size() + 1);
  EXPECT_EQ(body_buckets, kBodySizeBucketsBytes.size() + 1);
}

TEST(Metrics, BodySizesAndLabelsPerKind) {
  Metrics m;
  Span server = ServerSpan("POST", 201, 1'000'000, 9000);
  server.request_body_bytes = 6;
  server.response_body_bytes = 100;
  m.Observe(server);
  Span client = ServerSpan("PUT", 204, 1'000'000);
  client.kind = SpanKind::kClient;
  client.local = {"127.0.0.1", 40000};
  client.peer = {"127.0.0.1", 5432};
  client.request_body_bytes = 5000;
  m.Observe(client);
  std::string text = m.Expose(AgentCounters{});
  const std::string server_labels =
      "{http_request_method=\"POST\",http_response_status_code=\"201\",service_name=\"testserver\","
      "server_port=\"9000\"";
  EXPECT_TRUE(Contains(text, "http_server_request_body_size_bytes_bucket" + server_labels + ",le=\"0\"} 0\n"));
  EXPECT_TRUE(Contains(text, "http_server_request_body_size_bytes_bucket" + server_labels + ",le=\"32\"} 1\n"));
  EXPECT_TRUE(Contains(text, "http_server_response_body_size_bytes_bucket" + server_labels + ",le=\"64\"} 0\n"));
  EXPECT_TRUE(Contains(text, "http_server_response_body_size_bytes_bucket" + server_labels + ",le=\"128\"} 1\n"));
  EXPECT_TRUE(Contains(text, "http_server_request_body_size_bytes_sum" + server_labels + "} 6\n"));
  // Client span: server_port is the peer's port; 5000 bytes falls in le=8192.
  const std::string client_labels =
      "{http_request_method=\"PUT\",http_response_status_code=\"204\",service_name=\"testserver\","
      "server_port=\"5432\"";
  EXPECT_TRUE(Contains(text, "http_client_request_body_size_bytes_bucket" + client_labels + ",le=\"4096\"} 0\n")) << text;
  EXPECT_TRUE(Contains(text, "http_client_request_body_size_bytes_bucket" + client_labels + ",le=\"8192\"} 1\n")) << text;
  EXPECT_TRUE(Contains(text, "http_client_request_duration_seconds_count" + client_labels + "} 1\n"));
  EXPECT_FALSE(Contains(text, "http_server_request_duration_seconds_count" + client_labels));
}

TEST(Metrics, SeparateSeriesPerLabelSet) {
  Metrics m;
  m.Observe(ServerSpan("GET", 200, 1'000'000));
  m.Observe(ServerSpan("GET", 200, 1'000'000));
  m.Observe(ServerSpan("GET", 500, 1'000'000));
  m.Observe(ServerSpan("GET", 200, 1'000'000, 8081));
  std::string text = m.Expose(AgentCounters{});
  EXPECT_TRUE(Contains(text, "http_response_status_code=\"200\",service_name=\"testserver\",server_port=\"8080\"} 2\n"));
  EXPECT_TRUE(Contains(text, "http_response_status_code=\"500\",service_name=\"testserver\",server_port=\"8080\"} 1\n"));
  EXPECT_TRUE(Contains(text, "http_response_status_code=\"200\",service_name=\"testserver\",server_port=\"8081\"} 1\n"));
}

TEST(Metrics, LabelValuesAreEscaped) {
  Metrics m;
  Span s = ServerSpan("GET", 200, 1'000'000);
  s.service_name = "a\\b\"c\nd";
  m.Observe(s);
  std::string text = m.Expose(AgentCounters{});
  EXPECT_TRUE(Contains(text, "service_name=\"a\\\\b\\\"c\\nd\"")) << text;
  EXPECT_FALSE(Contains(text, "c\nd"));
}

TEST(Metrics, UnknownMethodsBecomeOther) {
  EXPECT_EQ(NormalizeMethodLabel("GET"), "GET");
  EXPECT_EQ(NormalizeMethodLabel("PATCH"), "PATCH");
  EXPECT_EQ(NormalizeMethodLabel("get"), "_OTHER");
  EXPECT_EQ(NormalizeMethodLabel("XYZZY"), "_OTHER");
  EXPECT_EQ(NormalizeMethodLabel(""), "_OTHER");
  Metrics m;
  m.Observe(ServerSpan("FOO\"", 200, 1));
  EXPECT_TRUE(Contains(m.Expose(AgentCounters{}), "http_request_method=\"_OTHER\""));
}

TEST(Metrics, AgentCounters) {
  Metrics m;
  std::string text = m.Expose(SomeCounters());
  for (const char* expected : {
           "# TYPE hugin_events_received_total counter\nhugin_events_received_total 1234\n",
           "# TYPE hugin_spans_total counter\nhugin_spans_total 5\n",
           "# TYPE hugin_parse_errors_total counter\nhugin_parse_errors_total 1\n",
           "# TYPE hugin_stream_gaps_total counter\nhugin_stream_gaps_total 2\n",
           "# TYPE hugin_unpaired_requests_total counter\nhugin_unpaired_requests_total 11\n",
           "# TYPE hugin_payload_truncated_total counter\nhugin_payload_truncated_total 3\n",
           "hugin_kernel_drops_total{reason=\"ringbuf_full\"} 7\n",
           "hugin_kernel_drops_total{reason=\"conn_map_full\"} 0\n",
           "# TYPE hugin_payload_short_copy_total counter\nhugin_payload_short_copy_total 6\n",
           "# TYPE hugin_conn_loss_reports_total counter\nhugin_conn_loss_reports_total 8\n",
           "# TYPE hugin_conn_loss_map_full_total counter\nhugin_conn_loss_map_full_total 9\n",
           "# TYPE hugin_watched_pids gauge\nhugin_watched_pids 4\n",
           "# TYPE hugin_evictions_total counter\n",
           "hugin_evictions_total{what=\"connection\"} 12\n",
           "hugin_evictions_total{what=\"header_bytes\"} 0\n",
           "# TYPE hugin_tracked_connections gauge\nhugin_tracked_connections 13\n",
           "# TYPE hugin_pending_pairings gauge\nhugin_pending_pairings 14\n",
           "# HELP hugin_kernel_drops_total ",
           "# HELP hugin_payload_short_copy_total ",
           "# HELP http_server_request_duration_seconds ",
           "# TYPE http_client_response_body_size_bytes histogram\n",
       }) {
    EXPECT_TRUE(Contains(text, expected)) << expected << "\n---\n" << text;
  }
}

TEST(Metrics, ConcurrentObserveAndExpose) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 2000; ++i) m.Observe(ServerSpan("GET", 200, 1'000'000));
    });
  }
  threads.emplace_back([&m] {
    for (int i = 0; i < 50; ++i) m.Expose(AgentCounters{});
  });
  for (auto& t : threads) t.join();
  EXPECT_TRUE(Contains(m.Expose(AgentCounters{}),
                       "http_server_request_duration_seconds_count{http_request_method=\"GET\","
                       "http_response_status_code=\"200\",service_name=\"testserver\","
                       "server_port=\"8080\"} 8000\n"));
}

}  // namespace
}  // namespace hugin

namespace hugin {
namespace {

Span GrpcSpan(const std::string& path, int grpc_status, uint64_t duration_ns) {
  Span s = ServerSpan("POST", 200, duration_ns, 50051);
  s.protocol = "grpc";
  s.path = path;
  s.grpc_status = grpc_status;
  return s;
}

TEST(Metrics, GrpcCallsGoToTheRpcFamiliesWithTheirStatus) {
  Metrics m;
  m.Observe(GrpcSpan("/hugin.fixture.Echo/Unary", 0, 2'000'000));
  m.Observe(GrpcSpan("/hugin.fixture.Echo/Unary", 0, 3'000'000));
  m.Observe(GrpcSpan("/hugin.fixture.Echo/Unary", 5, 1'000'000));
  Span plain_h2 = ServerSpan("GET", 200, 1'000'000);
  plain_h2.protocol = "http2";
  m.Observe(plain_h2);
  const std::string text = m.Expose(AgentCounters{});
  const std::string ok =
      "rpc_server_duration_seconds_count{rpc_system=\"grpc\",rpc_method=\"/hugin.fixture.Echo/"
      "Unary\",rpc_grpc_status_code=\"0\",service_name=\"testserver\",server_port=\"50051\"} ";
  EXPECT_EQ(SampleValue(text, ok), 2);
  const std::string not_found =
      "rpc_server_duration_seconds_count{rpc_system=\"grpc\",rpc_method=\"/hugin.fixture.Echo/"
      "Unary\",rpc_grpc_status_code=\"5\",service_name=\"testserver\",server_port=\"50051\"} ";
  EXPECT_EQ(SampleValue(text, not_found), 1);
  // gRPC calls are not HTTP requests in the metrics; plain HTTP/2 is.
  EXPECT_FALSE(Contains(text, "http_server_request_duration_seconds_count{http_request_method=\"POST\""));
  EXPECT_EQ(SampleValue(text, "http_server_request_duration_seconds_count{http_request_method="
                              "\"GET\",http_response_status_code=\"200\",service_name="
                              "\"testserver\",server_port=\"8080\"} "),
            1);
  EXPECT_FALSE(Contains(text, "rpc_client_duration_seconds_count{"));
  CommandResult result = PromtoolCheck(text);
  EXPECT_EQ(result.exit_code, 0) << result.output << "\n---\n" << text;
}

TEST(Metrics, MadeUpGrpcPathsShareOneOtherSeriesPastTheBound) {
  Metrics m;
  for (size_t i = 0; i < kMaxRpcMethods + 50; i++)
    m.Observe(GrpcSpan("/svc.S/M" + std::to_string(i), 0, 1'000'000));
  const std::string text = m.Expose(AgentCounters{});
  size_t series = 0;
  for (size_t p = 0; (p = text.find("rpc_server_duration_seconds_count{", p)) != std::string::npos;
       ++p)
    series++;
  EXPECT_EQ(series, kMaxRpcMethods + 1);
  EXPECT_EQ(SampleValue(text, "rpc_server_duration_seconds_count{rpc_system=\"grpc\",rpc_method="
                              "\"_OTHER\",rpc_grpc_status_code=\"0\",service_name=\"testserver\","
                              "server_port=\"50051\"} "),
            50);
  // A path seen before the bound keeps its own series.
  m.Observe(GrpcSpan("/svc.S/M7", 0, 1'000'000));
  EXPECT_EQ(SampleValue(m.Expose(AgentCounters{}),
                        "rpc_server_duration_seconds_count{rpc_system=\"grpc\",rpc_method=\"/svc.S/"
                        "M7\",rpc_grpc_status_code=\"0\",service_name=\"testserver\",server_port="
                        "\"50051\"} "),
            2);
}

}  // namespace
}  // namespace hugin
