// Where the programs the harness drives live: Bazel runfiles when run with `bazel run`/`bazel
// test`, else the workspace's bazel-bin; environment variables override both. And the
// workspace itself: where it is, and whether its tracked files changed.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hugin::harness {

// HUGIN_AGENT_BIN, else runfiles core/agent/hugin, else <workspace>/bazel-bin/core/agent/hugin.
std::optional<std::string> FindAgentBinary();
// HUGIN_FIXTURE_<LANG>_BIN, else runfiles fixtures/<lang>/server, else bazel-bin.
std::optional<std::string> FindFixtureBinary(const std::string& language);
// Any binary of the workspace by its package path (e.g. "core/events/decode_benchmark"):
// runfiles, else <workspace>/bazel-bin.
std::optional<std::string> FindWorkspaceBinary(const std::string& rel);
// The OpenTelemetry Node peer's register.js (HUGIN_OTEL_PEER_DIR or <workspace>/harness/peers/
// otel-node), only when its node_modules are installed (harness/setup).
std::optional<std::string> FindOtelRegisterScript(std::string& why_not);
// BUILD_WORKSPACE_DIRECTORY (bazel run), else the current directory.
std::string WorkspaceDirectory();
// The git command whose output is empty when `workspace`'s tracked files are unchanged, leaving
// out `out_dir` (the run folder) when it is inside: a named run re-made into its tracked folder
// (results/roundN) changes only its own output, not the code it measured.
std::vector<std::string> GitStatusCommand(const std::string& workspace, const std::string& out_dir);

}  // namespace hugin::harness
