#include "harness/util/binaries.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace hugin::harness {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> FirstExecutable(std::initializer_list<std::string> candidates) {
  for (const auto& c : candidates) {
    if (c.empty()) continue;
    std::error_code ec;
    if (fs::exists(c, ec) && access(c.c_str(), X_OK) == 0) return fs::absolute(c).string();
  }
  return std::nullopt;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string Runfile(const std::string& path) {
  for (const char* var : {"RUNFILES_DIR", "TEST_SRCDIR"}) {
    const std::string dir = Env(var);
    if (!dir.empty()) return dir + "/hugin/" + path;
  }
  return path;  // bazel run: the current directory is the runfiles tree
}

}  // namespace

std::string WorkspaceDirectory() {
  const std::string ws = Env("BUILD_WORKSPACE_DIRECTORY");
  return ws.empty() ? fs::current_path().string() : ws;
}

std::vector<std::string> GitStatusCommand(const std::string& workspace, const std::string& out_dir) {
  std::vector<std::string> argv = {"git", "-C", workspace, "status", "--porcelain",
                                   "--untracked-files=no"};
  const fs::path rel = fs::path(out_dir).lexically_normal().lexically_relative(workspace);
  if (!rel.empty() && *rel.begin() != ".." && rel != ".") {
    argv.push_back("--");
    argv.push_back(".");
    argv.push_back(":(exclude)" + rel.string());
  }
  return argv;
}

std::optional<std::string> FindAgentBinary() {
  return FirstExecutable({Env("HUGIN_AGENT_BIN"), Runfile("core/agent/hugin"),
                          WorkspaceDirectory() + "/bazel-bin/core/agent/hugin"});
}

std::optional<std::string> FindFixtureBinary(const std::string& language) {
  std::string upper;
  for (char c : language) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string rel = "fixtures/" + language + "/server";
  return FirstExecutable({Env(("HUGIN_FIXTURE_" + upper + "_BIN").c_str()), Runfile(rel),
                          WorkspaceDirectory() + "/bazel-bin/" + rel});
}

std::optional<std::string> FindWorkspaceBinary(const std::string& rel) {
  return FirstExecutable({Runfile(rel), WorkspaceDirectory() + "/bazel-bin/" + rel});
}

std::optional<std::string> FindOtelRegisterScript(std::string& why_not) {
  std::string dir = Env("HUGIN_OTEL_PEER_DIR");
  if (dir.empty()) dir = WorkspaceDirectory() + "/harness/peers/otel-node";
  if (!fs::exists(dir + "/node_modules/@opentelemetry/sdk-node")) {
    why_not = dir + "/node_modules is missing: run harness/setup (npm ci)";
    return std::nullopt;
  }
  return fs::absolute(dir + "/register.js").string();
}

}  // namespace hugin::harness
