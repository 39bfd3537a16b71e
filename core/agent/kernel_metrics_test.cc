#include "core/agent/kernel_metrics.h"

#include <gtest/gtest.h>

#include "core/agent/service_names.h"

namespace hugin {
namespace {

TEST(ChooseKernelMetrics, OnOnlyWhenNothingNeedsASpan) {
  Config cfg;
  FaultPlan none;
  KernelMetricsChoice on = ChooseKernelMetrics(cfg, none);
  EXPECT_TRUE(on.on);
  EXPECT_EQ(on.notice.rfind("hugin: HTTP/1 server metrics are aggregated in the kernel", 0), 0u)
      << on.notice;

  cfg.trace_printer = TracePrinter::kJson;
  KernelMetricsChoice printer = ChooseKernelMetrics(cfg, none);
  EXPECT_FALSE(printer.on);
  EXPECT_NE(printer.notice.find("not aggregated in the kernel: the trace printer"),
            std::string::npos)
      << printer.notice;
  cfg.trace_printer = TracePrinter::kText;
  EXPECT_FALSE(ChooseKernelMetrics(cfg, none).on);

  cfg.trace_printer = TracePrinter::kDisabled;
  FaultPlan faults;
  faults.enabled = true;
  KernelMetricsChoice planted = ChooseKernelMetrics(cfg, faults);
  EXPECT_FALSE(planted.on);
  EXPECT_NE(planted.notice.find("HUGIN_FAULT"), std::string::npos) << planted.notice;

  cfg.kernel_metrics = false;
  KernelMetricsChoice off = ChooseKernelMetrics(cfg, none);
  EXPECT_FALSE(off.on);
  EXPECT_NE(off.notice.find("--kernel-metrics off"), std::string::npos) << off.notice;
  for (const auto& c : {on, printer, planted, off}) {
    EXPECT_EQ(c.notice.find('\n'), std::string::npos);
    EXPECT_EQ(c.notice.rfind("hugin: ", 0), 0u);
  }
}

TEST(KernelSeriesSampleOf, CopiesTheBucketsAndMakesSeconds) {
  hg_kernel_series_key key{};
  key.tgid = 42;
  key.server_port = 8080;
  key.status = 503;
  key.method = 6;  // POST
  key.role = HG_ROLE_SERVER;
  hg_kernel_series v{};
  v.count = 9;
  v.duration_sum_ns = 1'500'000'000;
  for (int i = 0; i < HG_DURATION_BUCKETS; i++) v.duration_buckets[i] = i + 1;
  for (int i = 0; i < HG_SIZE_BUCKETS; i++) {
    v.request_body_buckets[i] = 100 + i;
    v.response_body_buckets[i] = 200 + i;
  }
  v.request_body_sum = 77;
  v.response_body_sum = 88;
  auto s = KernelSeriesSampleOf(key, v, "shop");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->method_id, 6);
  EXPECT_EQ(MethodLabel(s->method_id), "POST");
  EXPECT_EQ(s->status, 503);
  EXPECT_EQ(s->server_port, 8080);
  EXPECT_EQ(s->service_name, "shop");
  EXPECT_DOUBLE_EQ(s->duration_sum_seconds, 1.5);
  EXPECT_EQ(s->duration_buckets.front(), 1u);
  EXPECT_EQ(s->duration_buckets.back(), uint64_t{HG_DURATION_BUCKETS});  // +Inf
  EXPECT_EQ(s->request_body_buckets.back(), 100u + HG_SIZE_BUCKETS - 1);
  EXPECT_EQ(s->response_body_buckets.front(), 200u);
  EXPECT_EQ(s->request_body_sum, 77u);
  EXPECT_EQ(s->response_body_sum, 88u);

  key.method = 77;  // past the known ids: kept, labelled "_OTHER" by Metrics
  EXPECT_EQ(MethodLabel(KernelSeriesSampleOf(key, v, "shop")->method_id), "_OTHER");
  key.role = HG_ROLE_CLIENT;
  EXPECT_FALSE(KernelSeriesSampleOf(key, v, "shop"));
  key.role = HG_ROLE_UNKNOWN;
  EXPECT_FALSE(KernelSeriesSampleOf(key, v, "shop"));
}

TEST(ServiceNames, KeepsNamesOfGonePidsUpToTheBound) {
  ServiceNames names(2);
  names.Remember(10, "api");
  names.Remember(11, "web");
  ASSERT_NE(names.Find(10), nullptr);
  EXPECT_EQ(*names.Find(10), "api");
  EXPECT_TRUE(names.full());
  names.Remember(12, "late");  // past the bound: not kept
  EXPECT_EQ(names.Find(12), nullptr);
  names.Remember(10, "reused");  // a known pid reused by another process: its new name
  EXPECT_EQ(*names.Find(10), "reused");
  EXPECT_EQ(names.size(), 2u);
  EXPECT_STREQ(ServiceNames::kUnknown, "unknown_service");
}

}  // namespace
}  // namespace hugin
