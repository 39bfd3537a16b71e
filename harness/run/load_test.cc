#include "harness/run/load.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hugin::harness {
namespace {

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

TEST(Load, GrpcEchoRequestIsLengthPrefixedProtobuf) {
  const std::string body = GrpcEchoRequestBody("hi");
  // flag 0, length 4, then field 1 (tag 0x0a) length 2 "hi"
  EXPECT_EQ(body, std::string("\x00\x00\x00\x00\x04\x0a\x02hi", 9));
  const std::string big = GrpcEchoRequestBody(std::string(200, 'x'));
  EXPECT_EQ(big.size(), 5u + 1 + 2 + 200);  // varint 200 takes two bytes
  EXPECT_EQ(static_cast<unsigned char>(big[6]), 0xc8);
  EXPECT_EQ(static_cast<unsigned char>(big[7]), 0x01);
  EXPECT_EQ(static_cast<unsigned char>(big[4]), 203);
}

TEST(Load, WrkCommandForSaturation) {
  Scenario s;
  s.load.tool = "wrk";
  s.load.connections = 32;
  s.load.threads = 2;
  s.load.duration_s = 5;
  s.load.path = "/hello";
  const auto cmd = LoadCommand(s, {"http", 8080, ""}, 0, "/tmp/r");
  EXPECT_EQ(cmd.front(), "wrk");
  EXPECT_TRUE(Has(cmd, "--latency"));
  EXPECT_TRUE(Has(cmd, "/tmp/r/load.lua"));
  EXPECT_TRUE(Has(cmd, "5s"));
  EXPECT_EQ(cmd.back(), "http://127.0.0.1:8080/hello");
}

TEST(Load, H2loadSpreadsTheRateOverConnections) {
  Scenario s;
  s.load.tool = "h2load";
  s.load.connections = 4;
  s.load.duration_s = 2;
  s.load.path = "/x";
  const auto cmd = LoadCommand(s, {"http", 9000, ""}, 1000, "/tmp/r");
  auto rps = std::find(cmd.begin(), cmd.end(), "--rps");
  ASSERT_NE(rps, cmd.end());
  EXPECT_EQ(*(rps + 1), "250");
  EXPECT_TRUE(Has(cmd, "--h1"));
  EXPECT_TRUE(Has(cmd, "/tmp/r/h2load.log"));
  EXPECT_EQ(cmd.back(), "http://127.0.0.1:9000/x");
}

TEST(Load, H2loadForGrpcPostsTheEchoRequest) {
  Scenario s;
  s.fixture.protocol = "grpc";
  s.load.tool = "h2load";
  s.load.connections = 2;
  const auto cmd = LoadCommand(s, {"http", 9001, "/hugin.fixture.Echo/Unary"}, 100, "/tmp/r");
  EXPECT_FALSE(Has(cmd, "--h1"));
  EXPECT_TRUE(Has(cmd, "content-type: application/grpc"));
  EXPECT_TRUE(Has(cmd, "te: trailers"));
  EXPECT_TRUE(Has(cmd, "/tmp/r/body.bin"));
  EXPECT_EQ(cmd.back(), "http://127.0.0.1:9001/hugin.fixture.Echo/Unary");
}

}  // namespace hugin::harness
