#include "core/protocols/http2/frame_reader.h"

#include <algorithm>

namespace hugin::http2 {

FrameReader::FrameReader(Sender from, const Options& options, FrameSink* sink, Stats* stats)
    : from_(from),
      options_(options),
      sink_(sink),
      stats_(stats),
      max_frame_size_(options.streams_start_at_zero ? kDefaultMaxFrameSize : kMaxFrameSizeLimit) {}

void FrameReader::Add(const Chunk& c) {
  std::string_view data = c.data.substr(0, std::min<size_t>(c.data.size(), c.len));
  uint64_t len = c.len;
  bool at_call_start = true;
  if (!have_pos_) {
    have_pos_ = true;
    next_pos_ = c.pos;
    const bool preface = from_ == Sender::kClient && data.starts_with(kClientPreface);
    if ((c.pos == 0 && options_.streams_start_at_zero) || preface) {
      state_ = from_ == Sender::kClient ? State::kPreface : State::kHeader;
      started_at_boundary_ = true;
    } else {
      state_ = State::kOutOfSync;  // late attach: wait for a provable boundary (maybe this chunk)
    }
  }
  if (c.pos > next_pos_) {
    ++stats_->gaps;
    LoseInSync(c.pos - next_pos_, c.ts_ns, /*truncation=*/false);
    next_pos_ = c.pos;
  } else if (c.pos < next_pos_) {
    ++stats_->overlaps;
    uint64_t old = next_pos_ - c.pos;
    if (old >= len) return;
    data = old >= data.size() ? std::string_view() : data.substr(old);
    len -= old;
    at_call_start = false;
  }
  if (state_ == State::kOutOfSync) {
    if (at_call_start && ProvesBoundary(data, len)) {
      ++stats_->resyncs;
      state_ = State::kHeader;
      header_buf_.clear();
    } else {
      stats_->bytes_skipped += len;
      next_pos_ += len;
      return;
    }
  }
  Consume(c, data);
  next_pos_ += data.size();
  if (len > data.size()) {
    LoseInSync(len - data.size(), c.ts_ns, /*truncation=*/true);
    next_pos_ += len - data.size();
  }
}

void FrameReader::Lose(uint64_t n) {
  if (!have_pos_ || n == 0) return;
  ++stats_->gaps;
  LoseInSync(n, 0, /*truncation=*/false);
  next_pos_ += n;
}

void FrameReader::LoseInSync(uint64_t n, uint64_t ts_ns, bool truncation) {
  while (n > 0) {
    if (state_ != State::kPayload) {
      // A frame header (or the preface) is among the lost bytes: boundaries are gone.
      if (state_ != State::kOutOfSync) {
        if (truncation) ++stats_->gaps;  // a truncated capture hid a header
        Desync();
      }
      stats_->bytes_skipped += n;
      return;
    }
    uint64_t take = std::min(n, remaining_);
    if (header_.type == kData) {
      DataLost(take);
    } else if (!payload_lost_) {
      payload_lost_ = true;
      payload_.clear();
      if (truncation) ++stats_->gaps;
    }
    remaining_ -= take;
    n -= take;
    // The frame's last byte was not seen: the time of the chunk that revealed the loss stands
    // for it (0 when unknown).
    if (remaining_ == 0) FinishFrame(ts_ns);
  }
}

void FrameReader::Consume(const Chunk& c, std::string_view data) {
  size_t off = 0;
  while (off < data.size()) {
    std::string_view rest = data.substr(off);
    switch (state_) {
      case State::kStart:
      case State::kOutOfSync:
        stats_->bytes_skipped += rest.size();
        return;
      case State::kPreface: {
        size_t take = std::min(rest.size(), kClientPreface.size() - preface_matched_);
        if (rest.substr(0, take) != kClientPreface.substr(preface_matched_, take)) {
          ++stats_->frame_errors;
          Desync();
          stats_->bytes_skipped += rest.size();
          return;
        }
        preface_matched_ += take;
        off += take;
        if (preface_matched_ == kClientPreface.size()) {
          saw_preface_ = true;
          state_ = State::kHeader;
        }
        break;
      }
      case State::kHeader: {
        if (header_buf_.empty()) times_ = FrameTimes{c.ts_ns, c.arrival_ns, 0};
        size_t take = std::min(rest.size(), kFrameHeaderSize - header_buf_.size());
        header_buf_.append(rest.substr(0, take));
        off += take;
        if (header_buf_.size() < kFrameHeaderSize) break;
        header_ = DecodeFrameHeader(header_buf_);
        header_buf_.clear();
        if (ValidateFrameHeader(header_, max_frame_size_, /*strict=*/false)) {
          ++stats_->frame_errors;
          Desync();
          stats_->bytes_skipped += data.size() - off;
          return;
        }
        BeginFrame(c);
        break;
      }
      case State::kPayload: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(rest.size(), remaining_));
        if (header_.type == kData) {
          DataPiece(rest.substr(0, take));
        } else if (!payload_lost_) {
          if (payload_.size() + take <= options_.max_frame_payload_bytes) {
            payload_.append(rest.substr(0, take));
          } else {
            payload_lost_ = true;
            payload_.clear();
          }
        }
        remaining_ -= take;
        off += take;
        if (remaining_ == 0) FinishFrame(c.ts_ns);
        break;
      }
    }
  }
}

