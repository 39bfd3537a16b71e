#include "core/tls/go/buildinfo.h"

#include <elf.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace hugin::gotls {
namespace {

TEST(ParseGoVersion, Releases) {
  int major = 0, minor = 0;
  ASSERT_TRUE(ParseGoVersion("go1.24.3", &major, &minor));
  EXPECT_EQ(major, 1);
  EXPECT_EQ(minor, 24);
  ASSERT_TRUE(ParseGoVersion("go1.9", &major, &minor));
  EXPECT_EQ(minor, 9);
  ASSERT_TRUE(ParseGoVersion("go1.21rc2", &major, &minor));
  EXPECT_EQ(minor, 21);
  ASSERT_TRUE(ParseGoVersion("devel go1.23-4f7e1b9 Tue Jan 2 2024", &major, &minor));
  EXPECT_EQ(minor, 23);
}

TEST(ParseGoVersion, Garbage) {
  int major = 0, minor = 0;
  EXPECT_FALSE(ParseGoVersion("", &major, &minor));
  EXPECT_FALSE(ParseGoVersion("go1.", &major, &minor));
  EXPECT_FALSE(ParseGoVersion("gccgo", &major, &minor));
}

// A minimal ELF: one PT_LOAD mapping the whole file at kBase, and a .go.buildinfo section
// holding `blob` at file offset kBlob. The fixture covers the inline format (Go >= 1.18); this
// builds the pointer format (Go < 1.18) by hand, following cmd/link's layout.
constexpr uint64_t kBase = 0x400000;
constexpr uint64_t kBlob = 0x200;
constexpr uint64_t kShdrs = 0x400;

std::string MakeElf(const std::string& blob) {
  std::string f(kShdrs + 3 * sizeof(Elf64_Shdr), '\0');
  const char shstr[] = "\0.go.buildinfo\0.shstrtab";  // names at 1 and 15
  const uint64_t shstr_off = 0x100;
  std::memcpy(&f[shstr_off], shstr, sizeof shstr);
  std::memcpy(&f[kBlob], blob.data(), blob.size());

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_phoff = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  eh.e_shoff = kShdrs;
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = 3;
  eh.e_shstrndx = 2;
  std::memcpy(&f[0], &eh, sizeof eh);
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_vaddr = kBase;
  ph.p_filesz = ph.p_memsz = f.size();
  std::memcpy(&f[sizeof eh], &ph, sizeof ph);
  Elf64_Shdr sh[3]{};
  sh[1].sh_name = 1;
  sh[1].sh_type = SHT_PROGBITS;
  sh[1].sh_addr = kBase + kBlob;
  sh[1].sh_offset = kBlob;
  sh[1].sh_size = blob.size();
  sh[2].sh_name = 15;
  sh[2].sh_type = SHT_STRTAB;
  sh[2].sh_offset = shstr_off;
  sh[2].sh_size = sizeof shstr;
  std::memcpy(&f[kShdrs], sh, sizeof sh);
  return f;
}

Result<std::string> VersionOf(const std::string& file) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/buildinfo_elf";
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(file.data(), file.size());
  auto elf = ElfFile::Open(path);
  if (!elf) return elf.error();
  return ReadGoVersion(*elf);
}

std::string Header(uint8_t flags) {
  std::string h("\xff Go buildinf:", 14);
  h += '\x08';  // pointer size
  h += static_cast<char>(flags);
  return h;
}

void PutU64(std::string& s, size_t at, uint64_t v) {
  if (s.size() < at + 8) s.resize(at + 8, '\0');
  std::memcpy(&s[at], &v, 8);
}

TEST(ReadGoVersion, PointerFormat) {
  // [16]: pointer to a Go string header at blob+0x40 = {data: blob+0x60, len: 9}.
  std::string blob = Header(0x0);
  PutU64(blob, 16, kBase + kBlob + 0x40);
  PutU64(blob, 24, 0);  // module info: none
  PutU64(blob, 0x40, kBase + kBlob + 0x60);
  PutU64(blob, 0x48, 9);
  blob.resize(0x60, '\0');
  blob += "go1.16.15";
  auto v = VersionOf(MakeElf(blob));
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, "go1.16.15");
}

TEST(ReadGoVersion, PointerOutsideTheFileIsAnError) {
  std::string blob = Header(0x0);
  PutU64(blob, 16, 0xdead0000);
  PutU64(blob, 24, 0);
  auto v = VersionOf(MakeElf(blob));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("outside"), std::string::npos) << v.error().message;
}

TEST(ReadGoVersion, InlineFormat) {
  std::string blob = Header(0x2);
  blob.resize(32, '\0');
  blob += '\x08';
  blob += "go1.22.1";
  blob += '\x00';  // empty module info
  auto v = VersionOf(MakeElf(blob));
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, "go1.22.1");
}

TEST(ReadGoVersion, InlineLengthPastTheEndIsAnError) {
  std::string blob = Header(0x2);
  blob.resize(32, '\0');
  blob += '\x7f';  // 127 bytes promised, 3 present
  blob += "go1";
  auto v = VersionOf(MakeElf(blob));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("corrupt"), std::string::npos) << v.error().message;
}

}  // namespace
}  // namespace hugin::gotls
