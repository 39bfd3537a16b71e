// The one UTF-8 validity check of the project: every escaping of wire bytes (trace lines,
// JSON strings, Prometheus label values; core/export/text_escaping) walks its input with it.
#pragma once

#include <cstddef>
#include <string_view>

namespace hugin {

// Length (1..4) of the valid UTF-8 sequence starting at s[i], or 0 if the bytes there are not
// one: overlong forms, surrogates (U+D800..DFFF), code points above U+10FFFF, a bad or missing
// continuation byte. Inline: it runs for every non-ASCII byte of every span.
inline size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c == 0xE0) { len = 3; lo = 0xA0; }  // below: overlong
  else if (c >= 0xE1 && c <= 0xEC) len = 3;
  else if (c == 0xED) { len = 3; hi = 0x9F; }  // above: surrogates
  else if (c >= 0xEE && c <= 0xEF) len = 3;
  else if (c == 0xF0) { len = 4; lo = 0x90; }  // below: overlong
  else if (c >= 0xF1 && c <= 0xF3) len = 4;
  else if (c == 0xF4) { len = 4; hi = 0x8F; }  // above: past U+10FFFF
  else return 0;  // continuation byte, C0/C1 (always overlong), F5..FF
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

}  // namespace hugin
