// Runs the load tool a scenario names against a fixture and parses what it reports.
#pragma once

#include <string>
#include <vector>

#include "harness/collect/load_output.h"
#include "harness/model/scenario.h"

namespace hugin::harness {

struct LoadTarget {
  std::string scheme = "http";  // http | https
  int port = 0;
  std::string path;             // overrides the scenario's path when set (gRPC method)
};

// The command line for one load run; files it needs (wrk Lua script, request bodies, the h2load
// log) are written/expected under `work_dir`. `rate` is total requests/s (h2load) or 0.
std::vector<std::string> LoadCommand(const Scenario& s, const LoadTarget& target, int rate,
                                     const std::string& work_dir);

// Writes the wrk Lua script (method, body, JSON summary in done()) and the request body files.
void WriteLoadFiles(const Scenario& s, const std::string& work_dir);

// A gRPC unary request for fixtures/proto/echo.proto: a length-prefixed EchoRequest with
// `payload` set. Returned as the bytes h2load posts with -d.
std::string GrpcEchoRequestBody(const std::string& payload);

// Runs the tool (bounded by the load duration + 60 s), parses its output.
// Throws std::runtime_error with the tool's output when it fails.
LoadResult RunLoad(const Scenario& s, const LoadTarget& target, int rate,
                   const std::string& work_dir);

}  // namespace hugin::harness
