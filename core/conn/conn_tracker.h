// The connection tracker: routes ring buffer records to per-connection state, finds each
// connection's protocol through the registry (core/protocols/registry.h), feeds that
// protocol's parser, and turns the exchanges it returns into spans. It knows no protocol.
//
// Connection states (per (tgid, fd), a new generation replaces the old one):
//
//   state       | entered on                         | data handling
//   ------------+------------------------------------+------------------------------------------
//   detecting   | OPEN (accept: server, connect:     | each chunk goes to every protocol's
//               | client), or first DATA of a        | inference; "maybe" chunks are held (at
//               | connection that predates the agent | most kMaxHeldBytes) and judged again with
//               | (role unknown)                     | the next; a "yes" picks the protocol (and,
//               |                                    | role unknown, the role from who sent it)
//   parsing     | a protocol said yes                | held chunks, then every chunk, go to the
//               |                                    | protocol's parser; exchanges become spans
//   capture off | role known and every protocol said | data ignored; the kernel is asked to stop
//               | no to the first bytes (position 0) | sending it (enum hg_capture_mode)
//   closed      | CLOSE, process gone                | parser closed and drained, forgotten
//
// A connection first seen mid-stream is never switched off: its first bytes may be the
// middle of a body; chunks no protocol recognises are counted (unclassified_chunks).
//
// TLS: the kernel marks the first call it sees carrying TLS records (DataEvent::ciphertext)
// and then sends no more of the connection's syscalls; the TLS library's uprobes send its
// plaintext (DataEvent::tls) with positions of their own. The first of either turns the
// connection into a TLS one: detection starts over on the plaintext stream, and the states
// above apply to it. A TLS connection that closes without any plaintext (a TLS library Hugin
// cannot see into) is counted (tls_conns_without_plaintext).
//
// Memory is bounded (TrackerLimits): past max_connections the least recently active connection
// is evicted (finished as if closed; should it send again it restarts as joined mid-stream:
// no position gap, no span built on the forgotten state); past max_pending_pairings requests
// held across all connections, the least recently active connection holding one gives its
// oldest up (reported unanswered). Per-connection bounds are the parsers' (ParserLimits). Each
// eviction is counted (TrackerStats::evictions).
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/events/event.h"
#include "core/protocols/common/parser.h"
#include "core/span/loss.h"
#include "core/span/span.h"

namespace hugin {

struct TrackerLimits {
  size_t max_connections = 16384;       // tracked at once; the least recently active is evicted
  size_t max_pending_pairings = 32768;  // requests held for pairing across all connections
  protocols::ParserLimits parser;       // per connection, enforced by each protocol's parser
};

// Memory-bound evictions, by what was given up.
struct EvictionCounts {
  uint64_t connections = 0;         // connections forgotten at TrackerLimits::max_connections
  uint64_t in_flight_requests = 0;  // requests given up at ParserLimits::max_in_flight
  uint64_t header_bytes = 0;        // heads dropped at ParserLimits::max_header_bytes
  uint64_t pending_pairings = 0;    // requests given up at TrackerLimits::max_pending_pairings
};

struct TrackerStats {
  uint64_t records = 0;            // ring buffer records handled
  uint64_t decode_errors = 0;      // records that failed validation
  uint64_t stale_records = 0;      // records of a connection a newer one on its fd replaced
  uint64_t spans = 0;
  uint64_t parse_errors = 0;       // from the protocol stitchers
  uint64_t stream_gaps = 0;        // lost or hidden bytes noticed in a stream
  uint64_t unmatched_requests = 0; // requests whose response was never seen
  uint64_t unclassified_chunks = 0;// data on a connection whose protocol was not recognised
  uint64_t capture_off_conns = 0;  // connections whose first bytes were no known protocol:
                                   // the kernel was told to stop capturing them
  uint64_t unreported_exchanges = 0;  // seen by a parser, not reported (see ParserStats)
  uint64_t held_chunks_dropped = 0;// "maybe" chunks given up (over kMaxHeldBytes, or judged no)
  uint64_t tls_conns = 0;          // connections seen carrying TLS
  uint64_t tls_conns_without_plaintext = 0;  // ... that ended with no plaintext seen
  uint64_t open_conns = 0;
  uint64_t pending_pairings = 0;   // requests held for pairing now (gauge)
  EvictionCounts evictions;
};

class ConnTracker {
 public:
  using SpanSink = std::function<void(Span&&)>;
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
  // poll loop): each parser's counters are added as deltas after each call into it (Account),
  // the pending gauge as each connection's count changes (UpdatePending).
  TrackerStats stats() const;
  // O(connections), for tests: stats() with every parser-sourced counter and gauge recounted
  // from scratch (the final counts of the parsers already dropped, plus every live parser's
  // current ones, its pending requests, the connections in the map). Equal to stats() whenever
  // the incremental bookkeeping is right.
  TrackerStats RecountStats() const;

