#include "core/export/text_escaping.h"

#include <cstdio>
#include <cstring>

#include "core/common/utf8.h"

namespace hugin {
namespace {

void AppendHexEscape(std::string& out, unsigned char c) {
  char buf[5];
  std::snprintf(buf, sizeof buf, "\\x%02X", c);
  out += buf;
}

// Printable ASCII (0x20..0x7E): kept as is by every escaping here except JSON's " and \.
bool IsPlainAscii(unsigned char c) { return c >= 0x20 && c < 0x7F; }

// Length of the run of bytes at s[i...] that JSON strings take verbatim: printable ASCII but " and
// \. Wire strings are mostly that: one append per run instead of one per byte.
size_t JsonPlainRun(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[j]);
    if (!IsPlainAscii(c) || c == '"' || c == '\\') break;
    ++j;
  }
  return j - i;
}

}  // namespace

void AppendEscapedForLine(std::string* out, std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t run = 0;
    while (i + run < s.size() && IsPlainAscii(static_cast<unsigned char>(s[i + run]))) ++run;
    out->append(s.substr(i, run));
    i += run;
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0 || c < 0x20 || c == 0x7F) {
      AppendHexEscape(*out, c);
      ++i;
    } else {
      out->append(s.substr(i, len));
      i += len;
    }
  }
}

std::string EscapeForLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendEscapedForLine(&out, s);
  return out;
}

std::string ToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view s) {
  std::string valid = ToValidUtf8(s);
  std::string out;
  out.reserve(valid.size());
  for (char c : valid) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

char* WriteJsonString(char* p, std::string_view s) {
  // One pass over the wire bytes (this runs for every span): validate UTF-8 and escape together.
  static constexpr char kHex[] = "0123456789abcdef";
  auto put = [&p](std::string_view bytes) {
    std::memcpy(p, bytes.data(), bytes.size());
    p += bytes.size();
  };
  *p++ = '"';
  for (size_t i = 0; i < s.size();) {
    if (size_t run = JsonPlainRun(s, i)) {
      put(s.substr(i, run));
      i += run;
      continue;
    }
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      put("\xEF\xBF\xBD");  // U+FFFD for a byte that is not valid UTF-8
      ++i;
      continue;
    }
    if (len > 1) {
      put(s.substr(i, len));
      i += len;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i++]);
    switch (c) {
      case '"': put("\\\""); break;
      case '\\': put("\\\\"); break;
      case '\n': put("\\n"); break;
      case '\r': put("\\r"); break;
      case '\t': put("\\t"); break;
      default:
        if (c < 0x20) {
          put("\\u00");
          *p++ = kHex[c >> 4];
          *p++ = kHex[c & 0xf];
        } else {
          *p++ = static_cast<char>(c);
        }
    }
  }
  *p++ = '"';
  return p;
}

void AppendJsonString(std::string* out, std::string_view s) {
  const size_t old = out->size();
  out->resize(old + JsonStringMaxBytes(s.size()));
  char* end = WriteJsonString(out->data() + old, s);
  out->resize(end - out->data());
}

}  // namespace hugin
