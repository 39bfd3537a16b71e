// Fuzz target: one HTTP/2 connection, both directions split into chunks by the input
// (tests/fuzz/chunk_script.h), through the parser the connection tracker uses (kTraits: frame
// reader, HPACK with its tolerant path, streams, gRPC message counting).
#include <string>

#include "core/protocols/http2/protocol.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/parser_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (const hugin::protocols::Exchange& x :
       hugin::fuzz::RunParser(hugin::http2::kTraits, data, size)) {
    const std::string protocol = x.protocol;
    FUZZ_CHECK(protocol == "http2" || protocol == "grpc");
    FUZZ_CHECK(x.path.find_first_of("?#") == std::string::npos);  // the query is stripped
    FUZZ_CHECK(x.stream_id != 0);  // stream 0 is the connection's, never an exchange
  }
  return 0;
}
