// The request mix: what the load tools send, one element drawn per request. Each element is a
// complete HTTP/1.1 request shape (method, path after the identity, the fixture's status= and
// size= arguments, request body framing); every shape's path is its own, so a request's element
// can be told from its path alone. Which element request n gets is a function of the scenario's
// seed and n only (MixSequence), so every run of a scenario, and every arm, sends the same
// requests in the same order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/model/scenario.h"

namespace hugin::harness {

enum class BodyFraming { kNone, kContentLength, kChunked };

struct MixElement {
  std::string name;           // unique, for reports and tests
  std::string method;         // wrk sends it; h2load sends the scenario's one method instead
  std::string tail;           // the path after /<prefix>/<run>/<n>: "" or starting with '/'
  int status = 200;           // sent as status= unless 200
  int response_bytes = 0;     // sent as size= unless 0
  std::string extra_query;    // more query arguments the fixture ignores ("" = none)
  BodyFraming framing = BodyFraming::kNone;
  // kContentLength: one entry, the body size; kChunked: the chunk sizes (the last, empty chunk
  // is implied). wrk sends it; h2load sends the scenario's body_bytes with Content-Length.
  std::vector<int> body_chunks;

  int request_bytes() const;
  std::string query() const;  // without the '?'; "" when there is none
  std::string target_after_identity() const;  // tail + "?" + query
};

// The built-in mix (scenario `mix: default`). Every element was checked against all four
// fixtures and Hugin; see the comments in request_mix.cc for what was left out and why.
const std::vector<MixElement>& DefaultMix();

// The scenario's one request (`mix: single`): its method, path and body_bytes.
std::vector<MixElement> SingleRequestMix(const LoadSpec& load);

// The mix a scenario sends.
std::vector<MixElement> ScenarioMix(const LoadSpec& load);

// Element numbers for n = 0 .. kMixPeriod-1; request n gets element sequence[n % kMixPeriod].
// A seeded shuffle (splitmix64 + Fisher-Yates, the same on every platform) of a period that
// holds every element equally often (up to one), so any kMixPeriod consecutive requests cover
// the whole mix.
inline constexpr size_t kMixPeriod = 1024;
std::vector<uint16_t> MixSequence(size_t elements, uint64_t seed);

}  // namespace hugin::harness
