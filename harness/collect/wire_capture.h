// Loopback packet capture for the wire oracle: dumpcap (Debian's wireshark-common, installed
// with tshark) on the fixture's port only, around a fixed-rate run's load, plus the
// CLOCK_REALTIME - CLOCK_MONOTONIC readings that map pcap time to span time.
#pragma once

#include <string>
#include <vector>

#include "harness/model/wire.h"
#include "harness/util/process.h"

namespace hugin::harness {

struct CaptureOptions {
  std::string interface = "lo";
  int snaplen = 512;      // bytes per packet: HTTP heads fit (bodies are not needed)
  int buffer_mib = 64;    // kernel ring; dumpcap's default 2 MiB drops at ~30k packets/s
};

// dumpcap -q -i lo -f "tcp port N" -s 512 -B 64 -w PCAP (pcapng, nanosecond timestamps).
std::vector<std::string> DumpcapCommand(int port, const std::string& pcap_path,
                                        const CaptureOptions& options = {});

// Reads dumpcap's closing statistics from its stderr:
//   Packets captured: 70064
//   Packets received/dropped on interface 'Loopback: lo': 70064/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)
// Fills packets, received, dropped, interface_dropped; false (and `error`) when absent.
bool ParseDumpcapStats(const std::string& text, CaptureStats& out, std::string& error);

// CLOCK_REALTIME read between two CLOCK_MONOTONIC reads, `samples` times; the tightest pair.
ClockPair SampleClocks(int samples = 32);

// One capture: Start() before the load, Stop() after it.
class WireCapture {
 public:
  // Starts dumpcap writing `pcap_path` (its stderr beside it, `.err`), waits until it captures
  // (its "File:" line, printed once the interface is open and filtered).
  // Never throws: a capture that cannot start is reported in Stop()'s CaptureStats.error.
  static WireCapture Start(int port, const std::string& pcap_path,
                           const CaptureOptions& options = {});
  // Waits for the kernel ring to be read out (dumpcap hands packets over in blocks every
  // 250 ms; a SIGTERM before that loses them without counting them as drops), stops dumpcap
  // and reads its statistics and the closing clock pair.
  CaptureStats Stop();
  const std::string& pcap_path() const { return pcap_path_; }

 private:
  ChildProcess process_;
  std::string pcap_path_;
  CaptureStats stats_;
};

}  // namespace hugin::harness
