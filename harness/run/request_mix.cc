#include "harness/run/request_mix.h"

#include <numeric>

namespace hugin::harness {
namespace {

using F = BodyFraming;

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

int MixElement::request_bytes() const {
  return std::accumulate(body_chunks.begin(), body_chunks.end(), 0);
}

std::string MixElement::query() const {
  std::string q;
  auto add = [&q](const std::string& arg) { q += (q.empty() ? "" : "&") + arg; };
  if (status != 200) add("status=" + std::to_string(status));
  if (response_bytes != 0) add("size=" + std::to_string(response_bytes));
  if (!extra_query.empty()) add(extra_query);
  return q;
}

std::string MixElement::target_after_identity() const {
  const std::string q = query();
  return q.empty() ? tail : tail + "?" + q;
}

const std::vector<MixElement>& DefaultMix() {
  // Statuses: 200, 201, 204, 304, 404, 500. 204 and 304 go with size 0 only: with size=N > 0
  // the fixtures disagree (Go sends no body and logs 0; Node and Rust send no body but log N;
  // Python sends N body bytes, which breaks the framing of a keep-alive connection).
  static const std::vector<MixElement> mix{
      {"get-root", "GET", "", 200, 0, "", F::kNone, {}},
      {"get-items", "GET", "/api/items", 200, 64, "", F::kNone, {}},
      {"get-deep", "GET", "/api/v1/users/42/orders/2024-11/items.json", 200, 1500, "", F::kNone, {}},
      {"get-large", "GET", "/static/blob.bin", 200, 70000, "", F::kNone, {}},
      {"get-chars", "GET", "/a-b/c.d/~e/f_g/h+i;p=1", 200, 1, "", F::kNone, {}},
      {"get-percent", "GET", "/caf%C3%A9/x%20y", 200, 0, "", F::kNone, {}},
      {"get-dots", "GET", "/x/../y/./z", 200, 0, "", F::kNone, {}},
      {"get-query", "GET", "/q", 200, 3, "next=/a/b?c&empty=", F::kNone, {}},
      {"get-304", "GET", "/cache/etag", 304, 0, "", F::kNone, {}},
      {"get-404", "GET", "/missing", 404, 64, "", F::kNone, {}},
      {"post-201", "POST", "/api/items/new", 201, 64, "", F::kContentLength, {100}},
      {"post-empty", "POST", "/api/empty", 200, 0, "", F::kContentLength, {0}},
      {"post-500", "POST", "/fail", 500, 1500, "", F::kContentLength, {10}},
      {"put-length", "PUT", "/api/items/7", 200, 9000, "", F::kContentLength, {2000}},
      {"post-chunked", "POST", "/upload/chunked", 201, 16, "", F::kChunked, {37, 5, 11}},
      // Left out: a chunked body whose chunk-size lines lie beyond the captured prefix of the
      // read that carries them (e.g. PUT chunks 1000, 3000, 500 in one write, payload_bytes
      // 256). Hugin then reports request_body_bytes 4519 for 4500 on every fixture: the
      // stitcher counts the framing it could not see (an upper bound it marks `estimated`,
      // core/protocols/http1/types.h), and the exported span does not say so. An agent issue,
      // reported; the chunked element above keeps its framing inside the capture.
      {"delete-204", "DELETE", "/api/items/9", 204, 0, "", F::kNone, {}},
  };
  return mix;
}

std::vector<MixElement> SingleRequestMix(const LoadSpec& load) {
  MixElement e;
  e.name = "single";
  e.method = load.method;
  // The scenario's path goes after the identity verbatim, query and all.
  e.tail = load.path;
  if (load.body_bytes > 0) {
    e.framing = F::kContentLength;
    e.body_chunks = {load.body_bytes};
  }
  return {e};
}

std::vector<MixElement> ScenarioMix(const LoadSpec& load) {
  return load.mix == "single" ? SingleRequestMix(load) : DefaultMix();
}

std::vector<uint16_t> MixSequence(size_t elements, uint64_t seed) {
  std::vector<uint16_t> seq(kMixPeriod);
  if (elements == 0) return seq;
  for (size_t i = 0; i < seq.size(); ++i) seq[i] = static_cast<uint16_t>(i % elements);
  uint64_t state = seed;
  for (size_t i = seq.size() - 1; i > 0; --i) std::swap(seq[i], seq[SplitMix64(state) % (i + 1)]);
  return seq;
}

}  // namespace hugin::harness
