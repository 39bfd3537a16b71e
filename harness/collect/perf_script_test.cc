#include "harness/collect/perf_script.h"

#include <gtest/gtest.h>

#include "harness/testdata.h"

namespace hugin::harness {

TEST(PerfScript, ParsesBlocksLeafFirstAndTellsKernelFromUser) {
  const std::string text =
      "20120    1001001 \n"
      "\tffffffff814ce2c0 bpf_probe_read_user\n"
      "\tffffffffc00032e5 bpf_prog_5c5b995fdff96c4f_hg_sys_exit\n"
      "\t            d00e internal/runtime/syscall/linux.Syscall6\n"
      "\n"
      "20126    1001001 \n"
      "\t          152ad9 __memcpy_avx_unaligned_erms (inlined)\n"
      "\t           3fcd0 std::_Function_handler<void (hugin::Span&&), X>::_M_invoke\n"
      "\t           329be [unknown]\n"
      "\n"
      "20127    1001001 \n"
      "\n"
      "  604    1001001 \n"  // a small tid is right-aligned: the header starts with spaces
      "\tffffffff8205c969 __ip_queue_xmit\n"
      "\n";
  const auto samples = ParsePerfScript(text);
  ASSERT_EQ(samples.size(), 4u);
  ASSERT_EQ(samples[3].frames.size(), 1u);
  EXPECT_EQ(samples[3].frames[0].symbol, "__ip_queue_xmit");
  ASSERT_EQ(samples[0].frames.size(), 3u);
  EXPECT_EQ(samples[0].frames[0].symbol, "bpf_probe_read_user");
  EXPECT_TRUE(samples[0].frames[0].kernel);
  EXPECT_TRUE(samples[0].frames[1].kernel);  // the JIT-ed program lives in kernel space
  EXPECT_EQ(samples[0].frames[2].symbol, "internal/runtime/syscall/linux.Syscall6");
  EXPECT_FALSE(samples[0].frames[2].kernel);
  EXPECT_EQ(samples[0].frames[2].ip, 0xd00eu);
  ASSERT_EQ(samples[1].frames.size(), 3u);
  EXPECT_EQ(samples[1].frames[0].symbol, "__memcpy_avx_unaligned_erms");  // "(inlined)" dropped
  EXPECT_EQ(samples[1].frames[1].symbol,
            "std::_Function_handler<void (hugin::Span&&), X>::_M_invoke");  // parens kept
  EXPECT_EQ(samples[1].frames[2].symbol, "[unknown]");
  EXPECT_TRUE(samples[2].frames.empty());  // a header without frames is still a sample
}

TEST(PerfScript, RecordedServiceAndAgentProfiles) {
  const auto service = ParsePerfScript(Testdata("perf_script_go_service.txt"));
  ASSERT_EQ(service.size(), 40u);
  EXPECT_EQ(service[5].frames[0].symbol, "bpf_probe_read_user");
  EXPECT_EQ(service[5].frames[1].symbol, "bpf_prog_5c5b995fdff96c4f_hg_sys_exit");
  for (const auto& s : service) EXPECT_FALSE(s.frames.empty());
  const auto agent = ParsePerfScript(Testdata("perf_script_hugin_agent.txt"));
  ASSERT_EQ(agent.size(), 28u);
  EXPECT_EQ(agent[19].frames[0].symbol, "hugin::events::Decode[abi:cxx11]");
  EXPECT_FALSE(agent[19].frames[0].kernel);
  EXPECT_TRUE(agent[1].frames[0].kernel);
}

TEST(PerfScript, EmptyOrGarbageGivesNoSample) {
  EXPECT_TRUE(ParsePerfScript("").empty());
  EXPECT_TRUE(ParsePerfScript("\n\n\t  not a frame\n").empty());
}

}  // namespace hugin::harness