void FrameReader::BeginFrame(const Chunk& c) {
  ++stats_->frames;
  state_ = State::kPayload;
  remaining_ = header_.length;
  payload_.clear();
  payload_lost_ = false;
  if (header_.type == kData) {
    need_pad_byte_ = (header_.flags & kFlagPadded) != 0;
    pad_known_ = !need_pad_byte_;
    pad_ = 0;
    sink_->OnDataBegin(from_, header_, times_);
  }
  if (remaining_ == 0) FinishFrame(c.ts_ns);
}

void FrameReader::FinishFrame(uint64_t end_ns) {
  state_ = State::kHeader;
  times_.end_ns = end_ns;
  if (header_.type == kData) {
    uint64_t data_bytes = header_.length;
    if (header_.flags & kFlagPadded) {
      data_bytes = header_.length == 0 ? 0 : header_.length - 1;
      if (pad_known_) data_bytes -= std::min<uint64_t>(pad_, data_bytes);
    }
    sink_->OnDataEnd(from_, header_, data_bytes, end_ns);
  } else {
    sink_->OnFrame(from_, header_, payload_lost_ ? std::string_view() : payload_, payload_lost_,
                   times_);
  }
  payload_.clear();
}

// DATA payload bytes at payload offset (length - remaining_): the pad-length byte first when
// PADDED, then data, then padding. Only data bytes go to the sink.
void FrameReader::DataPiece(std::string_view bytes) {
  uint64_t off = header_.length - remaining_;
  if (need_pad_byte_ && off == 0 && !bytes.empty()) {
    need_pad_byte_ = false;
    pad_ = static_cast<uint8_t>(bytes[0]);
    pad_known_ = pad_ < header_.length;
    if (!pad_known_) ++stats_->frame_errors;
    bytes.remove_prefix(1);
    off = 1;
  }
  if (!pad_known_) {
    sink_->OnDataLost(from_, header_, bytes.size());
    return;
  }
  uint64_t data_end = header_.length - pad_;
  if (off >= data_end) return;
  bytes = bytes.substr(0, static_cast<size_t>(data_end - off));
  if (!bytes.empty()) sink_->OnDataBytes(from_, header_, bytes);
}

void FrameReader::DataLost(uint64_t n) {
  uint64_t off = header_.length - remaining_;
  if (need_pad_byte_ && off == 0) {
    need_pad_byte_ = false;
    pad_known_ = false;  // the data's end is unknown: every byte counts as lost
  }
  if (!pad_known_) {
    sink_->OnDataLost(from_, header_, n);
    return;
  }
  uint64_t data_begin = (header_.flags & kFlagPadded) ? 1 : 0;
  uint64_t data_end = header_.length - pad_;
  uint64_t lo = std::max(off, data_begin), hi = std::min(off + n, data_end);
  if (hi > lo) sink_->OnDataLost(from_, header_, hi - lo);
}

void FrameReader::Desync() {
  state_ = State::kOutOfSync;
  ++stats_->out_of_sync;
  header_buf_.clear();
  payload_.clear();
  remaining_ = 0;
  sink_->OnDesync(from_);
}

bool FrameReader::ProvesBoundary(std::string_view data, uint64_t len) const {
  uint64_t off = 0;
  int frames = 0;
  while (off < len && off + kFrameHeaderSize <= data.size()) {
    FrameHeader h = DecodeFrameHeader(data.substr(static_cast<size_t>(off)));
    if (ValidateFrameHeader(h, max_frame_size_, /*strict=*/true)) return false;
    ++frames;
    off += kFrameHeaderSize + h.length;
  }
  return frames > 0 && off == len;
}

}  // namespace hugin::http2
