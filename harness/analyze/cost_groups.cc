#include "harness/analyze/cost_groups.h"

#include <algorithm>
#include <map>

namespace hugin::harness {

std::vector<std::string> GroupTable::Groups() const {
  std::vector<std::string> out;
  auto add = [&](const std::string& g) {
    if (!g.empty() && std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
  };
  for (const std::string& g : order) add(g);
  for (const GroupRule& r : rules) add(r.group);
  add(kernel_fallback);
  add(user_fallback);
  add(other);
  return out;
}

// Written from what `perf script` printed for the Go fixture with Hugin attached (kernel 6.1+
// symbols, BPF programs as bpf_prog_<tag>_<name>), see harness/testdata/perf_script_*.txt.
const GroupTable& ServiceGroups() {
  static const GroupTable table{
      {
          // The BPF programs (JIT images), the kernel's entry into them from a tracepoint, and
          // the helpers and maps they call (hash lookups, ring buffer, user-memory copies).
          {"tracing", "^bpf_prog_|^__bpf_prog_|^bpf_trace_run|^__bpf_trace_|^__traceiter_|"
                      "^trace_call_bpf|^perf_syscall_|^perf_trace_|^syscall_trace_enter|"
                      "^syscall_exit_work|^trace_sys_(enter|exit)|^bpf_ringbuf_|^__bpf_ringbuf_|"
                      "^ringbuf_|^bpf_probe_read|^copy_from_user_nofault|^bpf_get_current_|"
                      "^bpf_ktime_get|^bpf_map_|^htab_|^__htab_|^lookup_nulls_elem_raw|"
                      "^__x64_sys_bpf|^__sys_bpf|^bpf_task_|^bpf_sk_|^bpf_skc_"},
      },
      "kernel",
      "user",
  };
  return table;
}

// Written from what `perf script` printed for the bazel-built agent (DWARF call chains,
// demangled C++: hugin::ConnTracker::OnData, hugin::http1::MessageStream::StepHead, ...), before
// and after the agent-cost merge (TraceLines, AppendSpanJson, StringInterner, protocols::).
const GroupTable& AgentGroups() {
  static const GroupTable table{
      {
          // Waiting for the ring buffer, and the scheduler around the waits: the kernel's part.
          {"kernel", "^(__x64_sys_|__se_sys_|__do_sys_|do_)?(epoll_wait|epoll_pwait2?|poll|ppoll|"
                     "select|pselect6|nanosleep|clock_nanosleep|futex)$|^schedule|"
                     "^finish_task_switch"},
          // IpToString is in hugin::events but ConnTracker::Emit calls it to build the span.
          {"tracker", "^hugin::events::IpToString|^hugin::ConnTracker|^hugin::conn::"},
          {"decode", "^hugin::events::|^hugin::BpfLoader::OnRecord"},
          // The protocol parsers and the contract they sit behind (inference, registry).
          {"parser", "^hugin::http1::|^hugin::http2::|^hugin::protocols::|^nghttp2_"},
          // Recording spans into histograms and serving them to a scrape (cpp-httplib).
          {"metrics", "^hugin::Metrics|^hugin::Histogram|^hugin::NormalizeMethodLabel|"
                      "^hugin::CounterBoard|^hugin::PrometheusServer|^hugin::AppendSample|"
                      "^hugin::AppendHistogram|^hugin::AppendFamilyHeader|^hugin::FormatPromNumber|"
                      "^hugin::FormatLabels|^hugin::EscapeLabelValue|^hugin::StringInterner|"
                      "^hugin::MethodLabelId|^httplib::"},
          // stdio to a FILE only: vfprintf's internals are shared with sprintf, which inet_ntop
          // (IpToString, span building) calls; walking up from them finds __fprintf or __sprintf.
          {"printing", "^hugin::Format|^hugin::AppendJsonString|^hugin::EscapeForLine|"
                       "^hugin::AppendSpan|^hugin::TraceLines|^hugin::WriteJsonString|"
                       "^hugin::AppendEscapedForLine|^hugin::AppendDuration|^hugin::LocalSecondText|"
                       "^hugin::ToValidUtf8|^_?_?fprintf|^_?_?fwrite|^_?_?fputs|^_?_?fflush|"
                       "^(__GI_)?_IO_(fflush|fwrite|fputs)|"
                       "^_IO_new_file_|^_IO_file_|^_IO_new_do_write|^new_do_write"},
          {"discovery", "^hugin::Discovery|^hugin::ExecutableMatcher|^hugin::ExecutableOf|"
                        "^hugin::ServiceNameOfExecutable|ListeningSockets|ProcNetTcp|[Nn]etlink|"
                        "^readdir|^opendir|^closedir|^__getdents|^hugin::SelectorOf"},
          // libbpf's reader before the privilege split, the parsing process's own mmap reader
          // (core/loader/ring_reader.h) since.
          {"ring buffer read", "^ring_buffer__(poll|consume)|^ringbuf_process_ring|"
                               "^hugin::BpfLoader::Poll|^hugin::RingReader::"},
      },
      "kernel",
      "other",
      "other",
      // The pipeline's order.
      {"ring buffer read", "decode", "tracker", "parser", "metrics", "printing", "discovery",
       "kernel", "other"},
  };
  return table;
}

GroupClassifier::GroupClassifier(const GroupTable& table) : table_(table) {
  for (const GroupRule& r : table_.rules) compiled_.emplace_back(r.pattern, std::regex::optimize);
}

const std::string& GroupClassifier::Classify(const PerfSample& sample) const {
  if (sample.frames.empty()) return table_.other;
  for (const PerfFrame& f : sample.frames)
    for (size_t i = 0; i < compiled_.size(); ++i)
      if (std::regex_search(f.symbol, compiled_[i])) return table_.rules[i].group;
  return sample.frames.front().kernel ? table_.kernel_fallback : table_.user_fallback;
}

Profile GroupClassifier::Aggregate(const std::vector<PerfSample>& samples,
                                   const std::string& process, size_t top_symbols) const {
  Profile p;
  p.process = process;
  std::map<std::string, std::map<std::string, uint64_t>> leaves;  // group -> leaf -> samples
  for (const std::string& g : table_.Groups()) p.groups.push_back({g, 0, {}});
  for (const PerfSample& s : samples) {
    const std::string& g = Classify(s);
    ++p.samples;
    for (GroupSamples& gs : p.groups)
      if (gs.group == g) ++gs.samples;
    ++leaves[g][s.frames.empty() ? "[no frames]" : s.frames.front().symbol];
  }
  for (GroupSamples& gs : p.groups) {
    for (const auto& [sym, n] : leaves[gs.group]) gs.top.push_back({sym, n});
    std::sort(gs.top.begin(), gs.top.end(), [](const SymbolSamples& a, const SymbolSamples& b) {
      return a.samples != b.samples ? a.samples > b.samples : a.symbol < b.symbol;
    });
    if (gs.top.size() > top_symbols) gs.top.resize(top_symbols);
  }
  return p;
}

}  // namespace hugin::harness
