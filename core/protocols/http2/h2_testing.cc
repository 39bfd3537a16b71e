#include "core/protocols/http2/h2_testing.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <stdexcept>

#include "core/protocols/http2/frame.h"

namespace hugin::http2::testing {
namespace {

std::string U32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

}  // namespace

std::string Cat(std::initializer_list<std::string> parts) {
  std::string out;
  for (const std::string& p : parts) out += p;
  return out;
}

std::string Frame(uint8_t type, uint8_t flags, uint32_t stream_id, const std::string& payload) {
  size_t n = payload.size();
  std::string f = {static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n),
                   static_cast<char>(type), static_cast<char>(flags)};
  return f + U32(stream_id) + payload;
}

std::string Settings(const std::vector<std::pair<uint16_t, uint32_t>>& entries, bool ack) {
  std::string p;
  for (auto [id, v] : entries)
    p += std::string{static_cast<char>(id >> 8), static_cast<char>(id)} + U32(v);
  return Frame(kSettings, ack ? kFlagAck : 0, 0, p);
}

std::string Data(uint32_t stream_id, const std::string& payload, bool end_stream) {
  return Frame(kData, end_stream ? kFlagEndStream : 0, stream_id, payload);
}
std::string RstStream(uint32_t stream_id, uint32_t code) {
  return Frame(kRstStream, 0, stream_id, U32(code));
}
std::string Goaway(uint32_t last, uint32_t code) {
  return Frame(kGoaway, 0, 0, U32(last) + U32(code));
}
std::string WindowUpdate(uint32_t stream_id, uint32_t inc) {
  return Frame(kWindowUpdate, 0, stream_id, U32(inc));
}
std::string Ping() { return Frame(kPing, 0, 0, std::string(8, 'p')); }

std::string GrpcMessage(size_t size, bool compressed) {
  return std::string(1, compressed ? 1 : 0) + U32(static_cast<uint32_t>(size)) +
         std::string(size, 'm');
}

std::string ClientStart() {
  return std::string(kClientPreface) + Settings({{0x2, 0}, {0x4, 65535}}) +
         WindowUpdate(0, 1 << 20);
}
std::string ServerStart() { return Settings({{0x3, 100}}) + Settings({}, /*ack=*/true); }

Encoder::Encoder(size_t table_size) {
  if (nghttp2_hd_deflate_new(&deflater_, table_size) != 0) throw std::runtime_error("deflater");
}
Encoder::~Encoder() { nghttp2_hd_deflate_del(deflater_); }

void Encoder::ChangeTableSize(size_t size) {
  nghttp2_hd_deflate_change_table_size(deflater_, size);
}

std::string Encoder::Encode(const Fields& fields, bool never_index) {
  std::vector<nghttp2_nv> nva;
  for (const auto& [n, v] : fields) {
    nva.push_back(
        {reinterpret_cast<uint8_t*>(const_cast<char*>(n.data())),
         reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), n.size(), v.size(),
         static_cast<uint8_t>(never_index ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE)});
  }
  std::string out(nghttp2_hd_deflate_bound(deflater_, nva.data(), nva.size()), '\0');
  ssize_t n = nghttp2_hd_deflate_hd(deflater_, reinterpret_cast<uint8_t*>(out.data()), out.size(),
                                    nva.data(), nva.size());
  if (n < 0) throw std::runtime_error("deflate");
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Encoder::Headers(uint32_t stream_id, const Fields& fields, bool end_stream) {
  return Frame(kHeaders, kFlagEndHeaders | (end_stream ? kFlagEndStream : 0), stream_id,
               Encode(fields));
}

Fields GrpcRequest(const std::string& path) {
  return {{":method", "POST"},
          {":scheme", "http"},
          {":path", path},
          {":authority", "127.0.0.1:9090"},
          {"content-type", "application/grpc"},
          {"te", "trailers"},
          {"user-agent", "grpc-test/1.0"}};
}
Fields GrpcResponseHead() { return {{":status", "200"}, {"content-type", "application/grpc"}}; }
Fields GrpcTrailers(int status, const std::string& message) {
  Fields f = {{"grpc-status", std::to_string(status)}};
  if (!message.empty()) f.push_back({"grpc-message", message});
  return f;
}
Fields GetRequest(const std::string& path) {
  return {{":method", "GET"},        {":scheme", "http"},
          {":path", path},           {":authority", "localhost:8080"},
          {"user-agent", "h2-test"}, {"accept", "*/*"}};
}
Fields Response(int status) {
  return {{":status", std::to_string(status)}, {"content-type", "text/plain"}, {"server", "test"}};
}

void Feed(Connection& c, Sender from, const std::string& bytes, uint64_t* pos, uint64_t* ts,
          size_t piece, size_t capture) {
  piece = std::max<size_t>(piece, 1);
  for (size_t off = 0; off < bytes.size(); off += piece) {
    std::string_view call = std::string_view(bytes).substr(off, piece);
    Chunk ch{*pos, static_cast<uint32_t>(call.size()),
             call.substr(0, std::min(capture, call.size())), ++*ts};
    c.OnData(from, ch);
    *pos += call.size();
  }
}

std::vector<Exchange> Take(Connection& c) {
  std::vector<Exchange> out;
  c.TakeExchanges(out);
  return out;
}

}  // namespace hugin::http2::testing
