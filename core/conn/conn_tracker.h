// The connection tracker: routes ring buffer records to per-connection state,
// decides which direction carries requests (the role), feeds the protocol
// stitcher, and turns its records into spans.
//
// Connection states (per (tgid, fd), a new generation replaces the old one):
//
//   state       | entered on                         | data handling
//   ------------+------------------------------------+------------------------------------
//   server      | OPEN from accept()                 | ingress = requests, egress = responses
//   client      | OPEN from connect()                | egress = requests, ingress = responses
//   unknown     | OPEN from first data (predates the | each chunk is tested for a message start;
//               | agent), or DATA without an OPEN    | the first that looks like HTTP fixes the
//               |                                    | role; chunks before it are counted, dropped
//   closed      | CLOSE, process gone                | stitcher flushed (close-delimited bodies), forgotten
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/events/event.h"
#include "core/protocols/http1/stitcher.h"
#include "core/span/loss.h"
#include "core/span/span.h"

namespace hugin {

struct TrackerStats {
  uint64_t records = 0;            // ring buffer records handled
  uint64_t decode_errors = 0;      // records that failed validation
  uint64_t spans = 0;
  uint64_t parse_errors = 0;       // from the protocol stitchers
  uint64_t stream_gaps = 0;        // lost or hidden bytes noticed in a stream
  uint64_t unmatched_requests = 0; // requests whose response was never seen
  uint64_t unclassified_chunks = 0;// data on a connection whose protocol was not recognised
  uint64_t open_conns = 0;
};

class ConnTracker {
 public:
  using SpanSink = std::function<void(Span&&)>;
  // Asked once per connection, at its first span; the name is kept for the connection's life.
  using ServiceNameOf = std::function<std::string(uint32_t pid)>;
  // Called once per forward jump of a connection's stream position. The kernel counts
  // positions from 0 for every generation, so a first record past 0 is a gap too.
  using GapSink = std::function<void(const StreamGap&)>;
  // Called for each request that ends without an answer it could be paired with.
  using UnpairedSink = std::function<void(const UnpairedRequest&)>;
  struct LossSinks {
    GapSink gap;
    UnpairedSink unpaired;
  };

  // mono_to_wall_ns: CLOCK_REALTIME - CLOCK_MONOTONIC, to stamp wall_start_ns.
  ConnTracker(SpanSink sink, ServiceNameOf service_name, int64_t mono_to_wall_ns,
              LossSinks loss_sinks = {});
  ~ConnTracker();

  // Decodes one ring buffer record and dispatches it.
  void OnRecord(const void* data, size_t size);
  void OnOpen(const events::OpenEvent& e);
  void OnData(const events::DataEvent& e);
  void OnClose(const events::CloseEvent& e);
  // The process is gone: flush and forget its connections.
  void ForgetProcess(uint32_t tgid);

  // O(1): the totals are kept up to date as records are handled (the agent reads them every
  // poll loop).
  TrackerStats stats() const;

 private:
  struct Conn;
  Conn& Reset(const events::Common& c, uint8_t role);
  // Follows the stream position of e's direction; reports a jump to the gap sink.
  void TrackPosition(Conn& conn, const events::DataEvent& e);
  void Emit(Conn& conn);
  // request_stream_end: the kernel's byte count of the request direction at close, if known.
  void Finish(Conn& conn, uint64_t ts_ns, std::optional<uint64_t> request_stream_end = {});
  void Account(Conn& conn);

  SpanSink sink_;
  LossSinks loss_sinks_;
  ServiceNameOf service_name_;
  int64_t mono_to_wall_ns_;
  std::unordered_map<uint64_t, std::unique_ptr<Conn>> conns_;
  std::vector<http1::Record> records_;  // Emit's scratch, reused: no allocation per record
  TrackerStats totals_;  // everything counted so far; open_conns is filled in by stats()
};

}  // namespace hugin
