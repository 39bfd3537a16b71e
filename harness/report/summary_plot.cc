#include "harness/report/summary_plot.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/report/gnuplot.h"

namespace hugin::harness {
namespace {

std::string Value(const std::optional<Estimate>& v) {
  if (!v) return "NaN";
  std::ostringstream s;
  s << v->value;
  return s.str();
}

bool HasOtel(const std::vector<ScenarioSummary>& scenarios) {
  for (const auto& s : scenarios) {
    const Headline h = HeadlineOf(s);
    if (h.otel_throughput_ratio || h.otel_p99_latency_ratio) return true;
  }
  return false;
}

}  // namespace

std::string SummaryPlotData(const std::vector<ScenarioSummary>& scenarios) {
  std::ostringstream d;
  for (const auto& s : scenarios) {
    const Headline st = HeadlineOf(s);  // the worst step of a sweep
    if (!st.throughput_ratio && !st.p99_latency_ratio) continue;  // no baseline/hugin pair
    d << s.scenario.name << " " << Value(st.throughput_ratio) << " " << Value(st.p99_latency_ratio)
      << " " << Value(st.otel_throughput_ratio) << " " << Value(st.otel_p99_latency_ratio) << "\n";
  }
  return d.str();
}

std::optional<std::string> DrawSummaryPlot(const std::vector<ScenarioSummary>& scenarios,
                                           const std::string& dir,
                                           std::vector<std::string>& errors) {
  const std::string rows = SummaryPlotData(scenarios);
  if (rows.empty()) return std::nullopt;
  const std::string plot_dir = dir + "/plots";
  std::filesystem::create_directories(plot_dir);
  const std::string data = plot_dir + "/summary.dat";
  std::ofstream(data) << rows;
  size_t n = 0;
  for (char c : rows) n += c == '\n';

  const std::string png = "plots/summary.png";
  const std::string script = plot_dir + "/summary.gp";
  const int width = static_cast<int>(std::max<size_t>(700, 160 + 110 * n));
  std::ofstream g(script);
  g << "set terminal pngcairo size " << width << ",460 font 'sans,10' noenhanced\n"
    << "set output '" << dir << "/" << png << "'\n"
    << "set title 'instrumented / baseline per scenario (first offered rate, median over pairs)'\n"
    << "set grid ytics\nset style data histograms\nset style histogram clustered gap 1\n"
    << "set style fill solid 0.75 border -1\nset boxwidth 0.9\n"
    << "set yrange [0:*]\nset offsets 0,0,graph 0.08,0\nset ylabel 'ratio (throughput: higher is better, p99: lower is better)'\nset key outside bottom center horizontal\n"
    << "set xrange [-0.6:" << n - 0.4 << "]\n"
    << (n > 4 ? "set xtics rotate by -25\n" : "")
    // The reference line: 1.0 means the arm costs nothing.
    << "plot '" << data << "' using 2:xtic(1) title 'Hugin throughput' lc rgb '#4477aa', "
    << "'' using 3 title 'Hugin p99 latency' lc rgb '#cc6677'";
  if (HasOtel(scenarios))
    g << ", '' using 4 title 'OpenTelemetry throughput' lc rgb '#88ccee', "
      << "'' using 5 title 'OpenTelemetry p99 latency' lc rgb '#ddaa99'";
  // Each bar's value above it: bar i of k in a cluster sits at row + (i - (k-1)/2) / (k + gap).
  const int bars = HasOtel(scenarios) ? 4 : 2;
  for (int i = 0; i < bars; ++i)
    g << ", '' using ($0 + " << (i - (bars - 1) / 2.0) / (bars + 1) << "):" << i + 2
      << ":(sprintf('%.2f', $" << i + 2 << ")) with labels offset 0,0.6 notitle";
  g << ", 1 with lines dt 2 lw 2 lc rgb 'black' title '1.0 = no change'\n";
  g.close();

  if (!RunGnuplot(script, errors)) return std::nullopt;
  return png;
}

}  // namespace hugin::harness
