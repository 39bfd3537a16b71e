#include "core/tls/go/conn_offsets.h"

namespace hugin::gotls {

namespace {

struct Row {
  int min_minor, max_minor;  // inclusive range of Go 1.x
  ConnOffsets offsets;
};

// One row today. When a Go release moves a field, add a row (and check it against DWARF).
// max_minor is open-ended on purpose: a newer Go is more likely to keep the layout than
// not, and a binary with DWARF never reaches this table.
constexpr Row kTable[] = {
    {17, 1000, {0, 0, 0, 16}},
};

}  // namespace

std::optional<ConnOffsets> ConnOffsetsForGoVersion(int minor) {
  for (const Row& r : kTable)
    if (minor >= r.min_minor && minor <= r.max_minor) return r.offsets;
  return std::nullopt;
}

}  // namespace hugin::gotls
