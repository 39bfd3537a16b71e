#include "harness/model/records.h"

#include <gtest/gtest.h>

namespace hugin::harness {

TEST(Records, PortOfAddress) {
  EXPECT_EQ(PortOfAddress("127.0.0.1:46278"), 46278);
  EXPECT_EQ(PortOfAddress("[::1]:8080"), 8080);
  EXPECT_EQ(PortOfAddress("localhost"), -1);
  EXPECT_EQ(PortOfAddress("1.2.3.4:"), -1);
  EXPECT_EQ(PortOfAddress("1.2.3.4:99999"), -1);
  EXPECT_EQ(PortOfAddress("1.2.3.4:80x"), -1);
}

TEST(Records, GroundTruthLineFromTheGoFixture) {
  GroundTruthRecord g;
  std::string error;
  ASSERT_TRUE(ParseGroundTruthLine(
      R"({"end_ns":401604811808,"method":"GET","path":"/x","peer":"127.0.0.1:46278","pid":10630,"proto":"http","req_bytes":0,"resp_bytes":12,"start_ns":401604807279,"status":200,"tid":10636})",
      g, error))
      << error;
  EXPECT_EQ(g.method, "GET");
  EXPECT_EQ(g.path, "/x");
  EXPECT_EQ(g.status, 200);
  EXPECT_EQ(g.resp_bytes, 12);
  EXPECT_EQ(g.peer_port, 46278);
  EXPECT_EQ(g.end_ns - g.start_ns, 4529);
  EXPECT_FALSE(g.aborted);
}

TEST(Records, GroundTruthAbortedResponse) {
  GroundTruthRecord g;
  std::string error;
  ASSERT_TRUE(ParseGroundTruthLine(
      R"({"aborted":true,"end_ns":2,"method":"GET","path":"/x","peer":"127.0.0.1:1","pid":1,"proto":"http","req_bytes":0,"resp_bytes":0,"start_ns":1,"status":200})",
      g, error))
      << error;
  EXPECT_TRUE(g.aborted);
}

TEST(Records, GroundTruthMissingFieldIsAnError) {
  GroundTruthRecord g;
  std::string error;
  EXPECT_FALSE(ParseGroundTruthLine(R"({"method":"GET","path":"/"})", g, error));
  EXPECT_NE(error.find("status"), std::string::npos);
  EXPECT_FALSE(ParseGroundTruthLine(R"({"method":"GET", "path)", g, error));
}

TEST(Records, SpanLineWithTheAgentSchema) {
  SpanRecord s;
  std::string error;
  ASSERT_TRUE(ParseSpanLine(
      R"({"kind":"server","protocol":"http","start_ns":100,"processing_start_ns":110,"end_ns":200,"wall_start_ns":1,"duration_ns":100,"processing_ns":90,"method":"POST","path":"/a","status":201,"request_body_bytes":6,"response_body_bytes":0,"local":{"ip":"127.0.0.1","port":8080},"peer":{"ip":"127.0.0.1","port":5555},"pid":42,"service_name":"server"})",
      s, error))
      << error;
  EXPECT_EQ(s.kind, "server");
  EXPECT_EQ(s.method, "POST");
  EXPECT_EQ(s.req_bytes, 6);
  EXPECT_EQ(s.local_port, 8080);
  EXPECT_EQ(s.peer_port, 5555);
  EXPECT_EQ(s.duration_ns, 100);
  ASSERT_TRUE(s.processing_ns);
  EXPECT_EQ(*s.processing_ns, 90);
  ASSERT_TRUE(ParseSpanLine(
      R"({"kind":"server","start_ns":1,"end_ns":2,"local":{"port":1},"peer":{"port":2}})", s, error));
  EXPECT_FALSE(s.processing_ns);
}

TEST(Records, SpanWithoutAddressesIsAnError) {
  SpanRecord s;
  std::string error;
  EXPECT_FALSE(ParseSpanLine(R"({"kind":"server","start_ns":1,"end_ns":2})", s, error));
  EXPECT_NE(error.find("local"), std::string::npos);
}

}  // namespace hugin::harness

namespace hugin::harness {

TEST(Records, SpanLineWithGrpcFields) {
  SpanRecord r;
  std::string error;
  ASSERT_TRUE(ParseSpanLine(
      R"({"kind":"server","protocol":"grpc","start_ns":100,"end_ns":200,"method":"POST","path":"/s.S/M","status":200,"stream_id":3,"grpc_status":5,"request_body_bytes":6,"response_body_bytes":0,"local":{"ip":"127.0.0.1","port":50051},"peer":{"ip":"127.0.0.1","port":5555},"pid":42})",
      r, error))
      << error;
  EXPECT_EQ(r.protocol, "grpc");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.grpc_status, 5);
  SpanRecord h1;
  ASSERT_TRUE(ParseSpanLine(
      R"({"kind":"server","start_ns":1,"end_ns":2,"local":{"port":1},"peer":{"port":2}})", h1,
      error));
  EXPECT_EQ(h1.protocol, "http");
  EXPECT_EQ(h1.grpc_status, -1);
}

}  // namespace hugin::harness
