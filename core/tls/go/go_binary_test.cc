// AnalyzeGoBinary on the Go fixtures, checked against an oracle that does not use the code under
// test (the oracle_* genrules in BUILD.bazel): `go version`, `go tool nm`, `go tool objdump` and
// readelf's DWARF dump, plus a small PT_LOAD reader of this test's own.
// Fixtures: //fixtures/go:server (pure Go, internal linking) and testdata/cgotls (cgo, external
// linking), each also built with -ldflags="-s -w".
#include <elf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/tls/go/buildinfo.h"
#include "core/tls/go/conn_offsets.h"
#include "core/tls/go/go_binary.h"

namespace hugin::gotls {
namespace {

constexpr const char* kWrite = "crypto/tls.(*Conn).Write";
constexpr const char* kRead = "crypto/tls.(*Conn).Read";
constexpr const char* kItab = "go:itab.*net.TCPConn,net.Conn";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ObjdumpFunction {
  std::string first_bytes;     // hex of the first instruction
  std::vector<uint64_t> rets;  // vaddrs of RET instructions
};

struct Fixture {
  std::string name, binary, stripped, oracle_dir;
  std::string bytes;  // the unstripped binary

  std::string Oracle(const char* file) const { return Slurp(oracle_dir + "/" + file); }

  std::string Version() const {
    std::string v = Oracle("version.txt");
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    return v;
  }

  // `go tool nm`: "  646a40 T crypto/tls.(*Conn).Read"
  std::map<std::string, uint64_t> Nm() const {
    std::map<std::string, uint64_t> out;
    std::istringstream in(Oracle("nm.txt"));
    std::string addr, kind, sym;
    while (in >> addr >> kind >> sym) out[sym] = std::stoull(addr, nullptr, 16);
    return out;
  }

  // `go tool objdump`: "TEXT name(SB) file" then "  file:line\t0xaddr\thexbytes\tASM".
  std::map<std::string, ObjdumpFunction> Objdump() const {
    std::map<std::string, ObjdumpFunction> out;
    std::istringstream in(Oracle("objdump.txt"));
    std::string line, current;
    while (std::getline(in, line)) {
      if (line.rfind("TEXT ", 0) == 0) {
        current = line.substr(5, line.find("(SB)") - 5);
        continue;
      }
      std::istringstream fields(line);
      std::string pos, addr, hex, op;
      if (current.empty() || !(fields >> pos >> addr >> hex >> op)) continue;
      ObjdumpFunction& f = out[current];
      if (f.first_bytes.empty()) f.first_bytes = hex;
      if (op == "RET") f.rets.push_back(std::stoull(addr, nullptr, 16));
    }
    return out;
  }

  // readelf's DWARF: "struct member offset" lines -> "struct.member" -> offset.
  std::map<std::string, uint32_t> DwarfMembers() const {
    std::map<std::string, uint32_t> out;
    std::istringstream in(Oracle("dwarf.txt"));
    std::string st, member;
    uint32_t off;
    while (in >> st >> member >> off) out[st + "." + member] = off;
    return out;
  }

