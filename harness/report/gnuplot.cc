#include "harness/report/gnuplot.h"

#include <chrono>

#include "harness/util/process.h"

namespace hugin::harness {

bool RunGnuplot(const std::string& script_path, std::vector<std::string>& errors) {
  std::string out;
  const int code = RunCommand({"gnuplot", script_path}, out, std::chrono::seconds(30));
  if (code != 0) errors.push_back("gnuplot " + script_path + " exited with " + std::to_string(code));
  return code == 0;
}

}  // namespace hugin::harness
