#include "harness/util/process.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace hugin::harness {
namespace {

std::string TempPath(const char* name) {
  return (std::filesystem::path(testing::TempDir()) / name).string();
}

TEST(ChildProcess, RunsPinnedToTheCpusItIsGiven) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs 2 CPUs to tell pinning apart";
  const std::string out = TempPath("pinned.out");
  ChildProcess c = ChildProcess::Start({"grep", "Cpus_allowed_list", "/proc/self/status"}, out,
                                       TempPath("pinned.err"), {}, {1});
  ASSERT_EQ(c.Wait(std::chrono::seconds(10)), 0);
  const std::string text = ReadWholeFile(out);
  EXPECT_NE(text.find("Cpus_allowed_list:\t1\n"), std::string::npos) << text;
}

TEST(ChildProcess, ABadCpuIsAStartError) {
  EXPECT_THROW(ChildProcess::Start({"true"}, TempPath("bad.out"), TempPath("bad.err"), {}, {-1}),
               std::runtime_error);
}

TEST(ChildProcess, ReportsTheCpuTheChildUsed) {
  ChildProcess c = ChildProcess::Start(
      {"sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"}, TempPath("busy.out"),
      TempPath("busy.err"));
  EXPECT_FALSE(c.cpu_us());  // not known while it runs
  ASSERT_EQ(c.Wait(std::chrono::seconds(60)), 0);
  ASSERT_TRUE(c.cpu_us());
  EXPECT_GT(*c.cpu_us(), 10000u);  // a 200k-iteration shell loop takes well over 10 ms of CPU
}

}  // namespace
}  // namespace hugin::harness
