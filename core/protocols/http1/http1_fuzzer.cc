// Fuzz target: one HTTP/1.x connection, both directions split into chunks by the input
// (tests/fuzz/chunk_script.h), through the parser the connection tracker uses (kTraits:
// stitcher, message streams, head parsing).
#include <string>

#include "core/protocols/http1/protocol.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/parser_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (const hugin::protocols::Exchange& x :
       hugin::fuzz::RunParser(hugin::http1::kTraits, data, size)) {
    FUZZ_CHECK(std::string(x.protocol) == "http");
    FUZZ_CHECK(!x.method.empty());  // a record is made from a parsed request line
    FUZZ_CHECK(x.answered == (x.status != 0));
  }
  return 0;
}
