// Decodes ONE HTTP/2 connection (both directions) into one Exchange per stream.
//
// Bytes come in per direction as chunks (captured prefixes of syscalls with stream positions);
// which end sent them is given by the caller (see detect.h to find out). Frames are reassembled
// per direction (frame_reader.h), header blocks decoded per direction (hpack.h), and streams
// followed from their first frame until both END_STREAMs, a RST_STREAM, a GOAWAY that excludes
// them, or the close. Lost bytes never produce wrong fields: what cannot be decoded is reported
// as unknown (Exchange's *_fields_unknown, incomplete).
//
// Memory is bounded by Options: non-DATA frame payloads and header blocks are buffered up to
// their limits (larger ones are counted and treated as lost), DATA is never buffered, open
// streams are capped (the oldest is handed out as evicted), and the tolerant HPACK table keeps
// a bounded number of entries.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/protocols/http2/frame_reader.h"
#include "core/protocols/http2/hpack.h"
#include "core/protocols/http2/stream.h"
#include "core/protocols/http2/types.h"

namespace hugin::http2 {

class Connection : private FrameSink {
 public:
  explicit Connection(const Options& options = Options());
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void OnData(Sender from, const Chunk& chunk);
  // `lost_bytes` of `from`'s stream, right after the last byte seen, will never be seen.
  void OnGap(Sender from, uint64_t lost_bytes);
  // The connection ended: every open stream is handed out (incomplete unless it had ended).
  void OnClose(uint64_t ts_ns);
  // Exchanges completed since the last call, in completion order; appended to `out`.
  void TakeExchanges(std::vector<Exchange>& out);

  const Stats& stats() const { return stats_; }
  size_t open_streams() const { return streams_.size(); }
  // Hands out the oldest open stream as evicted (see Options::max_streams); false when none is
  // open. Not counted in Stats::stream_evictions: the caller counts why it asked.
  bool EvictOldestStream();
  // Whether a direction decodes tolerantly (late attach or lost header-block bytes).
  bool hpack_tolerant(Sender from) const { return dir(from).hpack.tolerant(); }
  bool in_sync(Sender from) const { return dir(from).reader.in_sync(); }

 private:
  // The header block being received in one direction (HEADERS/PUSH_PROMISE + CONTINUATIONs;
  // no other frame may come in between, so one per direction).
  struct OpenBlock {
    bool open = false;
    uint8_t type = 0;
    uint32_t stream_id = 0;
    bool end_stream = false;
    bool lost = false;  // bytes missing or over the bound: the block cannot be decoded
    FrameTimes times;
    std::string bytes;
  };
  struct Direction {
    Direction(Sender from, const Options& o, FrameSink* sink, Stats* stats)
        : reader(from, o, sink, stats), hpack(true, o, stats) {}
    FrameReader reader;
    HeaderDecoder hpack;
    OpenBlock block;
    bool seen = false;
    uint32_t data_stream_id = 0;  // stream of the DATA frame in progress (0: ignored)
  };

  // FrameSink.
  void OnFrame(Sender from, const FrameHeader& h, std::string_view payload, bool payload_lost,
               const FrameTimes& t) override;
  void OnDataBegin(Sender from, const FrameHeader& h, const FrameTimes& t) override;
  void OnDataBytes(Sender from, const FrameHeader& h, std::string_view bytes) override;
  void OnDataLost(Sender from, const FrameHeader& h, uint64_t n) override;
  void OnDataEnd(Sender from, const FrameHeader& h, uint64_t data_bytes, uint64_t end_ns) override;
  void OnDesync(Sender from) override;

  void OnHeaderFragment(Sender from, const FrameHeader& h, std::string_view payload,
                        bool payload_lost, const FrameTimes& t);
  void FinishBlock(Sender from);
  void OnSettings(Sender from, std::string_view payload);
  void OnRstStream(Sender from, uint32_t stream_id, uint32_t code);
  void OnGoaway(Sender from, uint32_t last_stream_id);

  StreamState* Find(uint32_t id);
  // The stream a HEADERS or DATA frame belongs to; created when new. Null for streams already
  // closed and server-initiated (pushed) streams.
  StreamState* GetOrCreate(uint32_t id);
  void Emit(uint32_t id);
  void MaybeComplete(uint32_t id);

  Direction& dir(Sender s) { return s == Sender::kClient ? client_ : server_; }
  const Direction& dir(Sender s) const { return s == Sender::kClient ? client_ : server_; }

  const Options options_;
  Stats stats_;
  Direction client_, server_;
  std::map<uint32_t, StreamState> streams_;
  uint32_t max_created_id_ = 0;
  uint64_t seq_ = 0;
  std::vector<uint32_t> recently_closed_;  // ring of ids, so late frames do not revive them
  size_t closed_next_ = 0;
  bool closed_ = false;
  std::vector<Exchange> done_;
};

}  // namespace hugin::http2
