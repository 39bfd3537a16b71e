#include "core/privsep/codec.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/privsep/channel.h"
#include "core/privsep/drop_privileges.h"

namespace hugin::privsep {
namespace {

std::string ErrorOf(const std::vector<uint8_t>& packet) {
  auto m = Decode(packet.data(), packet.size());
  return m ? "" : m.error().message;
}

TEST(Codec, RoundTripsEveryField) {
  WatchingMsg w{};
  w.pid = 4242;
  CopyString(w.service_name, "node");
  auto packet = Encode(w);
  auto m = Decode(packet.data(), packet.size());
  ASSERT_TRUE(m) << m.error().message;
  auto* got = std::get_if<WatchingMsg>(&m.value());
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->pid, 4242u);
  EXPECT_STREQ(got->service_name, "node");

  ConnLossesMsg l{};
  l.count = 2;
  l.entries[1].id.tgid = 7;
  l.entries[1].loss.bytes = 99;
  auto lp = Encode(l);
  auto lm = Decode(lp.data(), lp.size());
  ASSERT_TRUE(lm);
  EXPECT_EQ(std::get<ConnLossesMsg>(lm.value()).entries[1].loss.bytes, 99u);
}

TEST(Codec, RoundTripsKernelSeries) {
  CountersMsg c{};
  c.seq = 3;
  c.kernel_series_msgs = 2;
  auto cp = Encode(c);
  auto cm = Decode(cp.data(), cp.size());
  ASSERT_TRUE(cm) << cm.error().message;
  EXPECT_EQ(std::get<CountersMsg>(cm.value()).kernel_series_msgs, 2u);

  KernelSeriesMsg k{};
  k.seq = 3;
  k.count = KernelSeriesMsg::kMaxEntries;
  auto& last = k.entries[KernelSeriesMsg::kMaxEntries - 1];
  last.key.tgid = 4242;
  last.key.server_port = 8080;
  last.key.status = 404;
  last.key.method = 2;
  last.key.role = HG_ROLE_SERVER;
  last.value.count = 7;
  last.value.duration_sum_ns = 123456789;
  last.value.duration_buckets[HG_DURATION_BUCKETS - 1] = 5;
  last.value.request_body_buckets[0] = 6;
  last.value.response_body_sum = 9000;
  last.value.response_body_buckets[HG_SIZE_BUCKETS - 1] = 1;
  CopyString(last.service_name, "shop");
  auto kp = Encode(k);
  auto km = Decode(kp.data(), kp.size());
  ASSERT_TRUE(km) << km.error().message;
  const auto& got = std::get<KernelSeriesMsg>(km.value());
  EXPECT_EQ(got.seq, 3u);
  EXPECT_EQ(got.count, KernelSeriesMsg::kMaxEntries);
  const auto& e = got.entries[KernelSeriesMsg::kMaxEntries - 1];
  EXPECT_EQ(e.key.tgid, 4242u);
  EXPECT_EQ(e.key.server_port, 8080u);
  EXPECT_EQ(e.key.status, 404u);
  EXPECT_EQ(e.key.method, 2u);
  EXPECT_EQ(e.key.role, HG_ROLE_SERVER);
  EXPECT_EQ(e.value.count, 7u);
  EXPECT_EQ(e.value.duration_sum_ns, 123456789u);
  EXPECT_EQ(e.value.duration_buckets[HG_DURATION_BUCKETS - 1], 5u);
  EXPECT_EQ(e.value.request_body_buckets[0], 6u);
  EXPECT_EQ(e.value.response_body_sum, 9000u);
  EXPECT_EQ(e.value.response_body_buckets[HG_SIZE_BUCKETS - 1], 1u);
  EXPECT_STREQ(e.service_name, "shop");
  // The largest message fits a packet Decode accepts.
  EXPECT_LE(kp.size(), MaxPacketBytes());
}

TEST(Codec, RejectsKernelSeriesOutOfBounds) {
  KernelSeriesMsg k{};
  k.count = KernelSeriesMsg::kMaxEntries + 1;
  EXPECT_NE(ErrorOf(Encode(k)).find("kernel series message: 17 entries"), std::string::npos)
      << ErrorOf(Encode(k));
  // A name without its NUL, in an entry that counts; the same bytes past the count are unused.
  k.count = 2;
  std::memset(k.entries[1].service_name, 'a', sizeof(k.entries[1].service_name));
  EXPECT_NE(ErrorOf(Encode(k)).find("terminating NUL"), std::string::npos) << ErrorOf(Encode(k));
  k.count = 1;
  EXPECT_EQ(ErrorOf(Encode(k)), "");
  CountersMsg c{};
  c.kernel_series_msgs = kMaxKernelSeriesMsgs + 1;
  EXPECT_NE(ErrorOf(Encode(c)).find("kernel series messages to follow"), std::string::npos)
      << ErrorOf(Encode(c));
  c.kernel_series_msgs = kMaxKernelSeriesMsgs;
  EXPECT_EQ(ErrorOf(Encode(c)), "");
}

TEST(Codec, CutsLongStringsAndKeepsTheNul) {
  WatchingMsg w{};
  CopyString(w.service_name, std::string(1000, 'x'));
  EXPECT_EQ(std::string(w.service_name).size(), sizeof(w.service_name) - 1);
}

TEST(Codec, RejectsAShortPacket) {
  std::vector<uint8_t> p(3, 0);
  EXPECT_NE(ErrorOf(p).find("shorter than a header"), std::string::npos) << ErrorOf(p);
  auto full = Encode(GoneMsg{5});
  full.pop_back();  // one byte missing from the payload
  EXPECT_NE(ErrorOf(full).find("header says"), std::string::npos) << ErrorOf(full);
}

TEST(Codec, RejectsAPayloadOfTheWrongSizeForItsType) {
  // A stop message's header on a gone message's payload: lengths agree, type does not fit.
  auto p = Encode(CountersRequestMsg{1});
  Header h{static_cast<uint32_t>(MsgType::kWatching), sizeof(CountersRequestMsg)};
  std::memcpy(p.data(), &h, sizeof(h));
  EXPECT_NE(ErrorOf(p).find("malformed watching message"), std::string::npos) << ErrorOf(p);
}

TEST(Codec, RejectsAnUnknownType) {
  auto p = Encode(GoneMsg{5});
  uint32_t t = 77;
  std::memcpy(p.data(), &t, sizeof(t));
  EXPECT_NE(ErrorOf(p).find("unknown type 77"), std::string::npos) << ErrorOf(p);
}

TEST(Codec, RejectsAStringWithoutItsNul) {
  WatchingMsg w{};
  std::memset(w.service_name, 'a', sizeof(w.service_name));
  EXPECT_NE(ErrorOf(Encode(w)).find("terminating NUL"), std::string::npos);
}

TEST(Codec, RejectsCountsAndEnumsOutOfRange) {
  ConnLossesMsg l{};
  l.count = ConnLossesMsg::kMaxEntries + 1;
  EXPECT_NE(ErrorOf(Encode(l)).find("entries"), std::string::npos);
  CountersMsg c{};
  c.tls_unsupported_count = CountersMsg::kMaxTlsLibraries + 1;
  EXPECT_NE(ErrorOf(Encode(c)).find("TLS libraries"), std::string::npos);
  SetCapturePolicyMsg s{};
  s.mode = 9;
  EXPECT_NE(ErrorOf(Encode(s)).find("mode 9"), std::string::npos);
  s.mode = HG_CAPTURE_FULL;
  s.tls = 2;
  EXPECT_NE(ErrorOf(Encode(s)).find("tls 2"), std::string::npos);
  s.tls = 1;
  EXPECT_EQ(ErrorOf(Encode(s)), "");
}

TEST(Channel, CarriesMessagesAndReportsMalformedOnesAndClose) {
  auto pair = MakeSocketPair();
  ASSERT_TRUE(pair);
  Channel a(pair->first), b(pair->second);
  ASSERT_TRUE(a.Send(GoneMsg{31}));
  auto r = b.Receive();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(std::get<GoneMsg>(std::get<Message>(r.value())).pid, 31u);

  std::vector<uint8_t> huge(MaxPacketBytes() + 100, 0);
  ASSERT_EQ(send(a.fd(), huge.data(), huge.size(), 0), static_cast<ssize_t>(huge.size()));
  auto bad = b.Receive();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("longer than any message"), std::string::npos);

