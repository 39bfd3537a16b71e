#include "harness/run/load.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "harness/run/request_mix.h"

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
  EXPECT_EQ(cmd.back(), "http://127.0.0.1:8080/");  // the script builds every request
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
  EXPECT_EQ(*(cmd.end() - 2), "-i");  // the URI list names every request
  EXPECT_EQ(cmd.back(), "/tmp/r/uris.txt");
  EXPECT_FALSE(Has(cmd, "-H"));  // GET without a body is h2load's own choice
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

TEST(Load, H2loadSendsTheScenarioMethod) {
  Scenario s;
  s.load.tool = "h2load";
  s.load.connections = 2;
  s.load.method = "PUT";
  s.load.body_bytes = 10;
  auto cmd = LoadCommand(s, {"http", 9000, ""}, 100, "/tmp/r");
  EXPECT_TRUE(Has(cmd, ":method: PUT"));
  EXPECT_TRUE(Has(cmd, "/tmp/r/body.bin"));
  s.load.method = "POST";  // h2load's own choice with a body
  cmd = LoadCommand(s, {"http", 9000, ""}, 100, "/tmp/r");
  EXPECT_FALSE(Has(cmd, "-H"));
}

namespace {

Scenario MixScenario(const std::string& tool) {
  Scenario s;
  s.name = "t";
  s.load.tool = tool;
  s.load.connections = 4;
  s.load.threads = 2;
  s.load.duration_s = 2;
  return s;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST(Load, WrkScriptIsDeterministicPerSeedAndHoldsTheMix) {
  Scenario s = MixScenario("wrk");
  const RequestIdentity id{"r", "0-1-h"};
  const std::string script = WrkScript(s, id);
  EXPECT_EQ(script, WrkScript(s, id));
  EXPECT_NE(script.find("local prefix = \"/r/0-1-h/\""), std::string::npos);
  EXPECT_NE(script.find("local threads = 2"), std::string::npos);
  EXPECT_NE(script.find("function setup(thread)"), std::string::npos);
  EXPECT_NE(script.find("function request()"), std::string::npos);
  EXPECT_NE(script.find("HARNESS_JSON"), std::string::npos);  // the done() hook stays
  for (const auto& e : DefaultMix()) {
    EXPECT_NE(script.find("-- " + e.name + "\n"), std::string::npos) << e.name;
    EXPECT_NE(script.find("\"" + e.target_after_identity() + "\""), std::string::npos) << e.name;
  }
  EXPECT_NE(script.find("Transfer-Encoding: chunked"), std::string::npos);
  s.load.seed = 2;  // another draw, same elements
  const std::string other = WrkScript(s, id);
  EXPECT_NE(other, script);
  EXPECT_EQ(other.substr(0, other.find("local seq")).substr(other.find("local prefix")),
            script.substr(0, script.find("local seq")).substr(script.find("local prefix")));
  EXPECT_NE(WrkScript(s, {"w", "0-1-h"}).find("local prefix = \"/w/0-1-h/\""), std::string::npos);
}

TEST(Load, WrkScriptForSingleSendsTheScenarioRequest) {
  Scenario s = MixScenario("wrk");
  s.load.mix = "single";
  s.load.method = "PATCH";
  s.load.path = "/hello?size=64";
  s.load.body_bytes = 7;
  const std::string script = WrkScript(s, {"r", "x"});
  EXPECT_NE(script.find("{\"PATCH\", \"/hello?size=64\", "), std::string::npos) << script;
  EXPECT_NE(script.find("Content-Length: 7\\r\\n\\r\\n\" .. string.rep(\"x\", 7)"),
            std::string::npos)
      << script;
}

TEST(Load, H2loadUriListNamesEveryRequestOnceAndCoversTheMix) {
  Scenario s = MixScenario("h2load");
  const RequestIdentity id{"r", "6000-1-b"};
  const int rate = 6000;
  const auto lines = Lines(H2loadUriList(s, {"http", 8080, ""}, rate, id));
  // h2load walks the list once per connection: a client sends at most rate / connections *
  // duration requests, and must not wrap around.
  ASSERT_EQ(lines.size(), H2loadUriCount(s.load, rate));
  EXPECT_GE(lines.size(), 1.5 * rate / s.load.connections * s.load.duration_s);
  const auto& mix = DefaultMix();
  const auto seq = MixSequence(mix.size(), s.load.seed);
  std::set<std::string> elements;
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string base = "http://127.0.0.1:8080";
    ASSERT_EQ(lines[n].rfind(base, 0), 0u) << lines[n];  // absolute: h2load needs the first so
    const std::string target = lines[n].substr(base.size());
    const auto parsed = ParseIdentityPath(target);
    ASSERT_TRUE(parsed) << target;
    EXPECT_EQ(parsed->prefix, "r");
    EXPECT_EQ(parsed->run_id, "6000-1-b");
    EXPECT_EQ(parsed->n, n);
    const MixElement& e = mix[seq[n % kMixPeriod]];
    EXPECT_EQ(target, IdentityPath(id, n) + e.target_after_identity());
    elements.insert(e.name);
  }
  EXPECT_EQ(elements.size(), mix.size());
  EXPECT_EQ(Lines(H2loadUriList(s, {"http", 8080, ""}, rate, id)), lines);
}

TEST(Load, H2loadUriCountLeavesMarginPerClient) {
  LoadSpec l;
  l.connections = 16;
  l.duration_s = 2;
  EXPECT_EQ(H2loadUriCount(l, 20000), 3850u);  // 2500 per client at most
  l.connections = 3;
  l.duration_s = 1;
  EXPECT_EQ(H2loadUriCount(l, 100), 150u);  // 33.3 per client, x 1.5, + 100
}

}  // namespace hugin::harness
