// Real traffic recorded on loopback (tcpdump; see testdata/README.md): the fixtures' gRPC
// servers (Go grpc-go, Python grpcio, Node @grpc/grpc-js, Rust tonic) answering clients of
// several stacks. Decoded from the first byte, then as a late attach from the third call on.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/protocols/http2/connection.h"

namespace hugin::http2 {
namespace {

struct Segment {
  Sender from;
  uint64_t pos;
  uint64_t ts_ns;
  std::string bytes;
};

std::vector<Segment> Load(const std::string& name) {
  std::ifstream f("core/protocols/http2/testdata/" + name + ".h2trace");
  EXPECT_TRUE(f.good()) << name;
  std::vector<Segment> out;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    char dir;
    uint64_t pos, us;
    std::string hex;
    in >> dir >> pos >> us >> hex;
    Segment s{dir == 'c' ? Sender::kClient : Sender::kServer, pos, us * 1000 + 1, {}};
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      s.bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    out.push_back(std::move(s));
  }
  return out;
}

// Feeds the segments at or after `from_ns`, one chunk each.
std::vector<Exchange> Decode(const std::vector<Segment>& segs, bool from_start, uint64_t from_ns,
                             Stats* stats) {
  Options o;
  o.streams_start_at_zero = from_start;
  Connection c(o);
  for (const Segment& s : segs) {
    if (s.ts_ns < from_ns) continue;
    c.OnData(s.from, Chunk{s.pos, static_cast<uint32_t>(s.bytes.size()), s.bytes, s.ts_ns});
  }
  c.OnClose(UINT64_MAX);
  std::vector<Exchange> out;
  c.TakeExchanges(out);
  *stats = c.stats();
  return out;
}

constexpr const char* kUnary = "/hugin.fixture.Echo/Unary";
constexpr const char* kStream = "/hugin.fixture.Echo/Stream";

// Every client script makes the same five calls on one connection.
struct Call {
  const char* path;
  int grpc_status;
  uint64_t response_messages;
};
const Call kScript[] = {
    {kUnary, 0, 1}, {kUnary, 5, 0}, {kStream, 0, 3}, {kUnary, 0, 1}, {kStream, 14, 2}};

void ExpectScript(const std::vector<Exchange>& ex, size_t first_call) {
  ASSERT_EQ(ex.size(), 5 - first_call);
  for (size_t i = 0; i < ex.size(); ++i) {
    const Call& want = kScript[first_call + i];
    SCOPED_TRACE("call " + std::to_string(first_call + i));
    EXPECT_STREQ(ex[i].protocol, "grpc");
    EXPECT_TRUE(ex[i].protocol_known);
    EXPECT_EQ(ex[i].method, "POST");
    EXPECT_EQ(ex[i].path, want.path);
    EXPECT_EQ(ex[i].status, 200);
    EXPECT_EQ(ex[i].grpc_status, want.grpc_status);
    EXPECT_EQ(ex[i].response_messages.count, want.response_messages);
    EXPECT_EQ(ex[i].request_messages.count, 1u);
    EXPECT_FALSE(ex[i].incomplete || ex[i].request_fields_unknown || ex[i].response_fields_unknown);
    EXPECT_GT(ex[i].resp_end_ns, ex[i].req_start_ns);
  }
}

class Recorded : public ::testing::TestWithParam<const char*> {};

TEST_P(Recorded, FromTheFirstByte) {
  Stats st;
  auto ex = Decode(Load(GetParam()), true, 0, &st);
  ExpectScript(ex, 0);
  EXPECT_EQ(st.frame_errors + st.hpack_errors + st.gaps + st.out_of_sync, 0u);
}

INSTANTIATE_TEST_SUITE_P(Stacks, Recorded,
                         ::testing::Values("go_goclient", "go_pyclient", "python_pyclient",
                                           "node_pyclient", "node_nodeclient", "rust_pyclient",
                                           "rust_goclient"));

// Late attach from the third call (the first segment at or after its first request byte):
// which fields survive depends on what each stack's HPACK encoder puts in the dynamic table.
// Expected values per stack are in README.md; here: never a wrong value, and the fields each
// encoder sends without the dynamic table are known.
struct Late {
  const char* trace;
  bool repeated_path_known;    // the client's :path of a method called before the attach
  bool repeated_status_known;  // the server's grpc-status 0, sent before the attach
  bool new_status_known;       // grpc-status 14, never sent before
};

class LateAttach : public ::testing::TestWithParam<Late> {};

TEST_P(LateAttach, FromTheThirdCall) {
  const Late& p = GetParam();
  auto segs = Load(p.trace);
  Stats st;
  auto all = Decode(segs, true, 0, &st);
  ASSERT_EQ(all.size(), 5u);
  auto ex = Decode(segs, false, all[2].req_start_ns, &st);
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(st.frame_errors + st.hpack_errors, 0u);
  for (size_t i = 0; i < 3; ++i) {
    const Call& want = kScript[2 + i];
    SCOPED_TRACE("call " + std::to_string(2 + i));
    EXPECT_EQ(ex[i].method, "POST");  // static table
    // Never wrong: either the true value or unknown (flagged).
    if (ex[i].path)
      EXPECT_EQ(ex[i].path, want.path);
    else
      EXPECT_TRUE(ex[i].request_fields_unknown);
    if (ex[i].grpc_status)
      EXPECT_EQ(ex[i].grpc_status, want.grpc_status);
    else
      EXPECT_TRUE(ex[i].response_fields_unknown);
    EXPECT_EQ(ex[i].response_messages.count, want.response_messages);
  }
  // Call 3 (Unary again) repeats call 0's path; call 4 (Stream, status 14) is new in both.
  EXPECT_EQ(ex[1].path.has_value(), p.repeated_path_known);
  EXPECT_EQ(ex[1].grpc_status.has_value(), p.repeated_status_known);
  EXPECT_EQ(ex[2].grpc_status.has_value(), p.new_status_known);
  // A path never called before is a literal in every stack's encoding; :status 200 and
  // :method POST are static-table references.
  EXPECT_EQ(ex[0].path, kStream);
  EXPECT_EQ(ex[0].status, 200);
  // content-type was indexed on the first call by every client: the protocol is known only
  // where a grpc-status decoded.
  for (const Exchange& e : ex) {
    EXPECT_EQ(e.content_type, std::nullopt);
    EXPECT_EQ(e.protocol_known, e.grpc_status.has_value());
    EXPECT_STREQ(e.protocol, e.grpc_status ? "grpc" : "http2");
  }
}

INSTANTIATE_TEST_SUITE_P(Stacks, LateAttach,
                         ::testing::Values(Late{"go_goclient", false, false, false},
                                           Late{"go_pyclient", false, false, false},
                                           Late{"python_pyclient", false, false, true},
                                           Late{"node_pyclient", false, false, false},
                                           Late{"node_nodeclient", true, false, false},
                                           Late{"rust_pyclient", false, false, false},
                                           Late{"rust_goclient", false, false, false}));

// Other clients: h2load (nghttp2) three unary calls; curl one, from the first byte.
TEST(RecordedOther, H2loadAndCurl) {
  Stats st;
  auto ex = Decode(Load("go_h2load"), true, 0, &st);
  ASSERT_EQ(ex.size(), 3u);
  for (const Exchange& e : ex) {
    EXPECT_EQ(e.path, kUnary);
    EXPECT_EQ(e.grpc_status, 0);
    EXPECT_EQ(e.authority, "127.0.0.1:41711");
    EXPECT_EQ(e.response_messages.count, 1u);
  }
  ex = Decode(Load("rust_curl"), true, 0, &st);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].path, kUnary);
  EXPECT_EQ(ex[0].grpc_status, 0);
  EXPECT_EQ(ex[0].scheme, "http");
}

}  // namespace
}  // namespace hugin::http2
