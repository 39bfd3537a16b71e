#include "core/protocols/http2/hpack.h"

#include <nghttp2/nghttp2.h>

#include "core/protocols/http2/tolerant_block.h"

namespace hugin::http2 {
namespace {

nghttp2_hd_inflater* NewInflater() {
  nghttp2_hd_inflater* p = nullptr;
  if (nghttp2_hd_inflate_new(&p) != 0) return nullptr;  // out of memory only
  return p;
}

}  // namespace

HeaderDecoder::HeaderDecoder(bool in_sync, const Options& options, Stats* stats)
    : in_sync_(in_sync),
      options_(options),
      stats_(stats),
      inflater_(NewInflater()),
      known_(options.max_known_table_entries) {}

HeaderDecoder::~HeaderDecoder() {
  if (inflater_) nghttp2_hd_inflate_del(inflater_);
}

void HeaderDecoder::Desync() {
  ++stats_->hpack_desyncs;
  in_sync_ = false;
  known_.Clear();
  // The inflater may be mid-block or in its error state: a fresh one is the tolerant scratch.
  if (inflater_) nghttp2_hd_inflate_del(inflater_);
  inflater_ = NewInflater();
}

void HeaderDecoder::SetMaxTableSize(uint32_t size) {
  // Only raises are applied: a lower bound would make nghttp2 require a size update in the next
  // block, which the encoder may legitimately send later (it applies the setting on receipt).
  if (!in_sync_ || !inflater_ || size <= table_size_) return;
  table_size_ = size;
  if (nghttp2_hd_inflate_change_table_size(inflater_, size) != 0) Desync();
}

DecodedBlock HeaderDecoder::Decode(std::string_view block) {
  DecodedBlock out;
  if (!inflater_) {
    out.failed = true;
    return out;
  }
  if (in_sync_) {
    out = DecodeInSync(block);
    if (!out.failed) return out;
    ++stats_->hpack_errors;
    Desync();
    return out;
  }
  if (!DecodeTolerantBlock(block, &known_, inflater_, &out)) {
    ++stats_->hpack_errors;
    out.failed = true;
    Desync();                 // insertions after the error are unknown
    --stats_->hpack_desyncs;  // already tolerant: no new loss of context to count
  }
  stats_->unknown_fields += out.unknown_fields;
  return out;
}

DecodedBlock HeaderDecoder::DecodeInSync(std::string_view block) {
  DecodedBlock out;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(block.data());
  size_t left = block.size();
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t n = nghttp2_hd_inflate_hd2(inflater_, &nv, &flags, p, left, /*in_final=*/1);
    if (n < 0) {
      out.failed = true;
      return out;
    }
    p += n;
    left -= static_cast<size_t>(n);
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      out.fields.push_back({std::string(reinterpret_cast<const char*>(nv.name), nv.namelen),
                            std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen)});
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater_);
      return out;
    }
    if (n == 0 && !(flags & NGHTTP2_HD_INFLATE_EMIT)) {  // no progress: malformed end
      out.failed = true;
      return out;
    }
  }
}

}  // namespace hugin::http2
