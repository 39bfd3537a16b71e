// Runs one gnuplot script (gnuplot-nox, pngcairo): the one place every plot goes through.
#pragma once

#include <string>
#include <vector>

namespace hugin::harness {

// Runs `gnuplot script_path` (30 s at most). On failure appends "gnuplot PATH exited with N" to
// `errors` and returns false: a missing plot never fails a run.
bool RunGnuplot(const std::string& script_path, std::vector<std::string>& errors);

}  // namespace hugin::harness
