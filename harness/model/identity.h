// Request identity: every HTTP request the harness sends names itself at the start of its URL
// path, where both the fixture's ground-truth log and Hugin's spans keep it (the agent strips the
// query string, so the identity cannot live there):
//
//   /<prefix>/<run_id>/<n>   then '/', '?' or the end of the path
//
// - prefix: "r" for the measured load, "w" for a warm-up load the runner discards;
// - run_id: one per run (letters, digits, '-', '_');
// - n: a decimal number. wrk gives every request of a run its own n (unique per run and prefix);
//   h2load sends the same URI list once per client connection, so there the identity is the pair
//   (client port, n).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hugin::harness {

inline constexpr const char* kMeasuredPrefix = "r";
inline constexpr const char* kWarmupPrefix = "w";

// What a load names its requests with: the prefix and the run.
struct RequestIdentity {
  std::string prefix = kMeasuredPrefix;
  std::string run_id;
};

// An identity read back from a path.
struct PathIdentity {
  std::string prefix;
  std::string run_id;
  uint64_t n = 0;
};

// True for a non-empty prefix or run id made of letters, digits, '-' and '_'.
bool ValidIdentityToken(std::string_view token);

// "/<prefix>/<run_id>/<n>" (the caller appends the rest of the path and the query).
std::string IdentityPath(const RequestIdentity& id, uint64_t n);

// The identity at the start of `path`, or nothing when the path does not start with one.
std::optional<PathIdentity> ParseIdentityPath(std::string_view path);

// What a path is to the run `run_id`: a request of its measured load (/r/<run_id>/<n>; n is
// stored in *n), of its warm-up load (/w/<run_id>/<n>), or neither.
enum class PathRole { kMeasured, kWarmup, kOther };
PathRole RoleOfPath(std::string_view path, const std::string& run_id, uint64_t* n = nullptr);

}  // namespace hugin::harness
