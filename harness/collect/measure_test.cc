#include "harness/collect/measure.h"

#include <gtest/gtest.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hugin::harness {

TEST(Measure, ProcStatWithSpacesAndParensInTheName) {
  const std::string stat =
      "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 4 0 100 "
      "1000000 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  const auto s = ParseProcStat(stat);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ppid, 1);
  EXPECT_EQ(s->utime_ticks, 250u);
  EXPECT_EQ(s->stime_ticks, 75u);
  EXPECT_FALSE(ParseProcStat("garbage"));
  EXPECT_FALSE(ParseProcStat("1 (x) S 1 2"));
}

TEST(Measure, VmHwm) {
  EXPECT_EQ(*ParseVmHwmBytes("Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 1000 kB\n"),
            1234u * 1024);
  EXPECT_FALSE(ParseVmHwmBytes("Name:\tkthreadd\n"));
}

TEST(Measure, Pss) {
  EXPECT_EQ(*ParsePssBytes("55f0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:\t  9000 kB\n"
                           "Pss:\t    1234 kB\nPss_Anon:\t 1000 kB\n"),
            1234u * 1024);
  EXPECT_FALSE(ParsePssBytes("Rss:\t  9000 kB\n"));
}

// The agent is two processes sharing pages (the ring buffer, libraries): PSS counts a shared
// page once across the tree, the summed VmHWM once per process.
TEST(Measure, TreePssCountsSharedPagesOnce) {
  constexpr size_t kShared = 32 << 20;
  auto* shared = static_cast<volatile char*>(
      mmap(nullptr, kShared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(shared, MAP_FAILED);
  for (size_t i = 0; i < kShared; i += 4096) shared[i] = 1;
  int ready[2], done[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(done), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int sum = 0;
    for (size_t i = 0; i < kShared; i += 4096) sum += shared[i];  // maps every shared page
    char c = sum > 0 ? 1 : 0;
    (void)!write(ready[1], &c, 1);
    (void)!read(done[0], &c, 1);
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  const uint64_t rss_sum = TreePeakRssBytes(getpid()), pss = TreePssBytes(getpid());
  (void)!write(done[1], &c, 1);
  waitpid(child, nullptr, 0);
  munmap(const_cast<char*>(shared), kShared);
  EXPECT_GT(pss, kShared);
  EXPECT_GT(rss_sum, pss + kShared * 3 / 4) << "the shared pages should count twice in RSS only";
}

TEST(Measure, OwnProcessIsReadable) {
  EXPECT_GT(TreePeakRssBytes(getpid()), 0u);
  const auto tree = ProcessTree(getpid());
  ASSERT_FALSE(tree.empty());
  EXPECT_EQ(tree.front(), getpid());
  volatile double x = 0;
  for (int i = 0; i < 30000000; ++i) x = x + i;  // burn some CPU so the counter moves
  EXPECT_GT(TreeCpuMicros(getpid()), 0u);
}

TEST(Measure, SchedstatRunTimeAndTheDifferenceOfTwoReadings) {
  EXPECT_EQ(ParseSchedstatRunNs("123456789 5000 42\n"), 123456789u);
  EXPECT_FALSE(ParseSchedstatRunNs(""));
  EXPECT_FALSE(ParseSchedstatRunNs("x 1 2"));
  TreeCpu a, b;
  a.thread_ns = {{10, 1000000}, {11, 500000}, {12, 7000}};  // 12 exits in between
  b.thread_ns = {{10, 1250000}, {11, 500000}, {13, 40000}};  // 13 starts in between
  EXPECT_DOUBLE_EQ(CpuMicrosBetween(a, b), 250.0 + 0 + 40.0);
  // An imprecise reading falls back to ticks.
  a.ticks_us = 10000;
  b.ticks_us = 30000;
  b.precise = false;
  EXPECT_DOUBLE_EQ(CpuMicrosBetween(a, b), 20000.0);
}

// The oracle is this thread's own CPU clock (CLOCK_THREAD_CPUTIME_ID), not /proc: 3 ms of CPU
// must read as about 3 ms, where /proc/PID/stat's ticks say 0 or 10.
TEST(Measure, TreeCpuResolvesMilliseconds) {
  auto thread_ns = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return uint64_t(t.tv_sec) * 1000000000 + t.tv_nsec;
  };
  const TreeCpu before = ReadTreeCpu(getpid());
  ASSERT_TRUE(before.precise);
  const uint64_t start = thread_ns();
  volatile double x = 0;
  while (thread_ns() - start < 3000000) x = x + 1;
  const uint64_t burnt_us = (thread_ns() - start) / 1000;
  const double read_us = CpuMicrosBetween(before, ReadTreeCpu(getpid()));
  EXPECT_GE(read_us, double(burnt_us));
  EXPECT_LT(read_us, double(burnt_us) + 2000) << "reading /proc costs well under 2 ms";
}

TEST(Measure, BpftoolJsonSumsOnlyHuginPrograms) {
  const std::string json = R"([
    {"id": 10, "type": "tracepoint", "name": "hg_enter_read", "run_time_ns": 1000, "run_cnt": 10},
    {"id": 11, "type": "tracepoint", "name": "hg_exit_write", "run_time_ns": 500, "run_cnt": 5},
    {"id": 12, "type": "cgroup_skb", "name": "other_prog", "run_time_ns": 99999, "run_cnt": 9},
    {"id": 13, "type": "tracepoint", "name": "hg_close"}
  ])";
  std::string error;
  const auto s = ParseBpftoolProgJson(json, "hg_", 0, error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->programs, 3);
  EXPECT_EQ(s->run_time_ns, 1500u);
  EXPECT_EQ(s->run_cnt, 15u);
  ASSERT_EQ(s->per_program.size(), 3u);  // by name
  EXPECT_EQ(s->per_program[0].name, "hg_close");
  EXPECT_EQ(s->per_program[0].run_cnt, 0u);
  EXPECT_EQ(s->per_program[1].name, "hg_enter_read");
  EXPECT_EQ(s->per_program[1].run_time_ns, 1000u);
  EXPECT_EQ(s->per_program[2].name, "hg_exit_write");
  EXPECT_EQ(s->per_program[2].run_cnt, 5u);
}

