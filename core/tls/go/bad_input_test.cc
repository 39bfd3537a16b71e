// Fuzz-ish robustness: truncated and corrupted copies of the Go fixture must give a clean Error
// or a result, never a crash (a crash fails the test binary; ASan is not needed to notice it).
#include <elf.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/tls/go/go_binary.h"

namespace hugin::gotls {
namespace {

std::string g_server, g_stripped;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string WriteTemp(const std::string& bytes) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir ? dir : "/tmp") + "/mutant";
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
  return path;
}

struct Region {
  uint64_t offset, size;
};

// File regions of the named section and the end of the last PT_LOAD, read with <elf.h> here.
Region SectionRegion(const std::string& b, const char* name) {
  Elf64_Ehdr eh;
  std::memcpy(&eh, b.data(), sizeof eh);
  Elf64_Shdr strtab;
  std::memcpy(&strtab, b.data() + eh.e_shoff + eh.e_shstrndx * sizeof(Elf64_Shdr), sizeof strtab);
  for (int i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, b.data() + eh.e_shoff + i * sizeof sh, sizeof sh);
    if (std::strcmp(b.data() + strtab.sh_offset + sh.sh_name, name) == 0)
      return {sh.sh_offset, sh.sh_size};
  }
  ADD_FAILURE() << "fixture has no " << name;
  return {0, 0};
}

uint64_t LoadEnd(const std::string& b) {
  Elf64_Ehdr eh;
  std::memcpy(&eh, b.data(), sizeof eh);
  uint64_t end = 0;
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, b.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type == PT_LOAD) end = std::max(end, ph.p_offset + ph.p_filesz);
  }
  return end;
}

// Analyses `bytes`; true when it gave a result. An Error must say something.
bool Survives(const std::string& bytes, const std::string& what) {
  const std::string path = WriteTemp(bytes);
  (void)IsGoBinary(path);
  auto r = AnalyzeGoBinary(path);
  if (!r.ok()) {
    EXPECT_FALSE(r.error().message.empty()) << what;
  }
  return r.ok();
}

TEST(BadInput, UntouchedCopiesAnalyse) {
  EXPECT_TRUE(Survives(Slurp(g_server), "server"));
  EXPECT_TRUE(Survives(Slurp(g_stripped), "stripped"));
}

TEST(BadInput, TruncatedCopiesAreErrors) {
  for (const std::string& bin : {g_server, g_stripped}) {
    const std::string b = Slurp(bin);
    const uint64_t load_end = LoadEnd(b);
    std::vector<uint64_t> cuts = {0, 1, 4, 16, 63, 64, 65, 200, 4095, 4096, b.size() / 4,
                                  b.size() / 2, load_end - 1, b.size() - 1};
    for (const char* s : {".text", ".gopclntab", ".go.buildinfo", ".rodata"}) {
      Region r = SectionRegion(b, s);
      cuts.insert(cuts.end(), {r.offset, r.offset + 1, r.offset + r.size / 2});
    }
    for (uint64_t cut : cuts) {
      SCOPED_TRACE(bin + " cut at " + std::to_string(cut));
      bool ok = Survives(b.substr(0, cut), "truncated");
      // Cut inside the loaded segments: the code is not all there, so it must be an Error.
      if (cut < load_end) {
        EXPECT_FALSE(ok);
      }
    }
  }
}

// Random bytes over a region, many seeds: whatever happens, no crash.
void Corrupt(const std::string& bin, Region region, int rounds, int flips, unsigned seed) {
  const std::string orig = Slurp(bin);
  std::mt19937_64 rng(seed);
  for (int round = 0; round < rounds; ++round) {
    std::string b = orig;
    for (int i = 0; i < flips && region.size > 0; ++i)
      b[region.offset + rng() % region.size] = static_cast<char>(rng());
    Survives(b, bin + " round " + std::to_string(round));
  }
}

TEST(BadInput, CorruptedHeaders) {
  Corrupt(g_stripped, {0, 0x1000}, 30, 8, 1);  // ELF, program and section headers
  Corrupt(g_server, {0, 0x1000}, 10, 8, 2);
}

TEST(BadInput, CorruptedGoTables) {
  const std::string s = Slurp(g_stripped);
  Region pcln = SectionRegion(s, ".gopclntab");
  Corrupt(g_stripped, {pcln.offset, 128}, 30, 4, 3);                 // pclntab header
  Corrupt(g_stripped, {pcln.offset, pcln.size}, 20, 2000, 4);        // anywhere in it
  Corrupt(g_stripped, SectionRegion(s, ".go.buildinfo"), 30, 4, 5);  // version
  Corrupt(g_stripped, SectionRegion(s, ".text"), 10, 5000, 6);       // code
}

TEST(BadInput, CorruptedSymtabAndDwarf) {
  const std::string s = Slurp(g_server);
  Corrupt(g_server, SectionRegion(s, ".symtab"), 10, 2000, 7);
  Corrupt(g_server, SectionRegion(s, ".strtab"), 10, 2000, 8);
  Region info = SectionRegion(s, ".debug_info");
  Corrupt(g_server, {info.offset, 64}, 10, 4, 9);   // compression header
  Corrupt(g_server, info, 10, 200, 10);             // compressed payload
  Corrupt(g_server, SectionRegion(s, ".debug_abbrev"), 10, 8, 11);
}

TEST(BadInput, HugePclntabCountIsAnError) {
  std::string b = Slurp(g_stripped);
  Region pcln = SectionRegion(b, ".gopclntab");
  std::memset(&b[pcln.offset + 8], 0xff, 8);  // nfunc
  EXPECT_FALSE(Survives(b, "nfunc"));
}

TEST(BadInput, GarbageFiles) {
  EXPECT_FALSE(Survives("", "empty"));
  EXPECT_FALSE(Survives("hello, world\n", "text"));
  std::mt19937_64 rng(12);
  std::string garbage(1 << 16, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  EXPECT_FALSE(Survives(garbage, "garbage"));
  std::memcpy(garbage.data(), ELFMAG, SELFMAG);  // ELF magic and garbage after it
  EXPECT_FALSE(Survives(garbage, "elf garbage"));
}

}  // namespace
}  // namespace hugin::gotls

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s SERVER STRIPPED\n", argv[0]);
    return 2;
  }
  hugin::gotls::g_server = argv[1];
  hugin::gotls::g_stripped = argv[2];
  return RUN_ALL_TESTS();
}
