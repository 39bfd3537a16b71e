#include "core/tls/mapped_files.h"

#include <gtest/gtest.h>

namespace hugin::tls {
namespace {

const char kMaps[] =
    "55d0c7a00000-55d0c7a28000 r--p 00000000 fd:01 1311236                    /usr/bin/curl\n"
    "55d0c7a28000-55d0c7a5e000 r-xp 00028000 fd:01 1311236                    /usr/bin/curl\n"
    "55d0c8e0b000-55d0c8e2c000 rw-p 00000000 00:00 0                          [heap]\n"
    "7f1c2a000000-7f1c2a022000 r--p 00000000 fd:01 1835331                    "
    "/usr/lib/x86_64-linux-gnu/libssl.so.3\n"
    "7f1c2a022000-7f1c2a0b0000 r-xp 00022000 fd:01 1835331                    "
    "/usr/lib/x86_64-linux-gnu/libssl.so.3\n"
    "7f1c2b000000-7f1c2b010000 r-xp 00000000 08:02 77                         "
    "/opt/app/lib/libssl.so.1.1 (deleted)\n"
    "7f1c2c000000-7f1c2c001000 r--p 00000000 fd:01 99                         "
    "/usr/lib/libsslcommon.so.2\n"
    "garbage line\n"
    "7ffd1b5e7000-7ffd1b5e9000 r-xp 00000000 00:00 0                          [vdso]\n"
    "7f1c2d000000-7f1c2d001000 r--p 00000000 fd:01 100                        /path with space/libssl.so";

TEST(ParseMaps, OneEntryPerFileWithItsFirstMapping) {
  auto files = ParseMaps(kMaps);
  ASSERT_EQ(files.size(), 5u);
  EXPECT_EQ(files[0].path, "/usr/bin/curl");
  EXPECT_EQ(files[0].start, 0x55d0c7a00000u);
  EXPECT_EQ(files[0].end, 0x55d0c7a28000u);
  EXPECT_EQ(files[1].path, "/usr/lib/x86_64-linux-gnu/libssl.so.3");
  EXPECT_EQ(files[1].dev_major, 0xfdu);
  EXPECT_EQ(files[1].dev_minor, 1u);
  EXPECT_EQ(files[1].inode, 1835331u);
  EXPECT_FALSE(files[1].deleted);
  EXPECT_EQ(files[2].path, "/opt/app/lib/libssl.so.1.1");
  EXPECT_TRUE(files[2].deleted);
  EXPECT_EQ(files[2].dev_major, 8u);
  EXPECT_EQ(files[4].path, "/path with space/libssl.so");
}

TEST(ParseMaps, EmptyAndTruncatedInputGiveNothing) {
  EXPECT_TRUE(ParseMaps("").empty());
  EXPECT_TRUE(ParseMaps("7f1c2a000000-7f1c2a022000 r--p 00000000 fd:01").empty());
  EXPECT_TRUE(ParseMaps("zz-yy r--p 0 fd:01 5 /x").empty());
}

TEST(IsLibSsl, OpenSslsLibraryOnly) {
  EXPECT_TRUE(IsLibSsl("/usr/lib/x86_64-linux-gnu/libssl.so.3"));
  EXPECT_TRUE(IsLibSsl("/opt/openssl/lib/libssl.so.1.1"));
  EXPECT_TRUE(IsLibSsl("libssl.so"));
  EXPECT_FALSE(IsLibSsl("/usr/lib/libsslcommon.so.2"));
  EXPECT_FALSE(IsLibSsl("/usr/lib/libcrypto.so.3"));
  EXPECT_FALSE(IsLibSsl("/usr/lib/libssl3.so"));  // NSS, not OpenSSL
}

}  // namespace
}  // namespace hugin::tls
