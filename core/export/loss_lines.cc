#include "core/export/loss_lines.h"

namespace hugin {
namespace {

// Every value here is a number or a fixed word, so the line is written directly, as the span
// lines are (trace_printer.cc); the tests parse it back with nlohmann/json.
class Line {
 public:
  explicit Line(const char* type) { out_ = std::string("{\"type\":\"") + type + '"'; }
  Line& Num(const char* key, uint64_t v) {
    Key(key);
    out_ += std::to_string(v);
    return *this;
  }
  Line& Int(const char* key, int64_t v) {
    Key(key);
    out_ += std::to_string(v);
    return *this;
  }
  // A fixed word from this file: nothing to escape.
  Line& Word(const char* key, const char* v) {
    Key(key);
    out_ += '"';
    out_ += v;
    out_ += '"';
    return *this;
  }
  std::string Done() { return std::move(out_) + '}'; }

 private:
  void Key(const char* k) {
    out_ += ",\"";
    out_ += k;
    out_ += "\":";
  }
  std::string out_;
};

}  // namespace

std::string FormatConnLossJson(const ConnLoss& l) {
  return Line("loss")
      .Num("pid", l.pid)
      .Int("fd", l.fd)
      .Num("generation", l.generation)
      .Num("local_port", l.local_port)
      .Num("peer_port", l.peer_port)
      .Num("ingress_records", l.ingress_records)
      .Num("egress_records", l.egress_records)
      .Num("control_records", l.control_records)
      .Num("bytes", l.bytes)
      .Num("first_ns", l.first_ns)
      .Num("last_ns", l.last_ns)
      .Done();
}

std::string FormatStreamGapJson(const StreamGap& g) {
  return Line("gap")
      .Num("pid", g.pid)
      .Int("fd", g.fd)
      .Num("generation", g.generation)
      .Num("local_port", g.local_port)
      .Num("peer_port", g.peer_port)
      .Word("direction", g.direction == Direction::kEgress ? "egress" : "ingress")
      .Num("bytes", g.bytes)
      .Num("after_ns", g.after_ns)
      .Num("before_ns", g.before_ns)
      .Done();
}

std::string FormatUnpairedRequestJson(const UnpairedRequest& u) {
  return Line("unpaired")
      .Num("pid", u.pid)
      .Int("fd", u.fd)
      .Num("generation", u.generation)
      .Num("local_port", u.local_port)
      .Num("peer_port", u.peer_port)
      .Num("request_ns", u.request_ns)
      .Done();
}

}  // namespace hugin
