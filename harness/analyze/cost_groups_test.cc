#include "harness/analyze/cost_groups.h"

#include <gtest/gtest.h>

#include <map>

#include "harness/collect/perf_script.h"
#include "harness/testdata.h"

namespace hugin::harness {
namespace {

PerfSample Chain(std::initializer_list<std::pair<const char*, bool>> frames) {
  PerfSample s;
  for (const auto& [sym, kernel] : frames) s.frames.push_back({0, sym, kernel});
  return s;
}

constexpr bool K = true, U = false;

std::map<std::string, uint64_t> Counts(const Profile& p) {
  std::map<std::string, uint64_t> m;
  for (const auto& g : p.groups) m[g.group] = g.samples;
  return m;
}

}  // namespace

TEST(CostGroups, ServiceEveryGroup) {
  const GroupClassifier c(ServiceGroups());
  // A helper under the BPF program: tracing, found by walking up from the leaf.
  EXPECT_EQ(c.Classify(Chain({{"__check_object_size", K}, {"copy_from_user_nofault", K},
                              {"bpf_probe_read_user", K}, {"tcp_sendmsg", K}})),
            "tracing");
  EXPECT_EQ(c.Classify(Chain({{"_raw_spin_unlock_irqrestore", K}, {"__bpf_ringbuf_reserve", K}})),
            "tracing");
  EXPECT_EQ(c.Classify(Chain({{"syscall_exit_work", K}, {"do_syscall_64", K}})), "tracing");
  EXPECT_EQ(c.Classify(Chain({{"perf_syscall_exit", K}})), "tracing");
  EXPECT_EQ(c.Classify(Chain({{"__traceiter_sys_exit", K}})), "tracing");
  EXPECT_EQ(c.Classify(Chain({{"bpf_prog_6d64b469bdb6a3c2_hg_data_ready", K},
                              {"syscall.write", U}})),
            "tracing");
  // Kernel work Hugin does not cause.
  EXPECT_EQ(c.Classify(Chain({{"tcp_write_xmit", K}, {"tcp_sendmsg", K}, {"net.(*conn).Write", U}})),
            "kernel");
  EXPECT_EQ(c.Classify(Chain({{"runtime.mallocgc", U}, {"net/http.(*conn).serve", U}})), "user");
  EXPECT_EQ(c.Classify(Chain({{"[unknown]", U}})), "user");
  EXPECT_EQ(c.Classify(PerfSample{}), "other");
  // The table's order: tracing, then the fallbacks.
  EXPECT_EQ(ServiceGroups().Groups(), (std::vector<std::string>{"tracing", "kernel", "user", "other"}));
}

TEST(CostGroups, AgentEveryStage) {
  const GroupClassifier c(AgentGroups());
  EXPECT_EQ(c.Classify(Chain({{"ringbuf_process_ring", U}, {"ring_buffer__poll", U}})),
            "ring buffer read");
  // The parsing process's own reader (privilege split).
  EXPECT_EQ(c.Classify(Chain({{"__memmove_avx_unaligned_erms", U},
                              {"hugin::RingReader::Consume(std::function<int (void const*, unsigned long)> const&)", U}})),
            "ring buffer read");
  EXPECT_EQ(c.Classify(Chain({{"nghttp2_hd_inflate_hd_nv", U},
                              {"hugin::http2::Connection::OnHeaders", U}})),
            "parser");
  EXPECT_EQ(c.Classify(Chain({{"hugin::events::Decode[abi:cxx11]", U},
                              {"hugin::ConnTracker::OnRecord", U}})),
            "decode");
  EXPECT_EQ(c.Classify(Chain({{"std::_Hash_bytes", U}, {"hugin::ConnTracker::OnData", U}})),
            "tracker");
  // IpToString is in hugin::events, but it builds the span's addresses for the tracker.
  EXPECT_EQ(c.Classify(Chain({{"inet_ntop4", U}, {"hugin::events::IpToString[abi:cxx11]", U},
                              {"hugin::ConnTracker::Emit", U}})),
            "tracker");
  EXPECT_EQ(c.Classify(Chain({{"__memchr_avx2", U}, {"hugin::http1::FindHeadEnd", U},
                              {"hugin::ConnTracker::OnData", U}})),
            "parser");
  EXPECT_EQ(c.Classify(Chain({{"hugin::Histogram::Observe", U}, {"hugin::Metrics::Observe", U}})),
            "metrics");
  EXPECT_EQ(c.Classify(Chain({{"httplib::Server::process_request", U}})), "metrics");
  EXPECT_EQ(c.Classify(Chain({{"copy_folio_from_iter_atomic", K}, {"ksys_write", K},
                              {"_IO_new_file_write", U}, {"__fprintf", U}})),
            "printing");
  EXPECT_EQ(c.Classify(Chain({{"hugin::FormatSpanJson[abi:cxx11]", U}})), "printing");
  EXPECT_EQ(c.Classify(Chain({{"__GI__IO_fflush", U}, {"main", U}})), "printing");  // seen in e2e
  // The agent after the agent-cost merge: buffered trace lines, interned metric series.
  EXPECT_EQ(c.Classify(Chain({{"__memset_avx2_unaligned_erms", U}, {"hugin::AppendSpanJson", U},
                              {"hugin::TraceLines::AddSpan", U}, {"hugin::ConnTracker::Emit", U}})),
            "printing");
  EXPECT_EQ(c.Classify(Chain({{"vfs_write", K}, {"__GI__IO_fwrite", U},
                              {"hugin::TraceLines::Flush", U}})),
            "printing");
  EXPECT_EQ(c.Classify(Chain({{"hugin::StringInterner::Intern", U}, {"hugin::Metrics::Observe", U}})),
            "metrics");
  EXPECT_EQ(c.Classify(Chain({{"hugin::protocols::Registry", U}, {"hugin::ConnTracker::OnData", U}})),
            "parser");
  // sprintf shares vfprintf with fprintf: it is not printing when inet_ntop calls it.
  EXPECT_EQ(c.Classify(Chain({{"__vfprintf_internal", U}, {"__sprintf", U}, {"inet_ntop4", U},
                              {"hugin::events::IpToString[abi:cxx11]", U}})),
            "tracker");
  EXPECT_EQ(c.Classify(Chain({{"netlink_dump", K}, {"__sys_recvmsg", K}})), "discovery");
  EXPECT_EQ(c.Classify(Chain({{"vsnprintf", K}, {"__x64_sys_readlink", K},
                              {"hugin::(anonymous namespace)::ReadLink", U},
                              {"hugin::Discovery::Matches", U}})),
            "discovery");
  EXPECT_EQ(c.Classify(Chain({{"finish_task_switch.isra.0", K}, {"do_epoll_wait", K},
                              {"ring_buffer__poll", U}})),
            "kernel");
  EXPECT_EQ(c.Classify(Chain({{"__x64_sys_bpf", K}, {"bpf_map_get_next_key", U}})), "kernel");
  EXPECT_EQ(c.Classify(Chain({{"operator new", U}, {"main", U}})), "other");  // unknown: other
  EXPECT_EQ(c.Classify(PerfSample{}), "other");
}

// The recorded profiles (harness/testdata), classified sample by sample by hand.
TEST(CostGroups, RecordedServiceProfile) {
  const Profile p = GroupClassifier(ServiceGroups())
                        .Aggregate(ParsePerfScript(Testdata("perf_script_go_service.txt")), "service");
  EXPECT_EQ(p.samples, 40u);
  EXPECT_EQ(Counts(p), (std::map<std::string, uint64_t>{
                           {"tracing", 16}, {"kernel", 11}, {"user", 13}, {"other", 0}}));
  ASSERT_EQ(p.groups.size(), 4u);
  EXPECT_EQ(p.groups[0].group, "tracing");
  ASSERT_FALSE(p.groups[0].top.empty());
  EXPECT_EQ(p.groups[0].top[0].symbol, "bpf_prog_5c5b995fdff96c4f_hg_sys_exit");  // leaf of 3
  EXPECT_EQ(p.groups[0].top[0].samples, 3u);
  EXPECT_LE(p.groups[0].top.size(), 5u);
}

TEST(CostGroups, RecordedAgentProfile) {
  const Profile p = GroupClassifier(AgentGroups())
                        .Aggregate(ParsePerfScript(Testdata("perf_script_hugin_agent.txt")), "agent");
  EXPECT_EQ(p.samples, 28u);
  EXPECT_EQ(Counts(p), (std::map<std::string, uint64_t>{{"kernel", 3},
                                                        {"tracker", 4},
                                                        {"decode", 2},
                                                        {"parser", 5},
                                                        {"metrics", 2},
                                                        {"printing", 7},
                                                        {"discovery", 4},
                                                        {"ring buffer read", 1},
                                                        {"other", 0}}));
}

}  // namespace hugin::harness
