#include "harness/run/prometheus.h"

#include <gtest/gtest.h>

namespace hugin::harness {

TEST(Prometheus, QueryResponseVectorIsSummed) {
  std::string error;
  const auto v = ParseQueryResponse(
      R"({"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"a":"1"},"value":[1700000000.1,"995"]},
        {"metric":{"a":"2"},"value":[1700000000.1,"5"]}]}})",
      error);
  ASSERT_TRUE(v) << error;
  EXPECT_EQ(*v, 1000);
}

TEST(Prometheus, EmptyOrFailedQueryIsAnError) {
  std::string error;
  EXPECT_FALSE(ParseQueryResponse(
      R"({"status":"success","data":{"resultType":"vector","result":[]}})", error));
  EXPECT_NE(error.find("no series"), std::string::npos);
  EXPECT_FALSE(ParseQueryResponse(R"({"status":"error","error":"parse error"})", error));
  EXPECT_NE(error.find("parse error"), std::string::npos);
  EXPECT_FALSE(ParseQueryResponse("<html>", error));
}

TEST(Prometheus, ConfigScrapesTheTarget) {
  const std::string c = PrometheusConfig("127.0.0.1:9400", 1);
  EXPECT_NE(c.find("scrape_interval: 1s"), std::string::npos);
  EXPECT_NE(c.find("targets: ['127.0.0.1:9400']"), std::string::npos);
}

}  // namespace hugin::harness
