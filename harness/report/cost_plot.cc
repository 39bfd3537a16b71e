#include "harness/report/cost_plot.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/report/gnuplot.h"

namespace hugin::harness {
namespace {

std::string RowLabel(const StepSummary& st, Arm arm) {
  return "\"" + (st.rate ? std::to_string(st.rate) + " req/s" : std::string("saturation")) +
         " " + ArmName(arm) + "\"";
}

// `columns` of one ProcessCost-like row set: header from the first usable row.
template <typename Rows>
std::string Table(const ScenarioSummary& s, Rows rows) {
  std::ostringstream d;
  bool header = false;
  for (const StepSummary& st : s.steps)
    for (const AgentArmCost& a : st.cost.arms) {
      const auto cells = rows(a);  // vector<pair<name, value>>
      if (cells.empty()) continue;
      if (!header) {
        d << "label";
        for (const auto& [name, v] : cells) d << " \"" << name << "\"";
        d << "\n";
        header = true;
      }
      d << RowLabel(st, a.arm);
      for (const auto& [name, v] : cells) d << " " << v;
      d << "\n";
    }
  return d.str();
}

size_t Columns(const std::string& data) {
  size_t n = 0;
  bool quoted = false;
  for (char c : data.substr(0, data.find('\n'))) {
    if (c == '"') {
      if (!quoted) ++n;
      quoted = !quoted;
    }
  }
  return n;  // the quoted column names
}

// `data`: the table's text (for its columns), `path`: where it was written.
void Panel(std::ostream& g, const std::string& data, const std::string& path,
           const std::string& title, const std::string& ylabel) {
  const size_t n = Columns(data);
  g << "set title '" << title << "'\nset ylabel '" << ylabel << "'\n"
    << "set style data histograms\nset style histogram rowstacked\n"
    << "set style fill solid 0.8 border -1\nset boxwidth 0.6\nset key outside bottom center horizontal\n"
    << "set xtics rotate by -20\nset yzeroaxis\nplot ";
  // One colour per group (gnuplot's default cycle repeats after 8).
  static const char* kColours[] = {"#4477aa", "#66ccee", "#228833", "#ccbb44", "#ee6677",
                                   "#aa3377", "#bbbbbb", "#332288", "#000000", "#999933"};
  for (size_t i = 0; i < n; ++i)
    g << (i ? ", " : "") << "'" << path << "' using " << i + 2
      << (i ? "" : ":xtic(1)") << " title columnheader(" << i + 2 << ") lc rgb '"
      << kColours[i % 10] << "'";
  g << "\n";
}

}  // namespace

std::string CostPlotAgentData(const ScenarioSummary& s) {
  return Table(s, [](const AgentArmCost& a) {
    std::vector<std::pair<std::string, double>> cells;
    for (const GroupCost& g : a.agent.groups) cells.emplace_back(g.group, g.us_per_request);
    return cells;
  });
}

std::string CostPlotServiceData(const ScenarioSummary& s) {
  return Table(s, [](const AgentArmCost& a) {
    std::vector<std::pair<std::string, double>> cells;
    for (const GroupDiff& d : a.service_added) cells.emplace_back(d.group, d.added_us_per_request);
    return cells;
  });
}

std::optional<std::string> DrawCostPlot(const ScenarioSummary& s, const std::string& dir,
                                        std::vector<std::string>& errors) {
  const std::string agent = CostPlotAgentData(s), service = CostPlotServiceData(s);
  if (agent.empty() && service.empty()) return std::nullopt;
  const std::string plot_dir = dir + "/plots", name = s.scenario.name;
  std::filesystem::create_directories(plot_dir);
  const std::string agent_dat = plot_dir + "/" + name + "_cost_agent.dat";
  const std::string service_dat = plot_dir + "/" + name + "_cost_service.dat";
  std::ofstream(agent_dat) << agent;
  std::ofstream(service_dat) << service;
  const std::string png = "plots/" + name + "_cost_breakdown.png";
  const std::string script = plot_dir + "/" + name + "_cost_breakdown.gp";
  const int panels = (agent.empty() ? 0 : 1) + (service.empty() ? 0 : 1);
  {
    std::ofstream g(script);
    g << "set terminal pngcairo size " << 520 * panels + 200 << ",520 font 'sans,10' noenhanced\n"
      << "set output '" << dir << "/" << png << "'\nset grid ytics\n"
      << "set multiplot layout 1," << panels << " title '" << name
      << ": cost breakdown (profile runs)'\n";
    if (!agent.empty())
      Panel(g, agent, agent_dat, "agent CPU by stage", "µs per request");
    if (!service.empty())
      Panel(g, service, service_dat, "service CPU added vs baseline, by group", "µs per request");
    g << "unset multiplot\n";
  }
  if (!RunGnuplot(script, errors)) return std::nullopt;
  return png;
}

}  // namespace hugin::harness
