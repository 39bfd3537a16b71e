#include "harness/collect/perf_record.h"

#include <filesystem>
#include <thread>

namespace hugin::harness {
namespace {

// The last non-empty line of a log, for error messages.
std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of("\n\r ");
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start == std::string::npos ? 0 : start + 1));
}

}  // namespace

std::optional<PerfRecorder> PerfRecorder::Start(const std::vector<pid_t>& pids,
                                                const std::string& dir,
                                                const std::string& name,
                                                const PerfOptions& options, std::string& error) {
  const std::string data = dir + "/" + name + ".data", log = dir + "/" + name + ".perf";
  std::vector<std::string> argv{"perf", "record", "-F", std::to_string(options.frequency_hz)};
  if (options.dwarf)
    argv.insert(argv.end(), {"--call-graph", "dwarf,16384"});
  else
    argv.push_back("-g");
  std::string pid_list;
  for (pid_t pid : pids) pid_list += (pid_list.empty() ? "" : ",") + std::to_string(pid);
  if (pid_list.empty()) {
    error = "perf record: no process to sample";
    return std::nullopt;
  }
  argv.insert(argv.end(), {"-p", pid_list, "-o", data});
  try {
    ChildProcess child = ChildProcess::Start(argv, log + ".out", log + ".err");
    // perf opens one event per thread of the process before it samples; give it that time, and
    // notice an immediate failure (no permission, no such pid, no perf_event support).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    if (!child.Running()) {
      error = "perf record exited at once: " + LastLine(ReadWholeFile(log + ".err"));
      return std::nullopt;
    }
    return PerfRecorder(std::move(child), data, log);
  } catch (const std::exception& e) {
    error = std::string("cannot start perf: ") + e.what();
    return std::nullopt;
  }
}

std::optional<std::string> PerfRecorder::StopAndScript(std::string& error) {
  child_.Stop(std::chrono::seconds(20));
  std::error_code ec;
  if (!std::filesystem::exists(data_, ec) || std::filesystem::file_size(data_, ec) == 0) {
    error = "perf record wrote no data: " + LastLine(ReadWholeFile(log_ + ".err"));
    return std::nullopt;
  }
  const std::string script = log_ + ".script";
  int code = -1;
  {
    ChildProcess perf = ChildProcess::Start(
        {"perf", "script", "-i", data_, "-F", "tid,period,ip,sym"}, script, log_ + ".script.err");
    const auto r = perf.Wait(std::chrono::seconds(180));
    code = r ? *r : perf.Stop();
  }
  std::string text = ReadWholeFile(script);
  std::filesystem::remove(script, ec);
  if (code != 0) {
    error = "perf script exited with " + std::to_string(code) + ": " +
            LastLine(ReadWholeFile(log_ + ".script.err"));
    return std::nullopt;
  }
  return text;
}

}  // namespace hugin::harness
