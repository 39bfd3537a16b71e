#include "core/agent/service_names.h"

namespace hugin {

void ServiceNames::Remember(uint32_t pid, const std::string& name) {
  auto it = names_.find(pid);
  if (it != names_.end()) {
    it->second = name;
    return;
  }
  if (!full()) names_.emplace(pid, name);
}

const std::string* ServiceNames::Find(uint32_t pid) const {
  auto it = names_.find(pid);
  return it == names_.end() ? nullptr : &it->second;
}

}  // namespace hugin
