// PNG plots drawn with gnuplot (gnuplot-nox, pngcairo): overhead (throughput and p99 per arm),
// the span-vs-handler duration delta histogram, the span-vs-wire duration error histogram, and
// loss vs offered rate for a sweep.
#pragma once

#include <string>
#include <vector>

#include "harness/analyze/summary.h"

namespace hugin::harness {

// Histogram of `values` into `bins` equal-width bins over [p0.5, p99.5]: "center count" lines.
std::string HistogramData(const std::vector<double>& values, int bins);

// Writes the data and gnuplot scripts under `dir`/plots/ and runs gnuplot. Returns the PNG file
// names relative to `dir`; problems go to `errors` (a missing plot never fails the run).
std::vector<std::string> DrawPlots(const ScenarioSummary& s, const std::string& dir,
                                   std::vector<std::string>& errors);

}  // namespace hugin::harness
