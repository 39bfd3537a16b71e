#include "harness/collect/wire_capture.h"

#include <time.h>

#include <regex>
#include <thread>

#include "harness/collect/measure.h"

namespace hugin::harness {
namespace {

int64_t Now(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

std::vector<std::string> DumpcapCommand(int port, const std::string& pcap_path,
                                        const CaptureOptions& o) {
  return {"dumpcap", "-q", "-i", o.interface, "-f", "tcp port " + std::to_string(port),
          "-s", std::to_string(o.snaplen), "-B", std::to_string(o.buffer_mib), "-w", pcap_path};
}

bool ParseDumpcapStats(const std::string& text, CaptureStats& out, std::string& error) {
  static const std::regex captured(R"(Packets captured: (\d+))");
  static const std::regex interface(
      R"(Packets received/dropped on interface '[^\n]*': (\d+)/(\d+) \(pcap:(\d+)/dumpcap:(\d+)/flushed:(\d+)/ps_ifdrop:(\d+)\))");
  std::smatch m;
  if (!std::regex_search(text, m, interface)) {
    error = "no 'Packets received/dropped' line in dumpcap's output";
    return false;
  }
  out.received = std::stoull(m[1]);
  out.dropped = std::stoull(m[2]);
  out.interface_dropped = std::stoull(m[6]);
  // "dropped" is pcap + dumpcap + flushed; take the larger in case a version sums differently.
  out.dropped = std::max<uint64_t>(out.dropped, std::stoull(m[3]) + std::stoull(m[4]) + std::stoull(m[5]));
  out.packets = std::regex_search(text, m, captured) ? std::stoull(m[1]) : out.received;
  return true;
}

ClockPair SampleClocks(int samples) {
  ClockPair best;
  best.window_ns = INT64_MAX;
  for (int i = 0; i < samples; ++i) {
    const int64_t m0 = Now(CLOCK_MONOTONIC);
    const int64_t r = Now(CLOCK_REALTIME);
    const int64_t m1 = Now(CLOCK_MONOTONIC);
    if (m1 - m0 < best.window_ns) {
      best.window_ns = m1 - m0;
      best.monotonic_ns = m0 + (m1 - m0) / 2;
      best.realtime_ns = r;
    }
  }
  return best;
}

WireCapture WireCapture::Start(int port, const std::string& pcap_path,
                               const CaptureOptions& options) {
  WireCapture c;
  c.pcap_path_ = pcap_path;
  c.stats_.ran = true;
  try {
    c.process_ = ChildProcess::Start(DumpcapCommand(port, pcap_path, options), pcap_path + ".out",
                                     pcap_path + ".err");
    // Not "Capturing on": dumpcap prints that before it opens the interface (a SYN sent right
    // after it was missing in 8 of 20 tries); "File:" follows the open and the filter (0 of 20).
    if (!c.process_.WaitForText(pcap_path + ".err", "File: ", std::chrono::seconds(10)))
      c.stats_.error = "dumpcap did not start capturing: " + ReadWholeFile(pcap_path + ".err");
  } catch (const std::exception& e) {
    c.stats_.error = std::string(e.what()) + " (install tshark: .ci/setup)";
  }
  c.stats_.clock_start = SampleClocks();
  return c;
}

CaptureStats WireCapture::Stop() {
  if (process_.pid() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    stats_.cpu_us = static_cast<double>(TreeCpuMicros(process_.pid()));
    const int code = process_.Stop(std::chrono::seconds(10));
    stats_.clock_end = SampleClocks();
    std::string error;
    if (!ParseDumpcapStats(ReadWholeFile(pcap_path_ + ".err"), stats_, error) && stats_.error.empty())
      stats_.error = error + " (exit " + std::to_string(code) + ")";
  } else {
    stats_.clock_end = SampleClocks();
  }
  return stats_;
}

}  // namespace hugin::harness
