// Stitcher throughput: one exchange per iteration on one keep-alive connection.
//   bazel run -c opt //core/protocols/http1:http1_benchmark
// "Time" is ns per request (request + response); bytes_per_second counts wire bytes (bodies
// skipped by position included), captured_bytes_per_second only the captured prefixes.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/protocols/http1/stitcher.h"

namespace hugin::http1 {
namespace {

// Cuts `bytes` into syscalls of at most `piece` bytes.
std::vector<std::string> Syscalls(const std::string& bytes, size_t piece) {
  std::vector<std::string> out;
  for (size_t off = 0; off < bytes.size(); off += piece) out.push_back(bytes.substr(off, piece));
  return out;
}

void RunExchanges(benchmark::State& state, const std::vector<std::string>& req_calls,
                  const std::vector<std::string>& resp_calls, size_t capture) {
  Stitcher s;
  uint64_t req_pos = 0, resp_pos = 0, ts = 0, records = 0, wire = 0, captured = 0;
  for (const auto* calls : {&req_calls, &resp_calls}) {
    for (const auto& c : *calls) {
      wire += c.size();
      captured += std::min(capture, c.size());
    }
  }
  auto send = [&](const std::string& c, bool request) {
    uint64_t& pos = request ? req_pos : resp_pos;
    DataChunk chunk{pos, static_cast<uint32_t>(c.size()),
                    std::string_view(c).substr(0, std::min(capture, c.size())), ++ts};
    pos += c.size();
    if (request) {
      s.AddRequestData(chunk);
    } else {
      s.AddResponseData(chunk);
    }
  };
  for (auto _ : state) {
    for (const auto& c : req_calls) send(c, true);
    for (const auto& c : resp_calls) send(c, false);
    std::vector<Record> r = s.TakeRecords();
    records += r.size();
    benchmark::DoNotOptimize(r.data());
  }
  if (records != static_cast<uint64_t>(state.iterations()) || s.stats().parse_errors != 0) {
    state.SkipWithError("records did not come out one per exchange");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire));
  // Bytes the kernel would actually hand over (the captured prefixes), per second.
  state.counters["captured_bytes_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations() * captured), benchmark::Counter::kIsRate);
}

const std::string kGetRequest =
    "GET /api/users/42?fields=name HTTP/1.1\r\nHost: localhost:8080\r\n"
    "User-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";

// (a) A typical GET and a 200 with a small body, one syscall each, 512-byte capture.
void BM_GetSmallResponse(benchmark::State& state) {
  std::string body = "{\"id\":42,\"name\":\"Ada Byron\"}";
  std::string resp =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Mon, 30 Nov 2026 10:00:00 "
      "GMT\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  RunExchanges(state, {kGetRequest}, {resp}, 512);
}
BENCHMARK(BM_GetSmallResponse);

// (b) A POST with a 4 KiB Content-Length body in one syscall, 512 bytes captured: the body is
// skipped by position, never read.
void BM_Post4KiB(benchmark::State& state) {
  std::string req =
      "POST /upload HTTP/1.1\r\nHost: localhost:8080\r\nContent-Type: application/octet-stream\r\n"
      "Content-Length: 4096\r\n\r\n" +
      std::string(4096, 'p');
  std::string resp = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
  RunExchanges(state, {req}, {resp}, 512);
}
BENCHMARK(BM_Post4KiB);

// (c) A chunked response: 8 KiB in 16 chunks of 512 bytes, written as syscalls of up to 512
// bytes and fully captured (4096-byte capture), so every chunk-size line is decoded.
void BM_ChunkedResponse(benchmark::State& state) {
  std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 16; ++i) resp += "200\r\n" + std::string(512, 'c') + "\r\n";
  resp += "0\r\n\r\n";
  RunExchanges(state, {kGetRequest}, Syscalls(resp, 512), 4096);
}
BENCHMARK(BM_ChunkedResponse);

// The GET exchange with every head split into 16-byte syscalls (worst case for buffering).
void BM_GetSplitHeads(benchmark::State& state) {
  std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  RunExchanges(state, Syscalls(kGetRequest, 16), Syscalls(resp, 16), 512);
}
BENCHMARK(BM_GetSplitHeads);

}  // namespace
}  // namespace hugin::http1