  ASSERT_EQ(send(a.fd(), "xy", 2, 0), 2);
  auto shorter = b.Receive();
  ASSERT_FALSE(shorter);
  EXPECT_NE(shorter.error().message.find("shorter than a header"), std::string::npos);

  a = Channel();  // closes
  auto closed = b.Receive();
  ASSERT_TRUE(closed);
  EXPECT_TRUE(std::holds_alternative<Closed>(closed.value()));
}

// A peer that exits with our packets unread resets the connection (ECONNRESET on SEQPACKET):
// that is the peer gone, as a clean close is; seen when a signal to the process group made the
// parsing process exit before it read the privileged process's last messages.
TEST(Channel, APeerClosedWithUnreadPacketsIsClosedNotAnError) {
  auto pair = MakeSocketPair();
  ASSERT_TRUE(pair) << pair.error().message;
  Channel a(pair->first), b(pair->second);
  ASSERT_TRUE(a.Send(GoneMsg{7}));
  b = Channel();  // closes with GoneMsg unread
  auto got = a.Receive();
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(std::holds_alternative<Closed>(got.value()));
}

TEST(CapSets, ParsesTheFourSets) {
  auto c = ParseCapSets("Name:\thugin\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
                        "CapEff:\t0000000000000004\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->prm, 0x1ffffffffffull);
  EXPECT_EQ(c->eff, 4u);
  EXPECT_EQ(c->inh, 0u);
  EXPECT_FALSE(ParseCapSets("CapEff:\t0\n"));
  auto bad = ParseCapSets("CapInh:\tzz\nCapPrm:\t0\nCapEff:\t0\nCapAmb:\t0\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "cannot read CapInh in /proc/self/status");
}

TEST(LookUpUser, RefusesAMissingUserAndRoot) {
  auto missing = LookUpUser("hugin-no-such-user");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);
  auto root = LookUpUser("root");
  ASSERT_FALSE(root);
  EXPECT_NE(root.error().message.find("is root"), std::string::npos);
  auto nobody = LookUpUser("nobody");
  ASSERT_TRUE(nobody) << nobody.error().message;
  EXPECT_NE(nobody->uid, 0u);
}

}  // namespace
}  // namespace hugin::privsep
