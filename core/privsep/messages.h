// What the privileged process (BPF, discovery, uprobes) and the parsing process (ring buffer,
// tracker, exporters) say to each other over a SOCK_SEQPACKET socketpair: one message per
// packet, a header then one fixed-size payload struct. Plain structs of integers and
// NUL-terminated char arrays, so a packet is copied, never interpreted in place, and checked
// whole by Decode (codec.h) before use. Both ends are the same binary, so no versioning.
#pragma once

#include <cstdint>

#include "core/loader/loader.h"

namespace hugin::privsep {

enum class MsgType : uint32_t {
  // parsing -> privileged
  kReady = 1,          // bound /metrics, privileges dropped, reading the ring
  kSetCapturePolicy,   // the tracker's capture decision for one connection
  kCountersRequest,    // a /metrics scrape needs the kernel's counters (scrape socket)
  // privileged -> parsing
  kWatching,           // discovery selected a process
  kGone,               // a watched process is gone
  kCounters,           // reply to kCountersRequest
  kKernelSeries,       // the rest of that reply: CountersMsg says how many follow it
  kConnLosses,         // entries drained from map conn_losses
  kStop,               // drain the ring, flush, exit 0
};

struct Header {
  uint32_t type;  // MsgType
  uint32_t payload_bytes;
};

struct ReadyMsg {
  static constexpr MsgType kType = MsgType::kReady;
  uint32_t prometheus_port;  // the bound port (0: no endpoint)
  uint32_t pad = 0;
};

struct SetCapturePolicyMsg {
  static constexpr MsgType kType = MsgType::kSetCapturePolicy;
  hg_conn_id conn;
  uint32_t mode;  // enum hg_capture_mode
  uint32_t tls;   // 0 or 1
};

struct CountersRequestMsg {
  static constexpr MsgType kType = MsgType::kCountersRequest;
  uint64_t seq;  // echoed in the reply
};

struct WatchingMsg {
  static constexpr MsgType kType = MsgType::kWatching;
  uint32_t pid;
  uint32_t pad = 0;
  char service_name[256];  // NUL-terminated
};

struct GoneMsg {
  static constexpr MsgType kType = MsgType::kGone;
  uint32_t pid;
  uint32_t pad = 0;
};

struct CountersMsg {
  static constexpr MsgType kType = MsgType::kCounters;
  static constexpr uint32_t kMaxTlsLibraries = 8;
  uint64_t seq;
  uint64_t kernel[HG_CNT__MAX];  // indexed by enum hg_counter
  // Tallies the privileged process keeps.
  uint64_t watched_pids;
  uint64_t capture_policy_map_full;
  uint32_t tls_unsupported_count;  // <= kMaxTlsLibraries
  // KernelSeriesMsg packets sent right after this one (on the same socket, same seq), <=
  // kMaxKernelSeriesMsgs. The reply is several packets because a packet has one fixed size.
  uint32_t kernel_series_msgs;
  struct TlsUnsupported {
    char library[32];  // NUL-terminated ("rustls")
    uint64_t processes;
  } tls_unsupported[kMaxTlsLibraries];
};

// Part of a scrape reply: entries of map kernel_series (HTTP/1 series aggregated in the kernel),
// each with its service name, resolved here because the process may be gone by now (its series
// stay in the map) and the parsing process forgets a pid's name when it is gone.
struct KernelSeriesMsg {
  static constexpr MsgType kType = MsgType::kKernelSeries;
  static constexpr uint32_t kMaxEntries = 16;
  uint64_t seq;    // the request's, as in CountersMsg
  uint32_t count;  // <= kMaxEntries
  uint32_t pad = 0;
  struct Entry {
    hg_kernel_series_key key;
    hg_kernel_series value;  // summed over the CPUs
    char service_name[256];  // NUL-terminated
  } entries[kMaxEntries];
};

// Enough packets for 16 times the 4096 entries map kernel_series holds (maps.bpf.h), so the
// map can grow without the reply being cut; a bound the parsing process checks.
inline constexpr uint32_t kMaxKernelSeriesMsgs = 65536 / KernelSeriesMsg::kMaxEntries;

struct ConnLossesMsg {
  static constexpr MsgType kType = MsgType::kConnLosses;
  static constexpr uint32_t kMaxEntries = 32;  // a drain with more is sent in several messages
  uint32_t count;                              // <= kMaxEntries
  uint32_t pad = 0;
  ConnLossEntry entries[kMaxEntries];
};

struct StopMsg {
  static constexpr MsgType kType = MsgType::kStop;
  uint64_t pad = 0;
};

}  // namespace hugin::privsep
