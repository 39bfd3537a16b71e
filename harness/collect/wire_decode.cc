#include "harness/collect/wire_decode.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "harness/util/process.h"

namespace hugin::harness {
namespace {

// Column indexes into TsharkFields().
enum Column {
  kFrame,
  kTime,
  kStream,
  kSrcPort,
  kDstPort,
  kTcpLen,
  kTcpSeq,
  kMethod,
  kUri,
  kCode,
  kContentLength,
  kSegments,
  kColumns
};

struct Frame {
  int64_t number = 0;
  int64_t time_ns = 0;
  int64_t stream = 0;
  int src_port = 0, dst_port = 0;
  int64_t tcp_len = 0;
  int64_t seq = 0;  // relative to the stream's initial sequence number
  std::vector<std::string> methods, uris;
  std::vector<int64_t> codes, content_lengths, segments;
};

struct Request {
  int64_t first_frame = 0;
  int client_port = 0;
  std::string method, uri;
};

struct Response {
  int64_t first_frame = 0;  // first segment of the head
  int64_t head_frame = 0;   // the frame that completed the head
  int code = 0;
  int64_t content_length = -1;
};

struct Stream {
  std::vector<Request> requests;
  std::vector<Response> responses;  // every response head, 1xx included, in order
  std::vector<const Frame*> server_data;  // server -> client frames with payload
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return out;
}

bool ParseInt(const std::string& s, int64_t& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Space-separated occurrences (empty column: none).
std::vector<std::string> Occurrences(const std::string& s) {
  if (s.empty()) return {};
  return Split(s, ' ');
}

bool IntOccurrences(const std::string& s, std::vector<int64_t>& out) {
  for (const auto& v : Occurrences(s)) {
    int64_t n = 0;
    if (!ParseInt(v, n)) return false;
    out.push_back(n);
  }
  return true;
}

bool ParseFrame(const std::string& line, Frame& f, std::string& error) {
  const auto cols = Split(line, '\t');
  if (cols.size() != kColumns) {
    error = "expected " + std::to_string(kColumns) + " columns, got " + std::to_string(cols.size());
    return false;
  }
  int64_t v = 0;
  if (!ParseInt(cols[kFrame], f.number) || !ParseEpochNanos(cols[kTime], f.time_ns)) {
    error = "bad frame number or time";
    return false;
  }
  if (cols[kStream].empty()) return true;  // not TCP (the filter makes this rare): no exchange
  if (!ParseInt(cols[kStream], f.stream) || !ParseInt(cols[kSrcPort], v)) {
    error = "bad tcp.stream or tcp.srcport";
    return false;
  }
  f.src_port = static_cast<int>(v);
  if (!ParseInt(cols[kDstPort], v) || !ParseInt(cols[kTcpLen], f.tcp_len) ||
      !ParseInt(cols[kTcpSeq], f.seq)) {
    error = "bad tcp.dstport, tcp.len or tcp.seq";
    return false;
  }
  f.dst_port = static_cast<int>(v);
  f.methods = Occurrences(cols[kMethod]);
  f.uris = Occurrences(cols[kUri]);
  if (!IntOccurrences(cols[kCode], f.codes) ||
      !IntOccurrences(cols[kContentLength], f.content_lengths) ||
      !IntOccurrences(cols[kSegments], f.segments)) {
    error = "bad http.response.code, http.content_length or tcp.segment";
    return false;
  }
  if (f.methods.size() != f.uris.size()) {
    error = "request methods and targets do not pair";
    return false;
  }
  return true;
}

std::string PathOf(std::string uri) {
  // absolute-form ("http://host/p?q") to origin-form first
  for (const char* scheme : {"http://", "https://"}) {
    if (uri.rfind(scheme, 0) == 0) {
      const size_t slash = uri.find('/', std::string(scheme).size());
      uri = slash == std::string::npos ? "/" : uri.substr(slash);
    }
  }
  const size_t cut = uri.find_first_of("?#");
  return cut == std::string::npos ? uri : uri.substr(0, cut);
}

}  // namespace

const std::vector<std::string>& TsharkFields() {
  static const std::vector<std::string> fields{
      "frame.number", "frame.time_epoch", "tcp.stream",          "tcp.srcport",
      "tcp.dstport",  "tcp.len",          "tcp.seq",             "http.request.method",
      "http.request.uri", "http.response.code", "http.content_length", "tcp.segment"};
  return fields;
}

std::vector<std::string> TsharkCommand(const std::string& pcap_path, int server_port) {
  std::vector<std::string> cmd{"tshark", "-r", pcap_path, "-n",
                               "-d", "tcp.port==" + std::to_string(server_port) + ",http",
                               "-o", "http.desegment_headers:TRUE",
                               "-o", "http.desegment_body:FALSE",
                               "-o", "tcp.desegment_tcp_streams:TRUE",
                               "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                               "-E", "aggregator= "};
  for (const auto& f : TsharkFields()) cmd.insert(cmd.end(), {"-e", f});
  return cmd;
}

bool ParseEpochNanos(const std::string& text, int64_t& out) {
  const size_t dot = text.find('.');
  int64_t seconds = 0, fraction = 0;
  if (!ParseInt(text.substr(0, dot), seconds) || seconds < 0) return false;
  if (dot != std::string::npos) {
    std::string digits = text.substr(dot + 1);
    if (digits.empty() || digits.size() > 9) return false;
    digits.append(9 - digits.size(), '0');
    if (!ParseInt(digits, fraction) || fraction < 0) return false;
  }
  out = seconds * 1'000'000'000 + fraction;
  return true;
}

WireDecode ParseTsharkFields(const std::string& text, int server_port) {
  WireDecode result;
  std::vector<Frame> frames;
  std::istringstream in(text);
  std::string line;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    Frame f;
    std::string error;
    if (!ParseFrame(line, f, error)) {
      if (result.bad_lines++ == 0)
        result.first_error = "line " + std::to_string(line_number) + ": " + error;
      continue;
    }
    frames.push_back(std::move(f));
  }
  result.frames = frames.size();

  std::map<int64_t, const Frame*> by_number;
  for (const auto& f : frames) by_number[f.number] = &f;
  auto first_segment = [](const Frame& f) {
    int64_t first = f.number;
    for (int64_t s : f.segments) first = std::min(first, s);
    return first;
  };
  auto seq_of = [&](int64_t frame) {
    const auto it = by_number.find(frame);
    return it == by_number.end() ? int64_t{-1} : it->second->seq;
  };

  std::map<int64_t, Stream> streams;
  // A message head seen again at the same sequence number is a TCP retransmission, not a new
  // message: key (stream, direction, sequence number of its first segment, index in the frame).
  std::set<std::tuple<int64_t, bool, int64_t, size_t>> heads_seen;
  for (const auto& f : frames) {
    if (f.src_port == 0 && f.dst_port == 0) continue;
    Stream& st = streams[f.stream];
    if (f.dst_port == server_port) {  // client -> server
      for (size_t i = 0; i < f.methods.size(); ++i) {
        // Only the first message of a frame can have started in an earlier segment.
        const int64_t first = i == 0 ? first_segment(f) : f.number;
        if (!heads_seen.insert({f.stream, true, seq_of(first), i}).second) continue;
        st.requests.push_back({first, f.src_port, f.methods[i], f.uris[i]});
      }
    } else if (f.src_port == server_port) {  // server -> client
      if (f.tcp_len > 0) st.server_data.push_back(&f);
      for (size_t i = 0; i < f.codes.size(); ++i) {
        Response r;
        r.first_frame = i == 0 ? first_segment(f) : f.number;
        if (!heads_seen.insert({f.stream, false, seq_of(r.first_frame), i}).second) continue;
        r.head_frame = f.number;
        r.code = static_cast<int>(f.codes[i]);
        // Content-Length pairs with the final response of the frame when counts differ.
        if (f.content_lengths.size() == f.codes.size()) r.content_length = f.content_lengths[i];
        else if (i + 1 == f.codes.size() && !f.content_lengths.empty())
          r.content_length = f.content_lengths.back();
        st.responses.push_back(r);
      }
    }
  }

  for (auto& [id, st] : streams) {
    // Final responses: the frame that first carried their last byte, and how many bytes they
    // spanned. A retransmission (a tail loss probe when an ACK is late, say) carries bytes
    // already sent: it is neither the response's end nor more of its bytes.
    struct Final {
      const Response* head;
      int64_t last_frame;
      int64_t bytes;
    };
    std::vector<Final> finals;
    for (size_t i = 0; i < st.responses.size(); ++i) {
      const Response& r = st.responses[i];
      if (r.code >= 100 && r.code < 200) continue;
      const int64_t next_start =
          i + 1 < st.responses.size() ? st.responses[i + 1].first_frame : INT64_MAX;
      const auto begin = std::lower_bound(
          st.server_data.begin(), st.server_data.end(), r.first_frame,
          [](const Frame* f, int64_t n) { return f->number < n; });
      auto end = begin;
      int64_t max_end = 0;
      for (; end != st.server_data.end() && (*end)->number < next_start; ++end)
        max_end = std::max(max_end, (*end)->seq + (*end)->tcp_len);
      Final fin{&r, r.head_frame, max_end - seq_of(r.first_frame)};
      for (auto d = begin; d != end; ++d) {
        if ((*d)->seq < max_end && (*d)->seq + (*d)->tcp_len >= max_end) {
          fin.last_frame = (*d)->number;
          break;
        }
      }
      finals.push_back(fin);
    }
    // Pair in order; a response that began before its request (the capture started in the middle
    // of an exchange, say) answers a request the capture did not see: skipped and counted.
    size_t next_final = 0;
    for (size_t k = 0; k < st.requests.size(); ++k) {
      const Request& q = st.requests[k];
      while (next_final < finals.size() && finals[next_final].head->first_frame < q.first_frame) {
        ++next_final;
        ++result.responses_without_request;
      }
      WireExchange x;
      x.client_port = q.client_port;
      x.method = q.method;
      x.path = PathOf(q.uri);
      x.request_first_frame = q.first_frame;
      x.request_start_ns = by_number.count(q.first_frame) ? by_number[q.first_frame]->time_ns : 0;
      if (next_final < finals.size()) {
        const Final& fin = finals[next_final++];
        x.status = fin.head->code;
        x.response_last_frame = fin.last_frame;
        x.response_end_ns = by_number[fin.last_frame]->time_ns;
        x.complete = fin.head->content_length < 0 || fin.bytes > fin.head->content_length;
      }
      result.exchanges.push_back(std::move(x));
    }
    result.responses_without_request += finals.size() - next_final;
  }
  std::stable_sort(result.exchanges.begin(), result.exchanges.end(),
                   [](const WireExchange& a, const WireExchange& b) {
                     return a.request_start_ns < b.request_start_ns;
                   });
  return result;
}

WireDecode DecodePcap(const std::string& pcap_path, int server_port, std::string& error) {
  std::string out;
  const int code = RunCommand(TsharkCommand(pcap_path, server_port), out, std::chrono::minutes(5));
  if (code != 0) {
    error = "tshark exited with " + std::to_string(code) + " on " + pcap_path;
    return {};
  }
  WireDecode d = ParseTsharkFields(out, server_port);
  if (d.bad_lines) error = std::to_string(d.bad_lines) + " tshark lines did not parse, first: " + d.first_error;
  return d;
}

}  // namespace hugin::harness
