#include "core/export/loss_lines.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hugin {
namespace {

TEST(FormatConnLossJson, EveryFieldWithTheHarnessKeyNames) {
  ConnLoss l;
  l.pid = 4242;
  l.fd = 17;
  l.generation = 18'446'744'073'709'551'000u;  // above 2^63: must stay unsigned
  l.local_port = 8080;
  l.peer_port = 53422;
  l.ingress_records = 3;
  l.egress_records = 5;
  l.control_records = 1;
  l.bytes = 123456;
  l.first_ns = 1'000'000'001;
  l.last_ns = 1'000'000'999;
  const std::string line = FormatConnLossJson(l);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.rfind("{\"type\":\"loss\",\"pid\":4242,", 0), 0u) << line;
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j.size(), 12u);
  EXPECT_EQ(j["type"], "loss");
  EXPECT_EQ(j["pid"], 4242u);
  EXPECT_EQ(j["fd"], 17);
  EXPECT_EQ(j["generation"].get<uint64_t>(), l.generation);
  EXPECT_EQ(j["local_port"], 8080);
  EXPECT_EQ(j["peer_port"], 53422);
  EXPECT_EQ(j["ingress_records"], 3u);
  EXPECT_EQ(j["egress_records"], 5u);
  EXPECT_EQ(j["control_records"], 1u);
  EXPECT_EQ(j["bytes"], 123456u);
  EXPECT_EQ(j["first_ns"], 1'000'000'001u);
  EXPECT_EQ(j["last_ns"], 1'000'000'999u);
}

TEST(FormatStreamGapJson, EveryFieldWithTheHarnessKeyNames) {
  StreamGap g;
  g.pid = 7;
  g.fd = 5;
  g.generation = 99;
  g.local_port = 8080;
  g.peer_port = 40000;
  g.direction = Direction::kEgress;
  g.bytes = 1000;
  g.after_ns = 10;
  g.before_ns = 40;
  const std::string line = FormatStreamGapJson(g);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j.size(), 10u);
  EXPECT_EQ(j["type"], "gap");
  EXPECT_EQ(j["pid"], 7u);
  EXPECT_EQ(j["fd"], 5);
  EXPECT_EQ(j["generation"], 99u);
  EXPECT_EQ(j["local_port"], 8080);
  EXPECT_EQ(j["peer_port"], 40000);
  EXPECT_EQ(j["direction"], "egress");
  EXPECT_EQ(j["bytes"], 1000u);
  EXPECT_EQ(j["after_ns"], 10u);
  EXPECT_EQ(j["before_ns"], 40u);
  g.direction = Direction::kIngress;
  g.fd = -1;
  j = nlohmann::json::parse(FormatStreamGapJson(g));
  EXPECT_EQ(j["direction"], "ingress");
  EXPECT_EQ(j["fd"], -1);
}

TEST(FormatUnpairedRequestJson, EveryFieldWithTheHarnessKeyNames) {
  UnpairedRequest u;
  u.pid = 7;
  u.fd = 5;
  u.generation = 99;
  u.local_port = 8080;
  u.peer_port = 40000;
  u.request_ns = 123456789;
  const std::string line = FormatUnpairedRequestJson(u);
  EXPECT_EQ(line.rfind("{\"type\":\"unpaired\"", 0), 0u) << line;  // the harness keys on it
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j.size(), 7u);
  EXPECT_EQ(j["pid"], 7u);
  EXPECT_EQ(j["fd"], 5);
  EXPECT_EQ(j["generation"], 99u);
  EXPECT_EQ(j["local_port"], 8080);
  EXPECT_EQ(j["peer_port"], 40000);
  EXPECT_EQ(j["request_ns"], 123456789u);
}

}  // namespace
}  // namespace hugin
