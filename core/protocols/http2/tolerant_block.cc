#include "core/protocols/http2/tolerant_block.h"

#include <nghttp2/nghttp2.h>

#include <string>

namespace hugin::http2 {
namespace {

void AppendInt(std::string* out, uint8_t first_byte_bits, int prefix_bits, uint64_t v) {
  const uint64_t max = (1u << prefix_bits) - 1;
  if (v < max) {
    out->push_back(static_cast<char>(first_byte_bits | v));
    return;
  }
  out->push_back(static_cast<char>(first_byte_bits | max));
  v -= max;
  while (v >= 128) {
    out->push_back(static_cast<char>(0x80 | (v & 0x7f)));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void AppendRawString(std::string* out, std::string_view s) {
  AppendInt(out, 0x00, 7, s.size());  // H = 0: not Huffman-coded
  out->append(s);
}

// The bytes of one string literal (H bit, length, data) starting at data[*off].
bool SkipString(std::string_view data, size_t* off, std::string_view* raw) {
  size_t start = *off;
  uint64_t len = 0;
  if (!ReadHpackInt(data, off, 7, &len) || len > data.size() - *off) return false;
  *off += static_cast<size_t>(len);
  *raw = data.substr(start, *off - start);
  return true;
}

// Feeds one rewritten representation to the scratch inflater; appends what it emits.
bool Inflate(nghttp2_hd_inflater* inflater, std::string_view in, bool final,
             std::vector<HeaderField>* fields) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(in.data());
  size_t left = in.size();
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t n = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, p, left, final ? 1 : 0);
    if (n < 0) return false;
    p += n;
    left -= static_cast<size_t>(n);
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      fields->push_back({std::string(reinterpret_cast<const char*>(nv.name), nv.namelen),
                         std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen)});
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater);
      return true;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && (left == 0 || n == 0)) return left == 0 && !final;
  }
}

}  // namespace

bool ReadHpackInt(std::string_view data, size_t* off, int prefix_bits, uint64_t* value) {
  if (*off >= data.size()) return false;
  const uint64_t max = (1u << prefix_bits) - 1;
  uint64_t v = static_cast<uint8_t>(data[(*off)++]) & max;
  if (v < max) {
    *value = v;
    return true;
  }
  for (int shift = 0; shift <= 28; shift += 7) {
    if (*off >= data.size()) return false;
    uint8_t b = static_cast<uint8_t>(data[(*off)++]);
    v += static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *value = v;
      return v <= 0xffffffffu;
    }
  }
  return false;
}

bool DecodeTolerantBlock(std::string_view block, KnownTable* known, nghttp2_hd_inflater* scratch,
                         DecodedBlock* out) {
  size_t off = 0;
  std::string rewritten;
  while (off < block.size()) {
    const uint8_t b = static_cast<uint8_t>(block[off]);
    const size_t start = off;
    rewritten.clear();
    bool unknown = false, inserts = false;
    uint64_t index = 0;
    if (b & 0x80) {  // indexed field
      if (!ReadHpackInt(block, &off, 7, &index) || index == 0) return false;
      if (index <= 61) {
        rewritten.assign(block.substr(start, off - start));
      } else if (const auto* e = known->Lookup(index)) {
        rewritten.push_back(0x00);
        AppendRawString(&rewritten, e->first);
        AppendRawString(&rewritten, e->second);
      } else {
        unknown = true;
      }
    } else if ((b & 0xe0) == 0x20) {  // dynamic table size update: indices do not depend on it
      if (!ReadHpackInt(block, &off, 5, &index)) return false;
      continue;
    } else {  // literal: with incremental indexing (01), without (0000) or never indexed (0001)
      inserts = (b & 0xc0) == 0x40;
      if (!ReadHpackInt(block, &off, inserts ? 6 : 4, &index)) return false;
      std::string_view name_raw, value_raw;
      if (index == 0 && !SkipString(block, &off, &name_raw)) return false;
      if (!SkipString(block, &off, &value_raw)) return false;
      if (index == 0) {
        rewritten.push_back(0x00);
        rewritten.append(name_raw);
      } else if (index <= 61) {
        AppendInt(&rewritten, 0x00, 4, index);
      } else if (const auto* e = known->Lookup(index)) {
        rewritten.push_back(0x00);
        AppendRawString(&rewritten, e->first);
      } else {
        unknown = true;
      }
      if (!unknown) rewritten.append(value_raw);
    }
    if (unknown) {
      ++out->unknown_fields;
      if (inserts) known->Insert(std::nullopt);
      continue;
    }
    size_t before = out->fields.size();
    if (!Inflate(scratch, rewritten, /*final=*/false, &out->fields) ||
        out->fields.size() != before + 1) {
      return false;
    }
    if (inserts) known->Insert(std::make_pair(out->fields.back().name, out->fields.back().value));
  }
  return Inflate(scratch, {}, /*final=*/true, &out->fields);
}

}  // namespace hugin::http2
