#include "core/agent/fault_injection.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace hugin {
namespace {

Result<FaultPlan> Parse(const char* value) {
  return ParseFaultPlan([value](const std::string& name) -> std::optional<std::string> {
    if (name != "HUGIN_FAULT" || value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

FaultPlan ParseOk(const char* value) {
  auto r = Parse(value);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : FaultPlan{};
}

TEST(ParseFaultPlan, UnsetOrBlankPlantsNothing) {
  EXPECT_FALSE(ParseOk(nullptr).enabled);
  EXPECT_FALSE(ParseOk("  ").enabled);
}

TEST(ParseFaultPlan, BothKinds) {
  FaultPlan p = ParseOk("drop_span:50, swap_status:7");
  EXPECT_TRUE(p.enabled);
  EXPECT_EQ(p.drop_span_every, 50u);
  EXPECT_EQ(p.swap_status_every, 7u);
  p = ParseOk("swap_status:1");
  EXPECT_EQ(p.drop_span_every, 0u);
  EXPECT_EQ(p.swap_status_every, 1u);
}

TEST(ParseFaultPlan, BadValuesAreErrors) {
  for (const char* bad : {"drop_span:0", "drop_span:x", "drop_span:", "drop_span", "drop_span:-1",
                          "explode:3", "drop_span:2,drop_span:3", "drop_span:2,",
                          "drop_span:2000000000"}) {
    SCOPED_TRACE(bad);
    auto r = Parse(bad);
    ASSERT_FALSE(r.ok());
    const Error& e = r.error();
    EXPECT_EQ(e.message.rfind("hugin: HUGIN_FAULT: ", 0), 0u) << e.message;
    EXPECT_EQ(e.message.find('\n'), std::string::npos);
  }
}

Span WithStatus(int status) {
  Span s;
  s.status = status;
  return s;
}

TEST(FaultInjector, DropsEveryNthFinishedSpan) {
  FaultInjector f(FaultPlan{true, 3, 0});
  std::vector<int> kept;
  for (int i = 1; i <= 10; i++) {
    Span s = WithStatus(200);
    s.pid = i;
    if (f.Apply(s)) kept.push_back(i);
    EXPECT_EQ(s.status, 200);
  }
  EXPECT_EQ(kept, (std::vector<int>{1, 2, 4, 5, 7, 8, 10}));
  EXPECT_EQ(f.dropped(), 3u);
  EXPECT_EQ(f.swapped(), 0u);
  EXPECT_EQ(f.Summary(), "hugin: fault injection planted drop_span=3 swap_status=0");
}

TEST(FaultInjector, SwapsTheStatusOfEveryNthExportedSpan) {
  FaultInjector f(FaultPlan{true, 4, 2});
  std::map<int, int> status_of;  // finished index -> exported status
  const int in[] = {404, 200, 404, 200, 404, 404, 200, 200};
  for (int i = 0; i < 8; i++) {
    Span s = WithStatus(in[i]);
    if (f.Apply(s)) status_of[i + 1] = s.status;
  }
  // Spans 4 and 8 are dropped; of the six exported (1 2 3 5 6 7), the 2nd, 4th and 6th swap.
  EXPECT_EQ(status_of, (std::map<int, int>{
                           {1, 404}, {2, 500}, {3, 404}, {5, 200}, {6, 404}, {7, 500}}));
  EXPECT_EQ(f.dropped(), 2u);
  EXPECT_EQ(f.swapped(), 3u);
  EXPECT_EQ(f.Summary(), "hugin: fault injection planted drop_span=2 swap_status=3");
}

TEST(FaultInjector, TwoHundredBecomesFiveHundred) {
  FaultInjector f(FaultPlan{true, 0, 1});
  Span s = WithStatus(200);
  ASSERT_TRUE(f.Apply(s));
  EXPECT_EQ(s.status, 500);
}

TEST(FaultInjector, NoPlanChangesNothing) {
  FaultInjector f(FaultPlan{});
  for (int i = 0; i < 100; i++) {
    Span s = WithStatus(404);
    ASSERT_TRUE(f.Apply(s));
    EXPECT_EQ(s.status, 404);
  }
  EXPECT_EQ(f.dropped() + f.swapped(), 0u);
}

}  // namespace
}  // namespace hugin
