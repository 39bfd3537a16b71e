#include "core/protocols/http1/parse.h"

#include <array>
#include <cstring>

#include "core/span/http_methods.h"

namespace hugin::http1 {
namespace {

// Values above this are refused: keeps all position arithmetic far from overflow.
constexpr uint64_t kMaxBodyLength = uint64_t{1} << 60;
constexpr size_t kMaxMethodLength = 32;


// RFC 9110 tchar, as a table: every header name is checked byte by byte, and the strchr this
// replaced ran for each '-' in them (~3% of the agent's CPU, perf under wrk).
constexpr std::array<bool, 256> kTchar = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
  for (unsigned char c : std::string_view("!#$%&'*+-.^_`|~")) t[c] = true;
  return t;
}();

bool IsTchar(unsigned char c) { return kTchar[c]; }

bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsTchar(c)) return false;
  }
  return true;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits off the next line (without its CRLF or LF) from `rest`.
std::string_view NextLine(std::string_view* rest) {
  size_t nl = rest->find('\n');
  std::string_view line = rest->substr(0, nl);
  rest->remove_prefix(nl == std::string_view::npos ? rest->size() : nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// "HTTP/1.x" -> x, or -1.
int ParseVersion(std::string_view v) {
  if (v.size() != 8 || v.substr(0, 7) != "HTTP/1." || !IsDigit(v[7])) return -1;
  return v[7] - '0';
}

bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (unsigned char c : s) {
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  if (v > kMaxBodyLength) return false;
  *out = v;
  return true;
}

// Content-Length may be repeated or a list of identical values (RFC 9110 8.6); anything else
// is an error.
void ApplyContentLength(std::string_view value, MessageHead* head) {
  while (true) {
    size_t comma = value.find(',');
    uint64_t v = 0;
    if (!ParseDecimal(TrimOws(value.substr(0, comma)), &v) ||
        (head->content_length && *head->content_length != v)) {
      head->bad_content_length = true;
      return;
    }
    head->content_length = v;
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

void ApplyTransferEncoding(std::string_view value, MessageHead* head) {
  head->has_transfer_encoding = true;
  size_t comma = value.rfind(',');
  std::string_view last = TrimOws(comma == std::string_view::npos ? value : value.substr(comma + 1));
  head->chunked = IEquals(last, "chunked");
}

bool ValidFieldValue(std::string_view v) {
  for (unsigned char c : v) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

bool ParseHeaderLines(std::string_view rest, MessageHead* head) {
  bool seen_field = false;
  while (!rest.empty()) {
    std::string_view line = NextLine(&rest);
    if (line.empty()) return rest.empty();  // the terminating empty line must end the head
    if (line.front() == ' ' || line.front() == '\t') {
      // Obsolete line folding: a continuation of the previous field's value.
      if (!seen_field || !ValidFieldValue(line)) return false;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) return false;
    std::string_view name = line.substr(0, colon);
    std::string_view value = TrimOws(line.substr(colon + 1));
    if (!ValidFieldValue(value)) return false;
    seen_field = true;
    if (IEquals(name, "content-length")) {
      ApplyContentLength(value, head);
    } else if (IEquals(name, "transfer-encoding")) {
      ApplyTransferEncoding(value, head);
    }
  }
  return false;  // no terminating empty line
}

bool ValidTarget(std::string_view t) {
  if (t.empty()) return false;
  for (unsigned char c : t) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

size_t FindHeadEnd(std::string_view bytes, size_t scan_from) {
  size_t i = scan_from;
  while (i < bytes.size()) {
    const void* p = std::memchr(bytes.data() + i, '\n', bytes.size() - i);
    if (p == nullptr) return 0;
    i = static_cast<size_t>(static_cast<const char*>(p) - bytes.data());
    if (i + 1 < bytes.size() && bytes[i + 1] == '\n') return i + 2;
    if (i + 2 < bytes.size() && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') return i + 3;
    if (i + 2 >= bytes.size() && (i + 1 == bytes.size() || bytes[i + 1] == '\r')) return 0;
    ++i;
  }
  return 0;
}

bool ParseRequestHead(std::string_view head, MessageHead* out) {
  std::string_view rest = head;
  std::string_view line = NextLine(&rest);
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 > kMaxMethodLength) return false;
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return false;
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  int minor = ParseVersion(line.substr(sp2 + 1));
  if (!IsToken(method) || !ValidTarget(target) || minor < 0) return false;
  *out = MessageHead{};
  out->method.assign(method);
  out->path = PathFromTarget(target);
  out->minor_version = minor;
  return ParseHeaderLines(rest, out);
}

bool ParseResponseHead(std::string_view head, MessageHead* out) {
  std::string_view rest = head;
  std::string_view line = NextLine(&rest);
  if (line.size() < 12 || line[8] != ' ') return false;
  int minor = ParseVersion(line.substr(0, 8));
  if (minor < 0 || !IsDigit(line[9]) || !IsDigit(line[10]) || !IsDigit(line[11])) return false;
  if (line.size() > 12 && line[12] != ' ') return false;
  if (!ValidFieldValue(line.substr(12))) return false;
  int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (status < 100 || status > 599) return false;
  *out = MessageHead{};
  out->status = status;
  out->minor_version = minor;
  return ParseHeaderLines(rest, out);
}

std::string PathFromTarget(std::string_view target) {
  if (!target.empty() && target.front() != '/') {
    size_t scheme_end = target.find("://");
    if (scheme_end != std::string_view::npos && IsToken(target.substr(0, scheme_end))) {
      std::string_view after = target.substr(scheme_end + 3);
      size_t path_start = after.find_first_of("/?#");
      if (path_start == std::string_view::npos || after[path_start] != '/') return "/";
      target = after.substr(path_start);
    } else {
      return std::string(target);  // "*" or CONNECT's authority form
    }
  }
  return std::string(target.substr(0, target.find_first_of("?#")));
}

std::optional<BodyFraming> RequestBodyFraming(const MessageHead& head) {
  if (head.has_transfer_encoding) {
    // A request with a transfer coding other than a final "chunked" cannot be delimited.
    if (!head.chunked) return std::nullopt;
    return BodyFraming{BodyKind::kChunked, 0};
  }
  if (head.bad_content_length) return std::nullopt;
  if (head.content_length && *head.content_length > 0) {
    return BodyFraming{BodyKind::kLength, *head.content_length};
  }
  return BodyFraming{BodyKind::kNone, 0};
}

std::optional<BodyFraming> ResponseBodyFraming(const MessageHead& head, const RequestContext& req) {
  if (head.status == 101) return BodyFraming{BodyKind::kTunnel, 0};
  if (req.is_connect && head.status >= 200 && head.status < 300) {
    return BodyFraming{BodyKind::kTunnel, 0};
  }
  if (req.is_head || head.status < 200 || head.status == 204 || head.status == 304) {
    return BodyFraming{BodyKind::kNone, 0};
  }
  if (head.has_transfer_encoding) {
    return BodyFraming{head.chunked ? BodyKind::kChunked : BodyKind::kUntilClose, 0};
  }
  if (head.bad_content_length) return std::nullopt;
  if (head.content_length) {
    if (*head.content_length == 0) return BodyFraming{BodyKind::kNone, 0};
    return BodyFraming{BodyKind::kLength, *head.content_length};
  }
  return BodyFraming{BodyKind::kUntilClose, 0};
}

bool ParseChunkSizeLine(std::string_view line, uint64_t* size) {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < line.size(); ++i) {
    char c = Lower(line[i]);
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      break;
    }
    if (i >= 15) return false;  // > 2^60
    v = v * 16 + static_cast<uint64_t>(d);
  }
  if (i == 0) return false;
  std::string_view rest = TrimOws(line.substr(i));
  if (!rest.empty() && (rest.front() != ';' || !ValidFieldValue(rest))) return false;
  *size = v;
  return true;
}

StartMatch MatchResponseStart(std::string_view bytes) {
  static constexpr std::string_view kPattern = "HTTP/1.d NNN";
  size_t n = std::min(bytes.size(), kPattern.size());
  for (size_t i = 0; i < n; ++i) {
    char p = kPattern[i];
    bool ok = (p == 'd' || p == 'N') ? IsDigit(static_cast<unsigned char>(bytes[i])) : bytes[i] == p;
    if (!ok) return StartMatch::kNo;
  }
  if (bytes.size() < kPattern.size()) return StartMatch::kMaybe;
  if (bytes.size() > kPattern.size() && std::strchr(" \r\n", bytes[kPattern.size()]) == nullptr) {
    return StartMatch::kNo;
  }
  return StartMatch::kYes;
}

StartMatch MatchRequestStart(std::string_view bytes) {
  for (std::string_view m : kKnownHttpMethods) {
    size_t n = std::min(bytes.size(), m.size());
    if (bytes.substr(0, n) != m.substr(0, n)) continue;
    if (bytes.size() <= m.size() + 1) {
      if (bytes.size() <= m.size() || bytes[m.size()] == ' ') return StartMatch::kMaybe;
      continue;
    }
    if (bytes[m.size()] != ' ') continue;
    unsigned char t = static_cast<unsigned char>(bytes[m.size() + 1]);
    if (t <= 0x20 || t == 0x7f) return StartMatch::kNo;
    std::string_view line = bytes.substr(0, bytes.find('\n'));
    if (line.size() == bytes.size()) return StartMatch::kYes;  // line end not visible
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t sp = line.rfind(' ');
    if (sp <= m.size() || ParseVersion(line.substr(sp + 1)) < 0) return StartMatch::kNo;
    return StartMatch::kYes;
  }
  return StartMatch::kNo;
}

StartMatch MatchLooseStart(MessageKind kind, std::string_view bytes) {
  if (kind == MessageKind::kResponse) {
    StartMatch m = MatchResponseStart(bytes);
    return m;
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == ' ') return i == 0 ? StartMatch::kNo : StartMatch::kYes;
    if (!IsTchar(c) || i >= kMaxMethodLength) return StartMatch::kNo;
  }
  return StartMatch::kMaybe;
}

}  // namespace hugin::http1
