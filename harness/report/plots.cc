#include "harness/report/plots.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/report/cost_plot.h"
#include "harness/report/gnuplot.h"
#include "harness/util/stats.h"

namespace hugin::harness {
namespace {

std::string Header(const std::string& png, int width = 900, int height = 420) {
  return "set terminal pngcairo size " + std::to_string(width) + "," + std::to_string(height) +
         " font 'sans,10' noenhanced\nset output '" + png + "'\nset grid ytics\n";
}

}  // namespace

std::string HistogramData(const std::vector<double>& values, int bins) {
  if (values.empty() || bins < 1) return "";
  double lo = Percentile(values, 0.5), hi = Percentile(values, 99.5);
  if (hi <= lo) hi = lo + 1;
  const double width = (hi - lo) / bins;
  std::vector<size_t> counts(bins, 0);
  for (double v : values) {
    if (v < lo || v > hi) continue;
    const int b = std::min(bins - 1, static_cast<int>((v - lo) / width));
    ++counts[b];
  }
  std::ostringstream out;
  for (int b = 0; b < bins; ++b) out << lo + (b + 0.5) * width << " " << counts[b] << "\n";
  return out.str();
}

std::vector<std::string> DrawPlots(const ScenarioSummary& s, const std::string& dir,
                                   std::vector<std::string>& errors) {
  std::vector<std::string> pngs;
  const std::string name = s.scenario.name;
  const std::string plot_dir = dir + "/plots";
  std::filesystem::create_directories(plot_dir);

  // 1. Overhead: throughput and p99 per arm, first step (per run points + median bars).
  if (!s.steps.empty() && !s.steps.front().arms.empty()) {
    const StepSummary& st = s.steps.front();
    const std::string data = plot_dir + "/" + name + "_overhead.dat";
    std::ofstream d(data);
    int i = 0;
    for (const auto& arm : s.scenario.arms) {
      auto it = st.arms.find(arm);
      if (it == st.arms.end()) continue;
      d << i++ << " " << ArmName(arm) << " " << it->second.throughput_rps << " " << it->second.p99_us / 1e3
        << "\n";
    }
    d.close();
    const std::string png = "plots/" + name + "_overhead.png";
    const std::string script = plot_dir + "/" + name + "_overhead.gp";
    std::ofstream g(script);
    g << Header(dir + "/" + png) << "set multiplot layout 1,2 title '" << name
      << ": baseline vs instrumented (median of runs)'\n"
      << "set style fill solid 0.6\nset boxwidth 0.6\nset yrange [0:*]\nset xrange [-0.7:"
      << i - 0.3 << "]\n"
      << "set title 'throughput (req/s)'\nplot '" << data
      << "' using 1:3:xtic(2) with boxes notitle lc rgb '#4477aa'\n"
      << "set title 'p99 latency (ms)'\nplot '" << data
      << "' using 1:4:xtic(2) with boxes notitle lc rgb '#cc6677'\nunset multiplot\n";
    g.close();
    if (RunGnuplot(script, errors)) pngs.push_back(png);
  }

  // 2. Duration delta histogram (span duration - handler duration), all steps.
  std::vector<double> deltas;
  for (const auto& st : s.steps)
    deltas.insert(deltas.end(), st.duration_deltas_us.begin(), st.duration_deltas_us.end());
  if (!deltas.empty()) {
    const std::string data = plot_dir + "/" + name + "_duration_delta.dat";
    std::ofstream(data) << HistogramData(deltas, 50);
    const std::string png = "plots/" + name + "_duration_delta.png";
    const std::string script = plot_dir + "/" + name + "_duration_delta.gp";
    std::ofstream g(script);
    g << Header(dir + "/" + png) << "set title '" << name
      << ": span duration - handler duration (µs), n=" << deltas.size() << "'\n"
      << "set xlabel 'delta (µs)'\nset ylabel 'requests'\nset style fill solid 0.6\n"
      << "plot '" << data << "' using 1:2 with boxes notitle lc rgb '#228833'\n";
    g.close();
    if (RunGnuplot(script, errors)) pngs.push_back(png);
  }

  // 2b. Span duration - wire duration histogram (the wire oracle), all steps with valid figures.
  std::vector<double> wire_errors;
  for (const auto& st : s.steps)
    if (st.wire && st.wire->valid())
      wire_errors.insert(wire_errors.end(), st.wire->duration_errors_us.begin(),
                         st.wire->duration_errors_us.end());
  if (!wire_errors.empty()) {
    const std::string data = plot_dir + "/" + name + "_wire_duration_error.dat";
    std::ofstream(data) << HistogramData(wire_errors, 50);
    const std::string png = "plots/" + name + "_wire_duration_error.png";
    const std::string script = plot_dir + "/" + name + "_wire_duration_error.gp";
    std::ofstream g(script);
    g << Header(dir + "/" + png) << "set title '" << name
      << ": span duration - wire duration (µs), central 99%, n=" << wire_errors.size() << "'\n"
      << "set xlabel 'error (µs)'\nset ylabel 'requests'\nset style fill solid 0.6\n"
      << "plot '" << data << "' using 1:2 with boxes notitle lc rgb '#aa3377'\n";
    g.close();
    if (RunGnuplot(script, errors)) pngs.push_back(png);
  }

  // 3. Loss vs offered rate, for a sweep.
  if (s.steps.size() > 1) {
    const std::string data = plot_dir + "/" + name + "_loss.dat";
    std::ofstream d(data);
    for (const auto& st : s.steps) {
      const double req = st.requests ? double(st.requests) : 1;
      d << st.rate << " " << 100.0 * double(st.missing) / req << " "
        << 100.0 * st.kernel_drops / req << " " << 100.0 * double(st.silent_loss) / req << "\n";
    }
    d.close();
    const std::string png = "plots/" + name + "_loss_vs_rate.png";
    const std::string script = plot_dir + "/" + name + "_loss_vs_rate.gp";
    std::ofstream g(script);
    g << Header(dir + "/" + png) << "set title '" << name
      << ": loss vs offered rate (ring buffer " << s.scenario.hugin.ringbuf_bytes << " B)'\n"
      << "set xlabel 'offered rate (req/s)'\nset ylabel '% of requests'\nset key top right\n"
      << "plot '" << data << "' using 1:2 with linespoints title 'missing spans' lw 2, '" << data
      << "' using 1:3 with linespoints title 'kernel drops (events)' lw 2, '" << data
      << "' using 1:4 with linespoints title 'silent loss' lw 2\n";
    g.close();
    if (RunGnuplot(script, errors)) pngs.push_back(png);
  }
  // 4. The cost breakdown (profile runs): agent stages, service groups added.
  if (auto png = DrawCostPlot(s, dir, errors)) pngs.push_back(*png);
  return pngs;
}

}  // namespace hugin::harness
