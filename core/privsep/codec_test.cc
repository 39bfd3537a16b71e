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
