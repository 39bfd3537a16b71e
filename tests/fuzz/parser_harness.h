// Runs one fuzz input through a protocol's ConnectionParser exactly as the connection tracker
// drives it (OnData per chunk, TakeExchanges after each, OnClose, a last TakeExchanges), and
// checks what every parser promises on any input: counters never go back, and an exchange
// carries no time that was not given to it (a span with a made-up or negative duration).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/protocols/common/parser.h"
#include "tests/fuzz/chunk_script.h"
#include "tests/fuzz/fuzz_check.h"

namespace hugin::fuzz {

inline void CheckTime(uint64_t ns, const ChunkScript& script) {
  FUZZ_CHECK(ns == 0 || (ns >= ChunkScript::first_ns() && ns <= script.close_ns()));
}

inline void CheckExchanges(const std::vector<protocols::Exchange>& out, const ChunkScript& script) {
  for (const protocols::Exchange& x : out) {
    FUZZ_CHECK(x.protocol != nullptr && x.protocol[0] != '\0');
    FUZZ_CHECK(x.status >= 0 && x.status <= 999);
    for (uint64_t ns : {x.req_start_ns, x.req_arrival_ns, x.req_end_ns, x.resp_start_ns,
                        x.resp_end_ns}) {
      CheckTime(ns, script);
    }
    // What becomes a span's duration (ConnTracker::Emit): never negative.
    if (x.answered && x.req_start_ns != 0 && x.resp_end_ns != 0) {
      FUZZ_CHECK(x.req_start_ns <= x.resp_end_ns);
    }
  }
}

inline void CheckStatsMonotonic(const protocols::ParserStats& before,
                                const protocols::ParserStats& after) {
  FUZZ_CHECK(after.parse_errors >= before.parse_errors);
  FUZZ_CHECK(after.gaps >= before.gaps);
  FUZZ_CHECK(after.unreported >= before.unreported);
  FUZZ_CHECK(after.in_flight_evictions >= before.in_flight_evictions);
  FUZZ_CHECK(after.header_bytes_evictions >= before.header_bytes_evictions);
}

// Limits far below the defaults, so short inputs reach the eviction paths too (the oldest
// in-flight request given up, an over-long head dropped and resynced).
inline constexpr protocols::ParserLimits kFuzzLimits{/*max_in_flight=*/4,
                                                     /*max_header_bytes=*/1024};

// Returns every exchange the parser gave, for a target's own checks.
inline std::vector<protocols::Exchange> RunParser(const protocols::ProtocolTraits& traits,
                                                  const uint8_t* data, size_t size) {
  ChunkScript script(data, size);
  std::unique_ptr<protocols::ConnectionParser> parser =
      traits.make_parser(script.streams_start_at_zero(), kFuzzLimits);
  std::vector<protocols::Exchange> all, batch;
  protocols::ParserStats stats = parser->stats();
  auto take = [&] {
    batch.clear();
    parser->TakeExchanges(batch);
    CheckExchanges(batch, script);
    const protocols::ParserStats now = parser->stats();
    CheckStatsMonotonic(stats, now);
    stats = now;
    for (protocols::Exchange& x : batch) all.push_back(std::move(x));
  };
  protocols::Sender from;
  protocols::Chunk chunk;
  while (script.Next(&from, &chunk)) {
    parser->OnData(from, chunk);
    take();
  }
  std::optional<uint64_t> client_end;
  if (script.close_with_client_end()) client_end = script.client_stream_end();
  parser->OnClose(script.close_ns(), client_end);
  take();
  // Closed: nothing more comes out.
  batch.clear();
  parser->TakeExchanges(batch);
  FUZZ_CHECK(batch.empty());
  return all;
}

}  // namespace hugin::fuzz
