// HTTP/1.x on the protocol contract (core/protocols/common/parser.h): inference from a request
// or status line, and the Stitcher behind the ConnectionParser interface.
#pragma once

#include "core/protocols/common/parser.h"

namespace hugin::http1 {

// A request line start -> sent by the client; a status line -> sent by the server.
protocols::Inference Infer(std::string_view bytes, bool at_stream_start);

extern const protocols::ProtocolTraits kTraits;

}  // namespace hugin::http1
