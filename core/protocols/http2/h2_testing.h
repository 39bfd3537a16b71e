// Test helpers: HTTP/2 wire bytes (frames, header blocks encoded by nghttp2's deflater, gRPC
// messages) and feeding them to a Connection in chosen pieces. Expected values in tests are
// literals; nothing here decodes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "core/protocols/http2/connection.h"

struct nghttp2_hd_deflater;

namespace hugin::http2::testing {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Concatenation in order: the operands of `a + b` are evaluated in no fixed order, which would
// let an Encoder encode a later block first. Braced lists are evaluated left to right.
std::string Cat(std::initializer_list<std::string> parts);

std::string Frame(uint8_t type, uint8_t flags, uint32_t stream_id, const std::string& payload);
std::string Settings(const std::vector<std::pair<uint16_t, uint32_t>>& entries, bool ack = false);
std::string Data(uint32_t stream_id, const std::string& payload, bool end_stream);
std::string RstStream(uint32_t stream_id, uint32_t code);
std::string Goaway(uint32_t last_stream_id, uint32_t code);
std::string WindowUpdate(uint32_t stream_id, uint32_t increment);
std::string Ping();
// One gRPC length-prefixed message of `size` bytes ('m').
std::string GrpcMessage(size_t size, bool compressed = false);
// The server's SETTINGS and the client's preface + SETTINGS.
std::string ClientStart();
std::string ServerStart();

// One direction's HPACK encoder (nghttp2's deflater), so header blocks use its dynamic table
// across requests as a real peer's would.
class Encoder {
 public:
  explicit Encoder(size_t table_size = 4096);
  ~Encoder();
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;
  // `never_index`: fields sent as literals never indexed (no dynamic table use).
  std::string Encode(const Fields& fields, bool never_index = false);
  // The next block starts with a dynamic table size update to `size`.
  void ChangeTableSize(size_t size);
  // A HEADERS frame with the block (END_HEADERS set).
  std::string Headers(uint32_t stream_id, const Fields& fields, bool end_stream);

 private:
  nghttp2_hd_deflater* deflater_ = nullptr;
};

// Request and response fields of typical gRPC and HTTP/2 exchanges.
Fields GrpcRequest(const std::string& path);
Fields GrpcResponseHead();
Fields GrpcTrailers(int grpc_status, const std::string& message = "");
Fields GetRequest(const std::string& path);
Fields Response(int status);

// Feeds `bytes` as syscalls of `piece` bytes (the last may be shorter) capturing at most
// `capture` bytes each, from position `*pos` (advanced), with timestamps `*ts` (advanced by 1
// per call).
void Feed(Connection& c, Sender from, const std::string& bytes, uint64_t* pos, uint64_t* ts,
          size_t piece = SIZE_MAX, size_t capture = SIZE_MAX);

// A connection's two directions, fed one after another.
struct Wire {
  uint64_t client_pos = 0, server_pos = 0, ts = 0;
  void Client(Connection& c, const std::string& b, size_t piece = SIZE_MAX, size_t cap = SIZE_MAX) {
    Feed(c, Sender::kClient, b, &client_pos, &ts, piece, cap);
  }
  void Server(Connection& c, const std::string& b, size_t piece = SIZE_MAX, size_t cap = SIZE_MAX) {
    Feed(c, Sender::kServer, b, &server_pos, &ts, piece, cap);
  }
};

std::vector<Exchange> Take(Connection& c);

}  // namespace hugin::http2::testing
