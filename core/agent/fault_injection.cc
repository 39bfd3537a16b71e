#include "core/agent/fault_injection.h"

#include <string_view>

#include "core/config/value_parsing.h"

namespace hugin {
namespace {

using config_internal::Quote;
using config_internal::Trim;

constexpr uint64_t kMaxEvery = 1000000000;

Error Bad(std::string_view item, const std::string& why) {
  return Error{"hugin: HUGIN_FAULT: " + Quote(item) + ": " + why};
}

}  // namespace

Result<FaultPlan> ParseFaultPlan(const EnvLookup& env) {
  FaultPlan plan;
  std::optional<std::string> value = env("HUGIN_FAULT");
  if (!value || Trim(*value).empty()) return plan;
  plan.enabled = true;
  std::string_view rest = *value;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    size_t colon = item.find(':');
    std::string_view kind = Trim(item.substr(0, colon));
    uint64_t* every = kind == "drop_span"     ? &plan.drop_span_every
                      : kind == "swap_status" ? &plan.swap_status_every
                                              : nullptr;
    if (!every) return Bad(item, "unknown fault: use drop_span:N or swap_status:N");
    if (*every != 0) return Bad(item, "given twice");
    auto n = colon == std::string_view::npos
                 ? std::nullopt
                 : config_internal::ParseUnsigned(item.substr(colon + 1), 1, kMaxEvery);
    if (!n) return Bad(item, "N must be a whole number in 1..1000000000 (every Nth span)");
    *every = *n;
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return plan;
}

bool FaultInjector::Apply(Span& span) {
  finished_++;
  if (plan_.drop_span_every && finished_ % plan_.drop_span_every == 0) {
    dropped_++;
    return false;
  }
  exported_++;
  if (plan_.swap_status_every && exported_ % plan_.swap_status_every == 0) {
    span.status = span.status == 200 ? 500 : 200;
    swapped_++;
  }
  return true;
}

std::string FaultInjector::Summary() const {
  return "hugin: fault injection planted drop_span=" + std::to_string(dropped_) +
         " swap_status=" + std::to_string(swapped_);
}

}  // namespace hugin
