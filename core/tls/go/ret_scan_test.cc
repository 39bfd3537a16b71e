#include "core/tls/go/ret_scan.h"

#include <gtest/gtest.h>

#include <vector>

namespace hugin::gotls {
namespace {

Result<std::vector<uint64_t>> Scan(const std::vector<uint8_t>& code) {
  return FindRetOffsets(Bytes(code.data(), code.size()));
}

TEST(RetScan, FindsOnlyRealRets) {
  // mov eax, 0xc3c3c3c3; mov rcx, [rdx+0xc3]; ret; int3; int3
  const std::vector<uint8_t> code = {0xb8, 0xc3, 0xc3, 0xc3, 0xc3,                    // 0
                                     0x48, 0x8b, 0x8a, 0xc3, 0x00, 0x00, 0x00,        // 5
                                     0xc3,                                            // 12
                                     0xcc, 0xcc};
  auto rets = Scan(code);
  ASSERT_TRUE(rets.ok()) << rets.error().message;
  EXPECT_EQ(*rets, std::vector<uint64_t>{12});
}

TEST(RetScan, SeveralRets) {
  // xor eax, eax; ret; nop; ret
  auto rets = Scan({0x31, 0xc0, 0xc3, 0x90, 0xc3});
  ASSERT_TRUE(rets.ok());
  EXPECT_EQ(*rets, (std::vector<uint64_t>{2, 4}));
}

TEST(RetScan, TruncatedInstructionIsAnError) {
  // mov eax, imm32 with only two immediate bytes
  auto rets = Scan({0xc3, 0xb8, 0xc3, 0xc3});
  ASSERT_FALSE(rets.ok());
  EXPECT_NE(rets.error().message.find("offset 1"), std::string::npos) << rets.error().message;
}

TEST(RetScan, EmptyCodeHasNoRets) {
  auto rets = Scan({});
  ASSERT_TRUE(rets.ok());
  EXPECT_TRUE(rets->empty());
}

}  // namespace
}  // namespace hugin::gotls
