// Test helpers: build HTTP/1.x wire bytes, lay exchanges out as timed syscalls with any
// chunking, feed them to a Stitcher, and compute the records that must come out.
#pragma once

#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "core/protocols/http1/stitcher.h"

namespace hugin::http1 {

// gtest support (test-only).
bool operator==(const Record& a, const Record& b);
void PrintTo(const Record& r, std::ostream* os);

namespace testing {

enum class BodyStyle { kContentLength, kChunked, kNone };

// "POST /x HTTP/1.1" + Host + framing header for `body` + `extra_headers` (each ending "\r\n").
std::string BuildRequest(const std::string& method, const std::string& target,
                         const std::string& body, BodyStyle style = BodyStyle::kContentLength,
                         const std::string& extra_headers = "");
// kNone writes no framing header and no body (for 204/304/1xx); a close-delimited response is
// BuildResponse(status, "", kNone) followed by the body bytes and a close.
std::string BuildResponse(int status, const std::string& body,
                          BodyStyle style = BodyStyle::kContentLength,
                          const std::string& extra_headers = "");
// Chunked encoding of `body` in pieces of `piece` bytes, with optional trailer lines.
std::string ChunkedEncode(const std::string& body, size_t piece, const std::string& trailers = "");

// One request and its response on the wire, and the record they must give (timing left 0).
struct Exchange {
  std::string request;
  std::string response;  // may include 1xx interim responses before the final one
  Record expected;
};

// A random but valid exchange; `index` makes the path unique ("/r<index>").
Exchange RandomExchange(std::mt19937_64& rng, int index);

struct Syscall {
  bool is_request;
  uint64_t pos;
  std::string bytes;
  uint64_t ts_ns;
  uint64_t arrival_ns;
};

enum class Layout {
  kSequential,  // request k, then response k, then request k+1 ...; each message cut randomly
  kPipelined,   // all requests, then all responses; each stream cut randomly across messages
};

// Lays `exchanges` out as syscalls (ts strictly increasing), cutting messages into pieces of
// 1..max_piece bytes. Returns the calls; `expected` gets the records with exact timing.
std::vector<Syscall> Schedule(const std::vector<Exchange>& exchanges, Layout layout,
                              size_t max_piece, std::mt19937_64& rng,
                              std::vector<Record>* expected);

// Feeds calls to `s`, capturing at most `capture` bytes per call.
void Feed(const std::vector<Syscall>& calls, size_t capture, Stitcher* s);

}  // namespace testing
}  // namespace hugin::http1
