#include "harness/util/binaries.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness/util/process.h"

namespace hugin::harness {
namespace {

namespace fs = std::filesystem;

// A git repository with one tracked file at the top and one in results/run/.
class GitStatusTest : public testing::Test {
 protected:
  void SetUp() override {
    repo_ = (fs::path(testing::TempDir()) / "git_status_repo").string();
    fs::remove_all(repo_);
    fs::create_directories(repo_ + "/results/run");
    Write("code.cc", "int x;\n");
    Write("results/run/report.md", "first\n");
    Git({"init", "-q"});
    Git({"-c", "user.name=t", "-c", "user.email=t@t", "add", "-A"});
    Git({"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one"});
  }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(repo_ + "/" + rel) << text;
  }
  void Git(std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", repo_});
    std::string out;
    ASSERT_EQ(RunCommand(args, out, std::chrono::seconds(10)), 0) << out;
  }
  // The changed tracked files git reports, with the run folder at `out_dir`.
  std::string Changes(const std::string& out_dir) {
    std::string out;
    EXPECT_EQ(RunCommand(GitStatusCommand(repo_, out_dir), out, std::chrono::seconds(10)), 0)
        << out;
    return out;
  }
  std::string repo_;
};

TEST_F(GitStatusTest, TheRunFolderOwnOutputIsNotAChange) {
  Write("results/run/report.md", "second\n");
  EXPECT_EQ(Changes(repo_ + "/results/run"), "");
  // The same folder spelt with a detour.
  EXPECT_EQ(Changes(repo_ + "/results/other/../run"), "");
  // Another run folder does not hide this one's change.
  EXPECT_NE(Changes(repo_ + "/results/elsewhere"), "");
}

TEST_F(GitStatusTest, ACodeChangeIsSeenWhereverTheRunFolderIs) {
  Write("code.cc", "int y;\n");
  EXPECT_NE(Changes(repo_ + "/results/run"), "");
  EXPECT_NE(Changes("/tmp/outside-the-workspace"), "");
  // The run folder is the workspace itself: nothing may be left out.
  EXPECT_NE(Changes(repo_), "");
}

TEST(GitStatusCommand, ExcludesOnlyAFolderInsideTheWorkspace) {
  const auto inside = GitStatusCommand("/w", "/w/results/round9");
  EXPECT_EQ(inside.back(), ":(exclude)results/round9");
  const auto outside = GitStatusCommand("/w", "/elsewhere/run");
  EXPECT_EQ(outside.back(), "--untracked-files=no");
}

}  // namespace
}  // namespace hugin::harness
