#include "core/events/event.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <vector>

namespace hugin::events {
namespace {

std::vector<uint8_t> DataRecord(std::string_view payload, uint32_t len, uint32_t captured) {
  std::vector<uint8_t> buf(sizeof(hg_data_event) + payload.size());
  hg_data_event e{};
  e.h.type = HG_EV_DATA;
  e.h.dir = HG_EGRESS;
  e.h.role = HG_ROLE_SERVER;
  e.h.conn.tgid = 42;
  e.h.conn.fd = 7;
  e.h.conn.generation = 99;
  e.h.ts_ns = 1234;
  e.pos = 100;
  e.len = len;
  e.captured = captured;
  std::memcpy(buf.data(), &e, sizeof(e));
  std::memcpy(buf.data() + sizeof(e), payload.data(), payload.size());
  return buf;
}

TEST(Decode, DataRecordRoundTrip) {
  auto rec = DataRecord("HTTP/1.1 200 OK\r\n", 500, 17);
  auto r = Decode(rec.data(), rec.size());
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto& d = std::get<DataEvent>(r.value());
  EXPECT_EQ(d.c.conn.tgid, 42u);
  EXPECT_EQ(d.c.conn.fd, 7);
  EXPECT_EQ(d.c.conn.generation, 99u);
  EXPECT_EQ(d.c.role, HG_ROLE_SERVER);
  EXPECT_EQ(d.dir, HG_EGRESS);
  EXPECT_EQ(d.pos, 100u);
  EXPECT_EQ(d.len, 500u);
  EXPECT_EQ(d.payload, "HTTP/1.1 200 OK\r\n");
  EXPECT_FALSE(d.short_copy);
}

TEST(Decode, ShortCopyFlag) {
  auto rec = DataRecord("GET", 500, 3);
  hg_header h;
  std::memcpy(&h, rec.data(), sizeof(h));
  h.flags = HG_FLAG_SHORT_COPY;
  std::memcpy(rec.data(), &h, sizeof(h));
  auto r = Decode(rec.data(), rec.size());
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& d = std::get<DataEvent>(r.value());
  EXPECT_TRUE(d.short_copy);
  EXPECT_EQ(d.len, 500u);
  EXPECT_EQ(d.payload, "GET");
}

// The layout is shared with the BPF side, which is compiled separately: pin it.
TEST(Decode, ResumeFlag) {
  auto rec = DataRecord("GET", 3, 3);
  hg_header h;
  std::memcpy(&h, rec.data(), sizeof(h));
  auto plain = Decode(rec.data(), rec.size());
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_FALSE(std::get<DataEvent>(plain.value()).resume);
  h.flags = HG_FLAG_RESUME;
  std::memcpy(rec.data(), &h, sizeof(h));
  auto r = Decode(rec.data(), rec.size());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(std::get<DataEvent>(r.value()).resume);
  EXPECT_FALSE(std::get<DataEvent>(r.value()).short_copy);
}

TEST(Decode, HeaderLayout) {
  EXPECT_EQ(sizeof(hg_header), 40u);
  EXPECT_EQ(offsetof(hg_header, conn), 16u);
  EXPECT_EQ(offsetof(hg_header, flags), 32u);
  EXPECT_EQ(sizeof(hg_data_event), 64u);
  EXPECT_EQ(sizeof(hg_conn_loss), 56u);
}

TEST(Decode, RejectsPayloadLongerThanRecord) {
  auto rec = DataRecord("abc", 100, 50);  // claims 50 bytes, carries 3
  auto r = Decode(rec.data(), rec.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "data record payload length out of bounds");
}

TEST(Decode, RejectsCapturedBeyondLen) {
  auto rec = DataRecord("abcdef", 3, 6);
  EXPECT_FALSE(Decode(rec.data(), rec.size()).ok());
}

TEST(Decode, RejectsShortAndUnknownRecords) {
  uint8_t small[4] = {HG_EV_DATA, 0, 0, 0};
  EXPECT_FALSE(Decode(small, sizeof(small)).ok());
  hg_header h{};
  h.type = 77;
  EXPECT_FALSE(Decode(&h, sizeof(h)).ok());
  h.type = HG_EV_OPEN;  // an open record needs its address too
  EXPECT_FALSE(Decode(&h, sizeof(h)).ok());
}

TEST(Decode, OpenRecordCarriesAddresses) {
  hg_open_event e{};
  e.h.type = HG_EV_OPEN;
  e.h.role = HG_ROLE_CLIENT;
  e.addr.family = AF_INET;
  e.addr.lport = 50000;
  e.addr.rport = 8080;
  uint8_t lo[4] = {127, 0, 0, 1};
  std::memcpy(e.addr.laddr, lo, 4);
  std::memcpy(e.addr.raddr, lo, 4);
  auto r = Decode(&e, sizeof(e));
  ASSERT_TRUE(r.ok());
  auto& o = std::get<OpenEvent>(r.value());
  EXPECT_EQ(o.c.role, HG_ROLE_CLIENT);
  EXPECT_EQ(o.addr.remote_port, 8080);
  EXPECT_EQ(IpToString(o.addr.family, o.addr.local_ip), "127.0.0.1");
}

TEST(IpToString, V6AndMappedV4) {
  uint8_t loop6[16] = {};
  loop6[15] = 1;
  EXPECT_EQ(IpToString(AF_INET6, loop6), "::1");
  uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3};
  EXPECT_EQ(IpToString(AF_INET6, mapped), "10.1.2.3");
  EXPECT_EQ(IpToString(0, mapped), "?");
}

// The dotted quad is written by hand (event.cc): it must print what inet_ntop prints, for every
// digit count of every octet.
TEST(IpToString, V4MatchesInetNtop) {
  const uint8_t octets[] = {0, 1, 9, 10, 99, 100, 199, 200, 254, 255};
  for (uint8_t a : octets) {
    for (uint8_t b : octets) {
      uint8_t ip[16] = {a, b, b, a};
      char want[INET_ADDRSTRLEN] = {};
      ASSERT_NE(inet_ntop(AF_INET, ip, want, sizeof want), nullptr);
      EXPECT_EQ(IpToString(AF_INET, ip), want);
      uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, b, a};
      EXPECT_EQ(IpToString(AF_INET6, mapped), want);
    }
  }
}

}  // namespace
}  // namespace hugin::events
