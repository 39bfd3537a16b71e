#include "core/protocols/registry.h"

#include "core/protocols/http1/protocol.h"
#include "core/protocols/http2/protocol.h"

namespace hugin::protocols {

// Adding a protocol: its folder, its BUILD dependency below, and one line here.
static const ProtocolTraits* const kProtocols[] = {
    &http1::kTraits,
    &http2::kTraits,
};

std::span<const ProtocolTraits* const> Registry() { return kProtocols; }

}  // namespace hugin::protocols
