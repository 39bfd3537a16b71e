#include "core/protocols/http1/traffic_testing.h"

#include <algorithm>
#include <tuple>

#include "core/protocols/http1/parse.h"

namespace hugin::http1 {

bool operator==(const Record& a, const Record& b) {
  auto tie = [](const Record& r) {
    return std::tie(r.method, r.path, r.status, r.req_body_bytes, r.resp_body_bytes,
                    r.req_start_ns, r.req_arrival_ns, r.req_end_ns, r.resp_start_ns,
                    r.resp_end_ns, r.estimated);
  };
  return tie(a) == tie(b);
}

void PrintTo(const Record& r, std::ostream* os) {
  *os << "{" << r.method << " " << r.path << " -> " << r.status << " req_body=" << r.req_body_bytes
      << " resp_body=" << r.resp_body_bytes << " req=[" << r.req_start_ns << "(arr "
      << r.req_arrival_ns << "), " << r.req_end_ns << "] resp=[" << r.resp_start_ns << ", "
      << r.resp_end_ns << "]" << (r.estimated ? " estimated" : "") << "}";
}

namespace testing {
namespace {

std::string FramingHeader(const std::string& body, BodyStyle style) {
  switch (style) {
    case BodyStyle::kContentLength:
      return "Content-Length: " + std::to_string(body.size()) + "\r\n";
    case BodyStyle::kChunked:
      return "Transfer-Encoding: chunked\r\n";
    case BodyStyle::kNone:
      return "";
  }
  return "";
}

std::string RandomText(std::mt19937_64& rng, size_t n) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789 {}\":,\r\n";
  std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string s(n, ' ');
  for (char& c : s) c = kAlphabet[pick(rng)];
  return s;
}

template <typename T>
const T& Pick(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

bool Chance(std::mt19937_64& rng, double p) { return std::bernoulli_distribution(p)(rng); }

}  // namespace

std::string ChunkedEncode(const std::string& body, size_t piece, const std::string& trailers) {
  std::string out;
  char hex[32];
  for (size_t off = 0; off < body.size(); off += piece) {
    size_t n = std::min(piece, body.size() - off);
    snprintf(hex, sizeof(hex), "%zx\r\n", n);
    out += hex;
    out.append(body, off, n);
    out += "\r\n";
  }
  return out + "0\r\n" + trailers + "\r\n";
}

std::string BuildRequest(const std::string& method, const std::string& target,
                         const std::string& body, BodyStyle style,
                         const std::string& extra_headers) {
  std::string head = method + " " + target + " HTTP/1.1\r\nHost: localhost:8080\r\n" +
                     FramingHeader(body, style) + extra_headers + "\r\n";
  if (style == BodyStyle::kChunked) return head + ChunkedEncode(body, 7);
  return style == BodyStyle::kNone ? head : head + body;
}

std::string BuildResponse(int status, const std::string& body, BodyStyle style,
                          const std::string& extra_headers) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " Whatever\r\n" +
                     "Date: Mon, 30 Nov 2026 10:00:00 GMT\r\n" + FramingHeader(body, style) +
                     extra_headers + "\r\n";
  if (style == BodyStyle::kChunked) return head + ChunkedEncode(body, 100);
  return head + body;
}

Exchange RandomExchange(std::mt19937_64& rng, int index) {
  static const std::vector<std::string> kMethods = {"GET", "GET", "POST", "PUT", "HEAD",
                                                    "DELETE", "PATCH"};
  Exchange ex;
  const std::string& method = Pick(rng, kMethods);
  std::string path = "/r" + std::to_string(index);
  std::string target = path;
  switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 1: target += "?q=" + std::to_string(index) + "&x=y"; break;
    case 2: target += "#frag"; break;
    case 3: target = "http://example.com:8080" + path + "?abs=1"; break;
    default: break;
  }
  std::string extra = Chance(rng, 0.2) ? "X-Long: " + std::string(300, 'h') + "\r\n" : "";
  std::string req_body;
  BodyStyle req_style = BodyStyle::kNone;
  if (method == "POST" || method == "PUT" || method == "PATCH") {
    req_body = RandomText(rng, Pick(rng, std::vector<size_t>{0, 1, 10, 600, 5000}));
    req_style = Chance(rng, 0.3) ? BodyStyle::kChunked : BodyStyle::kContentLength;
  }
  ex.request = BuildRequest(method, target, req_body, req_style, extra);