  // Asks the kernel to capture a connection differently (core/loader SetCapturePolicy).
  // `tls`: the decision is about the connection's TLS plaintext (hg_conn_policy.tls).
  using CapturePolicySink =
      std::function<void(const events::ConnId&, hg_capture_mode, bool tls)>;
  void SetCapturePolicySink(CapturePolicySink sink) { policy_sink_ = std::move(sink); }
  // The protocols inference tries, in order; protocols::Registry() unless a test says otherwise.
  void SetProtocols(std::span<const protocols::ProtocolTraits* const> p) { protocols_ = p; }
  // Applies to connections tracked from now on (call before the first record).
  void SetLimits(const TrackerLimits& limits) { limits_ = limits; }

 private:
  struct Conn;
  using ConnMap = std::unordered_map<uint64_t, std::unique_ptr<Conn>>;
  // `restart`: the connection was evicted earlier; it is tracked again as joined mid-stream.
  Conn& Reset(const events::Common& c, uint8_t role, bool restart = false);
  // Drops the connection from the map and the activity list (Finish it first).
  ConnMap::iterator Forget(ConnMap::iterator it);
  void Touch(Conn& conn);  // most recently active
  void EvictLeastRecentlyActive(const Conn& keep, uint64_t ts_ns);
  // Re-reads the parser's pending count; gives pairings up while the total is over its bound.
  void UpdatePending(Conn& conn);
  void EnforcePendingBound();
  // Evicted connections, remembered by fingerprint in a fixed table (a forgotten one only
  // costs a gap report when it comes back).
  void RememberEvicted(const events::ConnId& id);
  bool WasEvicted(const events::ConnId& id) const;
  // Follows the stream position of e's direction; reports a jump to the gap sink.
  void TrackPosition(Conn& conn, const events::DataEvent& e);
  void Emit(Conn& conn);
  // client_stream_end: the kernel's byte count of the client's direction at close, if known.
  void Finish(Conn& conn, uint64_t ts_ns, std::optional<uint64_t> client_stream_end = {});
  // Adds what the connection's parser counted since the last call to the totals.
  void Account(Conn& conn);
  // The connection's parser is about to be dropped: its final counts go to retired_ (only
  // RecountStats reads them) and the connection's counted_* start again from 0.
  void RetireParser(Conn& conn);
  // Runs protocol inference on a chunk of a connection without a parser; true once the
  // connection has one (held chunks already fed to it).
  bool Detect(Conn& conn, const events::DataEvent& e);
  void Feed(Conn& conn, uint8_t dir, const protocols::Chunk& chunk);
  void SwitchOff(Conn& conn);
  // The connection carries TLS: what was parsed of its raw bytes is dropped, and its
  // plaintext stream is detected and parsed from now on.
  void BecomeTls(Conn& conn);

  SpanSink sink_;
  LossSinks loss_sinks_;
  CapturePolicySink policy_sink_;
  ServiceNameOf service_name_;
  int64_t mono_to_wall_ns_;
  std::span<const protocols::ProtocolTraits* const> protocols_;
  TrackerLimits limits_;
  ConnMap conns_;
  std::list<Conn*> by_activity_;  // least recently active first
  std::vector<uint64_t> evicted_;  // fingerprints of evicted connections (RememberEvicted)
  uint64_t pending_total_ = 0;
  std::vector<protocols::Exchange> exchanges_;  // reused by Emit
  TrackerStats totals_;  // everything counted so far; open_conns is filled in by stats()
  protocols::ParserStats retired_;  // summed final counts of dropped parsers (RecountStats)
};

}  // namespace hugin
