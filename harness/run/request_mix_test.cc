#include "harness/run/request_mix.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace hugin::harness {

TEST(RequestMix, DefaultMixCoversEveryDimension) {
  const auto& mix = DefaultMix();
  std::set<std::string> names, targets, methods;
  std::set<int> statuses, sizes;
  std::set<BodyFraming> framings;
  for (const auto& e : mix) {
    EXPECT_TRUE(names.insert(e.name).second) << "duplicate name " << e.name;
    // Each element's path is its own: an element can be told from a request's path alone.
    EXPECT_TRUE(targets.insert(e.tail).second) << "duplicate path " << e.tail;
    EXPECT_TRUE(e.tail.empty() || e.tail[0] == '/') << e.name;
    EXPECT_EQ(e.tail.find('?'), std::string::npos) << e.name;
    methods.insert(e.method);
    statuses.insert(e.status);
    sizes.insert(e.response_bytes);
    framings.insert(e.framing);
    // 204 and 304 carry no body in any fixture only with size 0 (see request_mix.cc).
    if (e.status == 204 || e.status == 304) EXPECT_EQ(e.response_bytes, 0) << e.name;
    if (e.framing == BodyFraming::kNone) EXPECT_TRUE(e.body_chunks.empty()) << e.name;
    if (e.framing == BodyFraming::kContentLength) EXPECT_EQ(e.body_chunks.size(), 1u) << e.name;
  }
  EXPECT_EQ(methods, (std::set<std::string>{"GET", "POST", "PUT", "DELETE"}));
  EXPECT_EQ(statuses, (std::set<int>{200, 201, 204, 304, 404, 500}));
  EXPECT_GE(sizes.size(), 5u);
  EXPECT_TRUE(sizes.count(0) && sizes.count(70000));  // empty, and larger than any capture
  EXPECT_EQ(framings.size(), 3u);
}

TEST(RequestMix, QueryCarriesStatusSizeAndExtras) {
  MixElement e{"x", "GET", "/a", 404, 64, "k=v", BodyFraming::kNone, {}};
  EXPECT_EQ(e.query(), "status=404&size=64&k=v");
  EXPECT_EQ(e.target_after_identity(), "/a?status=404&size=64&k=v");
  e.status = 200;
  e.response_bytes = 0;
  e.extra_query.clear();
  EXPECT_EQ(e.target_after_identity(), "/a");
  e.framing = BodyFraming::kChunked;
  e.body_chunks = {37, 5, 11};
  EXPECT_EQ(e.request_bytes(), 53);
}

TEST(RequestMix, SingleIsTheScenarioRequest) {
  LoadSpec l;
  l.mix = "single";
  l.method = "POST";
  l.path = "/api/items?size=512";
  l.body_bytes = 100;
  const auto mix = ScenarioMix(l);
  ASSERT_EQ(mix.size(), 1u);
  EXPECT_EQ(mix[0].method, "POST");
  EXPECT_EQ(mix[0].target_after_identity(), "/api/items?size=512");
  EXPECT_EQ(mix[0].framing, BodyFraming::kContentLength);
  EXPECT_EQ(mix[0].request_bytes(), 100);
  l.mix = "default";
  EXPECT_EQ(ScenarioMix(l).size(), DefaultMix().size());
}

TEST(RequestMix, SequenceIsDeterministicBalancedAndSeedDependent) {
  const size_t k = DefaultMix().size();
  const auto a = MixSequence(k, 1);
  EXPECT_EQ(a, MixSequence(k, 1));
  EXPECT_NE(a, MixSequence(k, 2));
  ASSERT_EQ(a.size(), kMixPeriod);
  std::map<uint16_t, size_t> count;
  for (uint16_t e : a) {
    ASSERT_LT(e, k);
    ++count[e];
  }
  ASSERT_EQ(count.size(), k);  // every element, in every period
  for (const auto& [e, c] : count) {
    EXPECT_GE(c, kMixPeriod / k) << e;
    EXPECT_LE(c, kMixPeriod / k + 1) << e;
  }
  // Drawn, not cycled: neighbours are not simply e, e+1, ...
  size_t in_order = 0;
  for (size_t i = 1; i < a.size(); ++i) in_order += a[i] == (a[i - 1] + 1) % k;
  EXPECT_LT(in_order, kMixPeriod / 4);
  EXPECT_EQ(MixSequence(1, 9), std::vector<uint16_t>(kMixPeriod, 0));
}

}  // namespace hugin::harness