  int status = Pick(rng, std::vector<int>{200, 200, 201, 404, 500, 204, 304});
  std::string resp_body;
  BodyStyle resp_style = BodyStyle::kNone;
  if (status != 204 && status != 304) {
    resp_body = RandomText(rng, Pick(rng, std::vector<size_t>{0, 5, 300, 3000}));
    resp_style = Chance(rng, 0.35) ? BodyStyle::kChunked : BodyStyle::kContentLength;
  }
  if (req_style != BodyStyle::kNone && Chance(rng, 0.2)) {
    ex.response = "HTTP/1.1 100 Continue\r\n\r\n";
  }
  if (method == "HEAD") {
    // Headers as for GET, no body.
    ex.response += "HTTP/1.1 " + std::to_string(status) + " OK\r\nContent-Length: " +
                   std::to_string(resp_body.size() + 10) + "\r\n\r\n";
    resp_body.clear();
  } else if (resp_style == BodyStyle::kChunked && Chance(rng, 0.3)) {
    ex.response += "HTTP/1.1 " + std::to_string(status) +
                   " OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n" +
                   ChunkedEncode(resp_body, 1 + resp_body.size() / 3, "X-Sum: 42\r\n");
  } else {
    ex.response += BuildResponse(status, resp_body, resp_style, extra);
  }
  ex.expected.method = method;
  ex.expected.path = path;  // every decoration of the target above leaves this path
  ex.expected.status = status;
  ex.expected.req_body_bytes = req_body.size();
  ex.expected.resp_body_bytes = resp_body.size();
  return ex;
}

namespace {

struct Piece {
  bool is_request;
  uint64_t pos;
  uint64_t len;
  uint64_t ts_ns = 0;
};

// The ts of the piece of one direction that holds byte `offset`.
const Piece& PieceHolding(const std::vector<Piece>& pieces, uint64_t offset) {
  auto it = std::upper_bound(pieces.begin(), pieces.end(), offset,
                             [](uint64_t o, const Piece& p) { return o < p.pos; });
  return *(it - 1);
}

}  // namespace

std::vector<Syscall> Schedule(const std::vector<Exchange>& exchanges, Layout layout,
                              size_t max_piece, std::mt19937_64& rng,
                              std::vector<Record>* expected) {
  std::string req_stream, resp_stream;
  std::vector<std::pair<uint64_t, uint64_t>> req_range, resp_range;  // [begin, end)
  std::vector<uint64_t> final_resp_begin;
  for (const Exchange& ex : exchanges) {
    req_range.emplace_back(req_stream.size(), req_stream.size() + ex.request.size());
    req_stream += ex.request;
    // The final response is the last "HTTP/1." in the bytes (interim ones come first).
    size_t interim = 0;
    while (ex.response.compare(interim, 13, "HTTP/1.1 100 ") == 0) {
      interim = ex.response.find("\r\n\r\n", interim) + 4;
    }
    final_resp_begin.push_back(resp_stream.size() + interim);
    resp_range.emplace_back(resp_stream.size(), resp_stream.size() + ex.response.size());
    resp_stream += ex.response;
  }
  std::uniform_int_distribution<uint64_t> piece_size(1, std::max<size_t>(1, max_piece));
  std::vector<Piece> order;
  auto cut = [&](bool is_request, uint64_t begin, uint64_t end) {
    for (uint64_t o = begin; o < end;) {
      uint64_t n = std::min(piece_size(rng), end - o);
      order.push_back({is_request, o, n});
      o += n;
    }
  };
  if (layout == Layout::kSequential) {
    for (size_t k = 0; k < exchanges.size(); ++k) {
      cut(true, req_range[k].first, req_range[k].second);
      cut(false, resp_range[k].first, resp_range[k].second);
    }
  } else {
    cut(true, 0, req_stream.size());
    cut(false, 0, resp_stream.size());
  }
  std::vector<Syscall> calls;
  std::vector<Piece> req_pieces, resp_pieces;
  for (size_t i = 0; i < order.size(); ++i) {
    Piece& p = order[i];
    p.ts_ns = (i + 1) * 1000;
    const std::string& stream = p.is_request ? req_stream : resp_stream;
    calls.push_back({p.is_request, p.pos, stream.substr(p.pos, p.len), p.ts_ns,
                     p.is_request ? p.ts_ns - 7 : 0});
    (p.is_request ? req_pieces : resp_pieces).push_back(p);
  }
  expected->clear();
  for (size_t k = 0; k < exchanges.size(); ++k) {
    Record r = exchanges[k].expected;
    const Piece& first = PieceHolding(req_pieces, req_range[k].first);
    r.req_start_ns = first.ts_ns;
    r.req_arrival_ns = first.ts_ns - 7;
    r.req_end_ns = PieceHolding(req_pieces, req_range[k].second - 1).ts_ns;
    r.resp_start_ns = PieceHolding(resp_pieces, final_resp_begin[k]).ts_ns;
    r.resp_end_ns = PieceHolding(resp_pieces, resp_range[k].second - 1).ts_ns;
    expected->push_back(r);
  }
  return calls;
}

void Feed(const std::vector<Syscall>& calls, size_t capture, Stitcher* s) {
  for (const Syscall& call : calls) {
    DataChunk c{call.pos, static_cast<uint32_t>(call.bytes.size()),
                std::string_view(call.bytes).substr(0, capture), call.ts_ns, call.arrival_ns};
    if (call.is_request) {
      s->AddRequestData(c);
    } else {
      s->AddResponseData(c);
    }
  }
}

}  // namespace testing
}  // namespace hugin::http1
