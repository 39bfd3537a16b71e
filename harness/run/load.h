// Runs the load tool a scenario names against a fixture and parses what it reports.
#pragma once

#include <string>
#include <vector>

#include "harness/collect/load_output.h"
#include "harness/model/identity.h"
#include "harness/model/scenario.h"

namespace hugin::harness {

struct LoadTarget {
  std::string scheme = "http";  // http | https
  int port = 0;
  std::string path;             // gRPC: the method's path (HTTP paths come from the mix)
};

// One load run sends its requests under `id` (model/identity.h): every HTTP/1.1 request's path
// starts with /<id.prefix>/<id.run_id>/<n>, followed by the path and query of its element of the
// scenario's request mix (run/request_mix.h). gRPC requests are the Echo/Unary call (the path is
// the method): `id` does not apply to them.
//
// - wrk: a generated Lua script (`load.lua`) builds each request in request(); setup(thread)
//   numbers wrk's threads, and request n = thread + threads * (that thread's count) is unique
//   across threads. The done() hook prints wrk's summary as one JSON line.
// - h2load: `-i uris.txt`, a generated URI list. h2load walks the list in order once per client
//   connection, so the same n is sent by every connection: the identity is (client port, n).
//   The list is long enough that no client wraps around within the run (H2loadUriCount). h2load
//   sends one method and one body per run: the scenario's method and body_bytes.
//
// Files go to `work_dir` (load.lua, uris.txt, body.bin; h2load writes h2load.log there).
// `rate` is total requests/s (h2load) or 0.
void WriteLoadFiles(const Scenario& s, const LoadTarget& target, int rate,
                    const RequestIdentity& id, const std::string& work_dir);

// The generators WriteLoadFiles uses, as text: the wrk Lua script, and h2load's URI list (one
// absolute URI per line) for the target.
std::string WrkScript(const Scenario& s, const RequestIdentity& id);
std::string H2loadUriList(const Scenario& s, const LoadTarget& target, int rate,
                          const RequestIdentity& id);

std::vector<std::string> LoadCommand(const Scenario& s, const LoadTarget& target, int rate,
                                     const std::string& work_dir);

// URIs h2load needs per client: rate / connections * duration, plus half again and 100.
size_t H2loadUriCount(const LoadSpec& load, int rate);

// A gRPC unary request for fixtures/proto/echo.proto: a length-prefixed EchoRequest with
// `payload` set. Returned as the bytes h2load posts with -d.
std::string GrpcEchoRequestBody(const std::string& payload);

// Writes the load files, runs the tool (bounded by the load duration + 60 s), parses its output.
// Throws std::runtime_error with the tool's output when it fails.
LoadResult RunLoad(const Scenario& s, const LoadTarget& target, int rate,
                   const RequestIdentity& id, const std::string& work_dir);

}  // namespace hugin::harness
