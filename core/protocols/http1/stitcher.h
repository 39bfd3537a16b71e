// Stitches the two byte streams of ONE HTTP/1.x connection (requests one way, responses the
// other) into request/response records.
//
// Pairing is FIFO (HTTP/1.x answers in order, pipelined or not). When events are lost the
// stitcher cannot count how many messages went with them, so it uses timestamps instead of
// guessing: after lost requests a response pairs with the next known request only if it started
// after that request started; after lost responses a response pairs with the newest request that
// started before it, and the older ones are closed with status 0. A response that fits no request
// is counted in Stats::unmatched_responses, never paired wrongly. A pairing made by time is held
// back (not returned by TakeRecords) until the next request shows that no request was lost in
// between, or the close shows every request byte was seen; if a gap shows instead, or the
// connection closes with request bytes unseen, the record is given with status 0 and the
// response is counted unmatched. Without losses records come out as soon as both
// messages are complete.
//
// Assumes a client that waits for each response before the next request when losses occur (all
// common clients); pipelined traffic is paired exactly as long as nothing is lost.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/protocols/http1/types.h"

namespace hugin::http1 {

class Stitcher {
 public:
  Stitcher();
  explicit Stitcher(const Options& options);
  ~Stitcher();
  Stitcher(Stitcher&&) noexcept;
  Stitcher& operator=(Stitcher&&) noexcept;

  void AddRequestData(const DataChunk& c);
  void AddResponseData(const DataChunk& c);
  // Connection closed: completes a close-delimited response; pending requests become records
  // with status 0; partial messages are dropped. Data added afterwards is ignored. No time is
  // taken: end times are those of the chunk holding a message's last byte.
  // `request_stream_end`, when known (the kernel's byte count at close), lets a pairing made by
  // time stand: if every request byte up to it was seen, no request was lost after the pairing.
  void Close(std::optional<uint64_t> request_stream_end = std::nullopt);
  // Completed records, in request order; removes them.
  std::vector<Record> TakeRecords();
  // The same into *out (emptied first). The two vectors trade buffers, so a caller that reuses
  // *out allocates nothing per record.
  void TakeRecords(std::vector<Record>* out);
  const Stats& stats() const;
  // Requests parsed but not yet handed out by TakeRecords (for memory bounds).
  size_t pending_requests() const;
  // Gives up the oldest request still awaiting its response (a record with status 0; a
  // response that comes later is paired by time, never FIFO). False when none awaits one.
  bool DropOldestAwaiting();

  // For role inference: a known method, a target and (when visible) " HTTP/1.x".
  static bool LooksLikeRequest(std::string_view first_bytes);
  // "HTTP/1.x NNN".
  static bool LooksLikeResponse(std::string_view first_bytes);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hugin::http1
