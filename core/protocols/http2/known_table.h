// The part of a peer's HPACK dynamic table that a tolerant decoder knows: the entries inserted
// since it started following the direction, newest first, each known or not (an insertion whose
// name came from an unknown entry). Index 62 is always the newest insertion, so these entries
// keep their indices whatever came before; the real table is a prefix of this list (eviction
// drops the oldest, an oversized entry empties the table), so an encoder never references an
// entry here that the real table lacks. No sizes are needed to resolve indices.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <utility>

namespace hugin::http2 {

class KnownTable {
 public:
  using Entry = std::optional<std::pair<std::string, std::string>>;  // nullopt: unknown content

  explicit KnownTable(size_t max_entries) : max_entries_(max_entries) {}

  void Insert(Entry e) {
    entries_.push_front(std::move(e));
    if (entries_.size() > max_entries_) entries_.pop_back();
  }
  // HPACK index (>= 62) -> the entry, or nullptr when it is from before the attach / unknown.
  const std::pair<std::string, std::string>* Lookup(uint64_t hpack_index) const {
    if (hpack_index < 62 || hpack_index - 62 >= entries_.size()) return nullptr;
    const Entry& e = entries_[static_cast<size_t>(hpack_index - 62)];
    return e ? &*e : nullptr;
  }
  void Clear() { entries_.clear(); }
  size_t size() const { return entries_.size(); }

 private:
  size_t max_entries_;
  std::deque<Entry> entries_;
};

}  // namespace hugin::http2