TEST(Measure, BpftoolJsonFiltersByOwnedProgramIds) {
  // bpftool without "pids": another agent's programs of the same names must not count.
  const std::string json = R"([
    {"id": 24322, "name": "hg_sys_exit", "run_time_ns": 100, "run_cnt": 1},
    {"id": 24333, "name": "hg_sys_exit", "run_time_ns": 5000, "run_cnt": 50},
    {"id": 24335, "name": "hg_data_ready", "run_time_ns": 700, "run_cnt": 7}
  ])";
  std::string error;
  const auto s = ParseBpftoolProgJson(json, "hg_", 42, error, {24333, 24335});
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->programs, 2);
  EXPECT_EQ(s->run_time_ns, 5700u);
  ASSERT_EQ(s->per_program.size(), 2u);
  EXPECT_EQ(s->per_program[1].name, "hg_sys_exit");
  EXPECT_EQ(s->per_program[1].run_cnt, 50u);
  EXPECT_EQ(*ParseFdinfoProgId("pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1057\n"
                               "link_type:\traw_tracepoint\nlink_id:\t12\nprog_tag:\tabc\n"
                               "prog_id:\t24333\n"),
            24333u);
  EXPECT_FALSE(ParseFdinfoProgId("pos:\t0\nflags:\t02\n"));
  EXPECT_TRUE(OwnedBpfProgramIds(getpid()).empty());  // this test holds no BPF program
}

TEST(Measure, BpfStatsDeltaPerProgram) {
  BpfStats before{1000, 10, 2, {{"hg_a", 600, 6}, {"hg_b", 400, 4}}};
  BpfStats after{3000, 25, 2, {{"hg_a", 2100, 16}, {"hg_b", 900, 9}}};
  const BpfStats d = SubtractBpfStats(after, before);
  EXPECT_EQ(d.run_time_ns, 2000u);
  EXPECT_EQ(d.run_cnt, 15u);
  ASSERT_EQ(d.per_program.size(), 2u);
  EXPECT_EQ(d.per_program[0].name, "hg_a");
  EXPECT_EQ(d.per_program[0].run_time_ns, 1500u);
  EXPECT_EQ(d.per_program[0].run_cnt, 10u);
  EXPECT_EQ(d.per_program[1].run_time_ns, 500u);
  EXPECT_EQ(d.per_program[1].run_cnt, 5u);
}

TEST(Measure, BpftoolJsonFiltersByHolderPid) {
  const std::string json = R"([
    {"name": "hg_a", "run_time_ns": 100, "run_cnt": 1, "pids": [{"pid": 42, "comm": "hugin"}]},
    {"name": "hg_b", "run_time_ns": 200, "run_cnt": 2, "pids": [{"pid": 7, "comm": "hugin"}]}
  ])";
  std::string error;
  const auto s = ParseBpftoolProgJson(json, "hg_", 42, error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->run_time_ns, 100u);
  EXPECT_FALSE(ParseBpftoolProgJson("{\"not\": \"a list\"}", "hg_", 0, error));
  EXPECT_FALSE(ParseBpftoolProgJson("Error: bpf not usable", "hg_", 0, error));
}

TEST(Measure, CpuTimesAndStealFromProcStat) {
  const auto a = ParseCpuTimes("cpu  100 0 50 800 10 0 5 35 0 0\ncpu0 50 0 25 400 5 0 2 18 0 0\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->total_ticks, 1000u);
  EXPECT_EQ(a->steal_ticks, 35u);
  const auto b = ParseCpuTimes("cpu  150 0 60 1560 10 0 5 215 0 0\n");
  ASSERT_TRUE(b);
  EXPECT_DOUBLE_EQ(StealPercent(*a, *b), 100.0 * 180 / 1000);
  EXPECT_EQ(StealPercent(*b, *a), 0);
  EXPECT_FALSE(ParseCpuTimes("cpu0 1 2 3\n"));
  EXPECT_FALSE(ParseCpuTimes("cpu 1 2 3\n"));
}

}  // namespace hugin::harness
