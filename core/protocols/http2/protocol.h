// HTTP/2 (cleartext, prior knowledge) and gRPC on the protocol contract
// (core/protocols/common/parser.h): inference from the client preface, the server's first
// SETTINGS or, mid-stream, frames that end where the syscall ended; the Connection behind the
// ConnectionParser interface. Full capture: one missing header-block byte desynchronises HPACK.
#pragma once

#include "core/protocols/common/parser.h"

namespace hugin::http2 {

protocols::Inference Infer(std::string_view bytes, uint64_t len, bool at_stream_start);

extern const protocols::ProtocolTraits kTraits;

}  // namespace hugin::http2