  // vaddr -> file offset, straight from the program headers (the test's own conversion).
  uint64_t FileOffset(uint64_t vaddr) const {
    Elf64_Ehdr eh;
    std::memcpy(&eh, bytes.data(), sizeof eh);
    for (int i = 0; i < eh.e_phnum; ++i) {
      Elf64_Phdr ph;
      std::memcpy(&ph, bytes.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
      if (ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz)
        return vaddr - ph.p_vaddr + ph.p_offset;
    }
    ADD_FAILURE() << "vaddr 0x" << std::hex << vaddr << " is in no PT_LOAD";
    return 0;
  }

  std::string HexAt(uint64_t off, size_t n) const {
    std::string hex;
    char buf[3];
    for (size_t i = 0; i < n && off + i < bytes.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%02x", static_cast<uint8_t>(bytes[off + i]));
      hex += buf;
    }
    return hex;
  }
};

constexpr const char* kFixtureNames[] = {"server", "cgotls"};  // the order of main()'s args
std::vector<Fixture> g_fixtures;

class FixtureTest : public testing::TestWithParam<size_t> {
 protected:
  const Fixture& F() const { return g_fixtures.at(GetParam()); }
};

void ExpectMatchesOracle(const Fixture& fx, const GoFunction& f, const std::string& name) {
  SCOPED_TRACE(fx.name + " " + name);
  const auto nm = fx.Nm();
  const auto od = fx.Objdump();
  ASSERT_TRUE(nm.count(name)) << "oracle lacks " << name;
  ASSERT_TRUE(od.count(name)) << "oracle lacks " << name;
  EXPECT_EQ(f.name, name);
  EXPECT_EQ(f.entry_offset, fx.FileOffset(nm.at(name)));
  const std::string& first = od.at(name).first_bytes;
  EXPECT_EQ(fx.HexAt(f.entry_offset, first.size() / 2), first);

  std::vector<uint64_t> want;
  for (uint64_t ret : od.at(name).rets) want.push_back(fx.FileOffset(ret));
  ASSERT_FALSE(want.empty());
  std::vector<uint64_t> got = f.ret_offsets;
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
  for (uint64_t off : got) EXPECT_EQ(fx.HexAt(off, 1), "c3");
}

TEST_P(FixtureTest, MatchesGoTools) {
  auto t = AnalyzeGoBinary(F().binary);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->go_version, F().Version());
  EXPECT_TRUE(t->register_abi);
  EXPECT_FALSE(t->stripped);
  ExpectMatchesOracle(F(), t->write, kWrite);
  ExpectMatchesOracle(F(), t->read, kRead);
  const auto nm = F().Nm();
  ASSERT_TRUE(nm.count(kItab));
  EXPECT_EQ(t->tcpconn_itab_vaddr, nm.at(kItab));
}

TEST_P(FixtureTest, OffsetsComeFromDwarfAndTheTableAgrees) {
  const auto dw = F().DwarfMembers();
  for (const char* m : {"crypto/tls.Conn.conn", "net.TCPConn.conn", "net.conn.fd",
                        "net.netFD.pfd", "internal/poll.FD.Sysfd"})
    ASSERT_TRUE(dw.count(m)) << "oracle lacks " << m;
  auto t = AnalyzeGoBinary(F().binary);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_TRUE(t->offsets_from_dwarf);
  EXPECT_EQ(t->conn_in_tls_conn, dw.at("crypto/tls.Conn.conn"));
  EXPECT_EQ(t->fd_in_net_conn, dw.at("net.TCPConn.conn") + dw.at("net.conn.fd"));
  EXPECT_EQ(t->pfd_in_netfd, dw.at("net.netFD.pfd"));
  EXPECT_EQ(t->sysfd_in_poll_fd, dw.at("internal/poll.FD.Sysfd"));

  int major = 0, minor = 0;
  ASSERT_TRUE(ParseGoVersion(F().Version(), &major, &minor));
  auto table = ConnOffsetsForGoVersion(minor);
  ASSERT_TRUE(table.has_value()) << "no table row for " << F().Version();
  EXPECT_EQ(table->conn_in_tls_conn, t->conn_in_tls_conn);
  EXPECT_EQ(table->fd_in_net_conn, t->fd_in_net_conn);
  EXPECT_EQ(table->pfd_in_netfd, t->pfd_in_netfd);
  EXPECT_EQ(table->sysfd_in_poll_fd, t->sysfd_in_poll_fd);
}

// The stripped twin has the same code at the same file offsets (-s -w only drops .symtab and
// DWARF, which come after the loaded segments), so the .gopclntab path must agree exactly.
TEST_P(FixtureTest, StrippedTwinGivesTheSameOffsets) {
  auto full = AnalyzeGoBinary(F().binary);
  auto t = AnalyzeGoBinary(F().stripped);
  ASSERT_TRUE(full.ok()) << full.error().message;
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_TRUE(t->stripped);
  EXPECT_EQ(t->go_version, F().Version());
  EXPECT_EQ(t->write.entry_offset, full->write.entry_offset);
  EXPECT_EQ(t->write.ret_offsets, full->write.ret_offsets);
  EXPECT_EQ(t->read.entry_offset, full->read.entry_offset);
  EXPECT_EQ(t->read.ret_offsets, full->read.ret_offsets);
  EXPECT_EQ(t->tcpconn_itab_vaddr, 0u);  // no .symtab to name it
  EXPECT_FALSE(t->offsets_from_dwarf);   // -w: no DWARF, the table
  EXPECT_EQ(t->conn_in_tls_conn, full->conn_in_tls_conn);
  EXPECT_EQ(t->fd_in_net_conn, full->fd_in_net_conn);
  EXPECT_EQ(t->pfd_in_netfd, full->pfd_in_netfd);
  EXPECT_EQ(t->sysfd_in_poll_fd, full->sysfd_in_poll_fd);
}

TEST_P(FixtureTest, IsGoBinary) {
  EXPECT_TRUE(IsGoBinary(F().binary));
  EXPECT_TRUE(IsGoBinary(F().stripped));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureTest, testing::Values(0, 1),
                         [](const testing::TestParamInfo<size_t>& i) {
                           // Runs at registration, before main() has loaded g_fixtures.
                           return std::string(kFixtureNames[i.param]);
                         });

TEST(IsGoBinary, Others) {
  EXPECT_FALSE(IsGoBinary("/bin/true"));
  EXPECT_FALSE(IsGoBinary(g_fixtures.at(0).oracle_dir + "/version.txt"));  // a text file
  EXPECT_FALSE(IsGoBinary("/nonexistent/hugin"));
}

TEST(AnalyzeGoBinary, NonGoElfIsNotAGoBinary) {
  auto t = AnalyzeGoBinary("/bin/true");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("not a Go binary"), std::string::npos) << t.error().message;
}

TEST(AnalyzeGoBinary, TextFileIsNotElf) {
  auto t = AnalyzeGoBinary(g_fixtures.at(0).oracle_dir + "/version.txt");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("not an ELF file"), std::string::npos) << t.error().message;
}

TEST(AnalyzeGoBinary, MissingFile) {
  auto t = AnalyzeGoBinary("/nonexistent/hugin");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("cannot open"), std::string::npos) << t.error().message;
}

}  // namespace
}  // namespace hugin::gotls

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s {BINARY STRIPPED ORACLE_VERSION_TXT} x2 (server, cgotls)\n",
                 argv[0]);
    return 2;
  }
  using hugin::gotls::Fixture;
  using hugin::gotls::kFixtureNames;
  for (int i = 0; i < 2; ++i) {
    std::string version = argv[3 + 3 * i];
    Fixture f{kFixtureNames[i], argv[1 + 3 * i], argv[2 + 3 * i],
              version.substr(0, version.rfind('/')), ""};
    f.bytes = hugin::gotls::Slurp(f.binary);
    hugin::gotls::g_fixtures.push_back(std::move(f));
  }
  return RUN_ALL_TESTS();
}
