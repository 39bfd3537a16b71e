// Small dense ids for the few distinct strings of a label (service names): the metrics hot path
// keys its series by id, so a span's labels are compared, not copied into a string key.
// Not thread-safe; Metrics locks.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hugin {

class StringInterner {
 public:
  // The id of `s`, a new one (0, 1, 2, ...) the first time `s` is seen.
  uint32_t Id(std::string_view s);
  const std::string& Name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> names_;  // by id
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
  // Consecutive spans nearly always carry the service name of the one before: one compare
  // instead of a hash.
  uint32_t last_id_ = UINT32_MAX;
};

}  // namespace hugin
