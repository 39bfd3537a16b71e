#include "harness/model/loss_reports.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace hugin::harness {

bool ParseAgentReportLine(const std::string& line, AgentReports& into, bool& is_report,
                          std::string& error) {
  is_report = false;
  // Report lines start with their "type" key; span lines (the vast majority) have none.
  if (line.rfind("{\"type\":", 0) != 0) return true;
  try {
    const auto j = nlohmann::json::parse(line);
    const std::string type = j.value("type", "");
    if (type != "loss" && type != "gap" && type != "unpaired") return true;
    is_report = true;
    if (type == "loss") {
      LossReport r;
      r.pid = j.at("pid").get<int>();
      r.local_port = j.at("local_port").get<int>();
      r.peer_port = j.at("peer_port").get<int>();
      r.ingress_records = j.at("ingress_records").get<uint64_t>();
      r.egress_records = j.at("egress_records").get<uint64_t>();
      r.control_records = j.at("control_records").get<uint64_t>();
      r.bytes = j.at("bytes").get<uint64_t>();
      r.first_ns = j.at("first_ns").get<int64_t>();
      r.last_ns = j.at("last_ns").get<int64_t>();
      if (r.last_ns < r.first_ns) throw std::runtime_error("last_ns before first_ns");
      into.losses.push_back(r);
    } else if (type == "unpaired") {
      UnpairedReport u;
      u.pid = j.at("pid").get<int>();
      u.local_port = j.at("local_port").get<int>();
      u.peer_port = j.at("peer_port").get<int>();
      u.request_ns = j.at("request_ns").get<int64_t>();
      into.unpaired.push_back(u);
    } else {
      GapReport g;
      g.pid = j.at("pid").get<int>();
      g.local_port = j.at("local_port").get<int>();
      g.peer_port = j.at("peer_port").get<int>();
      const std::string dir = j.at("direction").get<std::string>();
      if (dir != "ingress" && dir != "egress") throw std::runtime_error("bad direction " + dir);
      g.ingress = dir == "ingress";
      g.bytes = j.at("bytes").get<uint64_t>();
      g.after_ns = j.at("after_ns").get<int64_t>();
      g.before_ns = j.at("before_ns").get<int64_t>();
      into.gaps.push_back(g);
    }
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

AgentReports ReadAgentReports(const std::string& path) {
  AgentReports out;
  std::ifstream in(path);
  if (!in) {
    out.first_error = path + ": cannot open";
    return out;
  }
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] != '{') continue;
    bool is_report = false;
    std::string error;
    if (!ParseAgentReportLine(line, out, is_report, error) && out.bad_lines++ == 0)
      out.first_error = path + ":" + std::to_string(number) + ": " + error;
  }
  return out;
}

}  // namespace hugin::harness
