#include "core/privsep/capabilities.h"

#include <gtest/gtest.h>
#include <linux/capability.h>

namespace hugin::privsep {
namespace {

constexpr uint64_t Bit(int cap) { return uint64_t{1} << cap; }
constexpr uint64_t kMinimal =
    Bit(CAP_SETUID) | Bit(CAP_SETGID) | Bit(CAP_SYS_PTRACE) | Bit(CAP_DAC_READ_SEARCH);

TEST(Capabilities, MinimalSetPasses) { EXPECT_TRUE(CheckAgentCapabilities(kMinimal, "nobody", true).ok()); }

TEST(Capabilities, EachMissingOneIsNamed) {
  for (auto [cap, name] : {std::pair{CAP_SETUID, "CAP_SETUID"}, std::pair{CAP_SETGID, "CAP_SETGID"},
                           std::pair{CAP_SYS_PTRACE, "CAP_SYS_PTRACE"},
                           std::pair{CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH"}}) {
    Status s = CheckAgentCapabilities(kMinimal & ~Bit(cap), "nobody", true);
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_NE(s.error().message.find(std::string("missing capability ") + name), std::string::npos)
        << s.error().message;
    EXPECT_EQ(s.error().message.find('\n'), std::string::npos);
  }
}

TEST(Capabilities, AllMissingAreListed) {
  Status s = CheckAgentCapabilities(0, "someone", true);
  ASSERT_FALSE(s.ok());
  for (const char* name : {"CAP_SETUID", "CAP_SETGID", "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH", "someone"})
    EXPECT_NE(s.error().message.find(name), std::string::npos) << name;
}

TEST(Capabilities, DacOverrideStandsForDacReadSearch) {
  EXPECT_TRUE(
      CheckAgentCapabilities((kMinimal & ~Bit(CAP_DAC_READ_SEARCH)) | Bit(CAP_DAC_OVERRIDE), "nobody", true).ok());
}

TEST(Capabilities, TraceAllNeedsNoDiscoveryCapabilities) {
  const uint64_t setid = Bit(CAP_SETUID) | Bit(CAP_SETGID);
  EXPECT_TRUE(CheckAgentCapabilities(setid, "nobody", false).ok());
  EXPECT_FALSE(CheckAgentCapabilities(Bit(CAP_SETUID), "nobody", false).ok());
}

TEST(Capabilities, TlsNoticeOnlyWithoutSysAdmin) {
  EXPECT_NE(TlsUprobeNotice(kMinimal).find("CAP_SYS_ADMIN"), std::string::npos);
  EXPECT_EQ(TlsUprobeNotice(kMinimal | Bit(CAP_SYS_ADMIN)), "");
}

TEST(Capabilities, EffectiveSetIsReadable) { EXPECT_TRUE(EffectiveCapabilities().ok()); }

}  // namespace
}  // namespace hugin::privsep
