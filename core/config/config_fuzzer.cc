// Fuzz target: ParseConfig on a command line and an environment built from the input, then the
// parsed selection used as the agent uses it (ports, executable regex).
//
// Input: NUL-separated tokens. The tokens before the first empty one are the arguments after
// "hugin"; the ones after it are environment entries NAME=VALUE (a token without '=' is a
// name with an empty value).
//
// Checked: an error is one line starting with "hugin: " (exit 2); the usage is not empty; a
// Config satisfies every bound ParseConfig promises.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/config/capture_limits.h"
#include "core/config/config.h"
#include "core/config/executable_matcher.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args = {"hugin"};
  std::map<std::string, std::string> env;
  bool in_env = false;
  size_t start = 0;
  while (start <= in.size()) {
    size_t end = in.find('\0', start);
    if (end == std::string_view::npos) end = in.size();
    const std::string_view token = in.substr(start, end - start);
    start = end + 1;
    if (!in_env && token.empty()) {
      in_env = true;
    } else if (!in_env) {
      args.emplace_back(token);
    } else {
      const size_t eq = token.find('=');
      env[std::string(token.substr(0, eq))] =
          eq == std::string_view::npos ? "" : std::string(token.substr(eq + 1));
    }
  }
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  auto lookup = [&env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };

  auto r = hugin::ParseConfig(static_cast<int>(args.size()), argv.data(), lookup);
  if (!r.ok()) {
    const std::string& message = r.error().message;
    FUZZ_CHECK(message.rfind("hugin: ", 0) == 0);
    FUZZ_CHECK(message.find('\n') == std::string::npos);
    return 0;
  }
  if (auto* help = std::get_if<hugin::HelpText>(&r.value())) {
    FUZZ_CHECK(!help->text.empty());
    return 0;
  }
  const hugin::Config& c = std::get<hugin::Config>(r.value());
  FUZZ_CHECK(!c.open_ports.empty() || !c.executable_regex.empty() || c.trace_all);
  for (const hugin::PortRange& p : c.open_ports) {
    FUZZ_CHECK(p.first <= p.last);
    FUZZ_CHECK(hugin::PortSelected(c, p.first) && hugin::PortSelected(c, p.last));
  }
  // What the loader will be asked for is what it accepts (core/config/capture_limits.h).
  FUZZ_CHECK(hugin::CheckCaptureLimits(c.payload_bytes, c.ringbuf_bytes).ok());
  FUZZ_CHECK(c.discovery_interval_ms >= 10 && c.discovery_interval_ms <= 3600000);
  // Discovery matches the regex against executable paths.
  if (!c.executable_regex.empty()) {
    auto matcher = hugin::ExecutableMatcher::Compile(c.executable_regex);
    FUZZ_CHECK(matcher.ok());  // ParseConfig accepted it, so it compiles
    matcher.value().Matches("/usr/local/bin/server");
    matcher.value().Matches("/proc/self/exe");
  }
  return 0;
}
