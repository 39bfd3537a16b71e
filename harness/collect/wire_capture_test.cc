#include "harness/collect/wire_capture.h"

#include <gtest/gtest.h>
#include <time.h>

#include <cstdlib>

namespace hugin::harness {

TEST(WireCapture, DumpcapCommandFiltersThePortAndKeepsHeads) {
  const auto cmd = DumpcapCommand(8080, "/tmp/x.pcapng");
  const std::vector<std::string> want{"dumpcap", "-q", "-i", "lo", "-f", "tcp port 8080", "-s",
                                      "512", "-B", "64", "-w", "/tmp/x.pcapng"};
  EXPECT_EQ(cmd, want);
}

TEST(WireCapture, DumpcapStatisticsWithoutDrops) {
  // dumpcap 4.0.17's stderr after SIGTERM, -q.
  const std::string text =
      "Capturing on 'Loopback: lo'\nFile: /tmp/wx/big.pcapng\nPackets captured: 70064\n"
      "Packets received/dropped on interface 'Loopback: lo': 70064/0 "
      "(pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)\n";
  CaptureStats s;
  s.ran = true;
  std::string error;
  ASSERT_TRUE(ParseDumpcapStats(text, s, error)) << error;
  EXPECT_EQ(s.packets, 70064u);
  EXPECT_EQ(s.received, 70064u);
  EXPECT_EQ(s.dropped, 0u);
  EXPECT_EQ(s.interface_dropped, 0u);
  EXPECT_TRUE(s.valid());
}

TEST(WireCapture, DroppedPacketsMakeTheCaptureInvalid) {
  const std::string text =
      "Packets captured: 900\nPackets received/dropped on interface 'Loopback: lo': 1000/100 "
      "(pcap:100/dumpcap:0/flushed:0/ps_ifdrop:3) (90.0%)\n";
  CaptureStats s;
  s.ran = true;
  std::string error;
  ASSERT_TRUE(ParseDumpcapStats(text, s, error)) << error;
  EXPECT_EQ(s.packets, 900u);
  EXPECT_EQ(s.dropped, 100u);
  EXPECT_EQ(s.interface_dropped, 3u);
  EXPECT_FALSE(s.valid());
}

TEST(WireCapture, MissingStatisticsAreAnError) {
  CaptureStats s;
  std::string error;
  EXPECT_FALSE(ParseDumpcapStats("Capturing on 'Loopback: lo'\n", s, error));
  EXPECT_NE(error.find("Packets received/dropped"), std::string::npos);
}

TEST(WireCapture, ClockPairIsTightAndMatchesTheClocks) {
  const ClockPair p = SampleClocks();
  EXPECT_GE(p.window_ns, 0);
  EXPECT_LT(p.window_ns, 1'000'000);  // a few hundred ns on this VM; 1 ms is a broken clock read
  timespec r{}, m{};
  clock_gettime(CLOCK_REALTIME, &r);
  clock_gettime(CLOCK_MONOTONIC, &m);
  const int64_t offset = (int64_t{r.tv_sec} - m.tv_sec) * 1'000'000'000 + (r.tv_nsec - m.tv_nsec);
  EXPECT_LT(std::llabs(offset - p.offset_ns()), 1'000'000);
}

}  // namespace hugin::harness
