// HPACK decoding of ONE direction's header blocks with libnghttp2's inflater.
//
// In sync (the direction was followed from its first byte and no header-block byte was lost),
// one inflater keeps the dynamic table exactly. Once a header-block byte is lost, or when the
// connection was first seen mid-stream, the table's contents before that point are unknown
// forever; the decoder then works tolerantly (tolerant_block.h): static-table references and
// literals decode, references to entries inserted since it went tolerant decode too (those
// insertions were seen), and references to older entries are reported as unknown fields.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/protocols/http2/known_table.h"
#include "core/protocols/http2/types.h"

struct nghttp2_hd_inflater;

namespace hugin::http2 {

struct HeaderField {
  std::string name, value;
};

struct DecodedBlock {
  std::vector<HeaderField> fields;  // the fields that decoded, in order
  int unknown_fields = 0;           // fields that could not be decoded (never guessed)
  bool failed = false;              // the block was rejected: fields unknown, context reset
};

class HeaderDecoder {
 public:
  // `in_sync`: the direction is followed from its first byte (its dynamic table starts empty).
  HeaderDecoder(bool in_sync, const Options& options, Stats* stats);
  ~HeaderDecoder();
  HeaderDecoder(const HeaderDecoder&) = delete;
  HeaderDecoder& operator=(const HeaderDecoder&) = delete;

  // One complete header block (HEADERS or PUSH_PROMISE fragment + CONTINUATIONs).
  DecodedBlock Decode(std::string_view block);
  // Bytes of a header block were lost: the dynamic table can no longer be followed.
  void Desync();
  // SETTINGS_HEADER_TABLE_SIZE from this direction's receiver: the bound for the table size.
  void SetMaxTableSize(uint32_t size);
  // The direction was first seen mid-stream: decode tolerantly from the start (not a desync).
  void StartTolerant() { in_sync_ = false; }
  bool tolerant() const { return !in_sync_; }

 private:
  DecodedBlock DecodeInSync(std::string_view block);

  bool in_sync_;
  const Options& options_;
  Stats* const stats_;
  nghttp2_hd_inflater* inflater_ = nullptr;  // in sync: the real context; tolerant: scratch
  KnownTable known_;                         // tolerant: entries inserted since going tolerant
  bool pending_table_size_ = false;
  uint32_t table_size_ = 4096;
};

}  // namespace hugin::http2
