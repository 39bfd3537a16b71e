// The privileged process's memory of service names: every pid it announced (WatchingMsg) with
// its name, kept after the process is gone, because the process's HTTP/1 series stay in map
// kernel_series (entries are never deleted) and must keep their service_name label. Bounded:
// a pid past the bound has no name here (the caller labels it kUnknown).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace hugin {

class ServiceNames {
 public:
  static constexpr size_t kMaxNames = 65536;
  // OpenTelemetry's service.name when nothing better is known.
  static constexpr const char* kUnknown = "unknown_service";

  explicit ServiceNames(size_t max_names = kMaxNames) : max_(max_names) {}

  // Keeps `name` for `pid`, replacing the name of an earlier process with that pid (pids are
  // reused; the series of both share the tgid key anyway). A new pid when full is not kept.
  void Remember(uint32_t pid, const std::string& name);
  // The pid's name, or nullptr.
  const std::string* Find(uint32_t pid) const;
  bool full() const { return names_.size() >= max_; }
  size_t size() const { return names_.size(); }

 private:
  size_t max_;
  std::unordered_map<uint32_t, std::string> names_;
};

}  // namespace hugin
