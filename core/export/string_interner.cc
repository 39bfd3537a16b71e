#include "core/export/string_interner.h"

namespace hugin {

uint32_t StringInterner::Id(std::string_view s) {
  if (last_id_ != UINT32_MAX && names_[last_id_] == s) return last_id_;
  auto it = ids_.find(s);
  if (it == ids_.end()) {
    it = ids_.emplace(std::string(s), static_cast<uint32_t>(names_.size())).first;
    names_.emplace_back(s);
  }
  return last_id_ = it->second;
}

}  // namespace hugin
