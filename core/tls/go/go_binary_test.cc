// AnalyzeGoBinary on the Go fixture, checked against an oracle that does not use the code under
// test (fixture_oracle in BUILD.bazel): `go version`, `go tool nm`, `go tool objdump` and
// readelf's DWARF dump, plus a small PT_LOAD reader of this test's own.
#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/tls/go/buildinfo.h"
#include "core/tls/go/conn_offsets.h"
#include "core/tls/go/go_binary.h"

namespace hugin::gotls {
namespace {

std::string g_server, g_stripped, g_version, g_nm, g_objdump, g_dwarf;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The unstripped binary, read once.
const std::string& ServerBytes() {
  static const std::string bytes = Slurp(g_server);
  return bytes;
}

// vaddr -> file offset, read straight from the program headers (the oracle's own conversion).
uint64_t FileOffset(uint64_t vaddr) {
  const std::string& b = ServerBytes();
  Elf64_Ehdr eh;
  std::memcpy(&eh, b.data(), sizeof eh);
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, b.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz)
      return vaddr - ph.p_vaddr + ph.p_offset;
  }
  ADD_FAILURE() << "vaddr 0x" << std::hex << vaddr << " is in no PT_LOAD";
  return 0;
}

// `go tool nm`: "  646a40 T crypto/tls.(*Conn).Read"
std::map<std::string, uint64_t> NmSymbols() {
  std::map<std::string, uint64_t> out;
  std::istringstream in(Slurp(g_nm));
  std::string addr, kind, name;
  while (in >> addr >> kind >> name) out[name] = std::stoull(addr, nullptr, 16);
  return out;
}

struct ObjdumpFunction {
  std::string first_bytes;       // hex of the first instruction
  std::vector<uint64_t> rets;    // vaddrs of RET instructions
};

// `go tool objdump`: "TEXT name(SB) file" then "  file:line\t0xaddr\thexbytes\tASM".
std::map<std::string, ObjdumpFunction> Objdump() {
  std::map<std::string, ObjdumpFunction> out;
  std::istringstream in(Slurp(g_objdump));
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

// readelf's DWARF: "struct member offset" lines.
std::map<std::string, uint32_t> DwarfMembers() {
  std::map<std::string, uint32_t> out;
  std::istringstream in(Slurp(g_dwarf));
  std::string st, member;
  uint32_t off;
  while (in >> st >> member >> off) out[st + "." + member] = off;
  return out;
}

std::string HexAt(uint64_t off, size_t n) {
  const std::string& b = ServerBytes();
  std::string hex;
  char buf[3];
  for (size_t i = 0; i < n && off + i < b.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%02x", static_cast<uint8_t>(b[off + i]));
    hex += buf;
  }
  return hex;
}

std::string OracleVersion() {
  std::string v = Slurp(g_version);
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

void ExpectMatchesOracle(const GoFunction& f, const std::string& name) {
  SCOPED_TRACE(name);
  const auto nm = NmSymbols();
  const auto od = Objdump();
  ASSERT_TRUE(nm.count(name)) << "oracle lacks " << name;
  ASSERT_TRUE(od.count(name)) << "oracle lacks " << name;
  EXPECT_EQ(f.name, name);
  const uint64_t vaddr = nm.at(name);
  EXPECT_EQ(f.entry_offset, FileOffset(vaddr));
  const std::string& first = od.at(name).first_bytes;
  EXPECT_EQ(HexAt(f.entry_offset, first.size() / 2), first);

  std::vector<uint64_t> want;
  for (uint64_t ret : od.at(name).rets) want.push_back(FileOffset(ret));
  ASSERT_FALSE(want.empty());
  std::vector<uint64_t> got = f.ret_offsets;
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
  for (uint64_t off : got) EXPECT_EQ(HexAt(off, 1), "c3");
}

TEST(AnalyzeGoBinary, FixtureMatchesGoTools) {
  auto t = AnalyzeGoBinary(g_server);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->go_version, OracleVersion());
  EXPECT_TRUE(t->register_abi);
  EXPECT_FALSE(t->stripped);
  ExpectMatchesOracle(t->write, "crypto/tls.(*Conn).Write");
  ExpectMatchesOracle(t->read, "crypto/tls.(*Conn).Read");
  const auto nm = NmSymbols();
  ASSERT_TRUE(nm.count("go:itab.*net.TCPConn,net.Conn"));
  EXPECT_EQ(t->tcpconn_itab_vaddr, nm.at("go:itab.*net.TCPConn,net.Conn"));
}

TEST(AnalyzeGoBinary, FixtureOffsetsComeFromDwarfAndTheTableAgrees) {
  const auto dw = DwarfMembers();
  for (const char* m : {"crypto/tls.Conn.conn", "net.TCPConn.conn", "net.conn.fd",
                        "net.netFD.pfd", "internal/poll.FD.Sysfd"})
    ASSERT_TRUE(dw.count(m)) << "oracle lacks " << m;
  auto t = AnalyzeGoBinary(g_server);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_TRUE(t->offsets_from_dwarf);
  EXPECT_EQ(t->conn_in_tls_conn, dw.at("crypto/tls.Conn.conn"));
  EXPECT_EQ(t->fd_in_net_conn, dw.at("net.TCPConn.conn") + dw.at("net.conn.fd"));
  EXPECT_EQ(t->pfd_in_netfd, dw.at("net.netFD.pfd"));
  EXPECT_EQ(t->sysfd_in_poll_fd, dw.at("internal/poll.FD.Sysfd"));

  int major = 0, minor = 0;
  ASSERT_TRUE(ParseGoVersion(OracleVersion(), &major, &minor));
  auto table = ConnOffsetsForGoVersion(minor);
  ASSERT_TRUE(table.has_value()) << "no table row for " << OracleVersion();
  EXPECT_EQ(table->conn_in_tls_conn, t->conn_in_tls_conn);
  EXPECT_EQ(table->fd_in_net_conn, t->fd_in_net_conn);
  EXPECT_EQ(table->pfd_in_netfd, t->pfd_in_netfd);
  EXPECT_EQ(table->sysfd_in_poll_fd, t->sysfd_in_poll_fd);
}

TEST(AnalyzeGoBinary, StrippedFixtureGivesTheSameOffsets) {
  auto full = AnalyzeGoBinary(g_server);
  auto t = AnalyzeGoBinary(g_stripped);
  ASSERT_TRUE(full.ok()) << full.error().message;
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_TRUE(t->stripped);
  EXPECT_EQ(t->go_version, OracleVersion());
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

TEST(IsGoBinary, FixturesAndOthers) {
  EXPECT_TRUE(IsGoBinary(g_server));
  EXPECT_TRUE(IsGoBinary(g_stripped));
  EXPECT_FALSE(IsGoBinary("/bin/true"));
  EXPECT_FALSE(IsGoBinary(g_version));  // a text file
  EXPECT_FALSE(IsGoBinary("/nonexistent/hugin"));
}

TEST(AnalyzeGoBinary, NonGoElfIsNotAGoBinary) {
  auto t = AnalyzeGoBinary("/bin/true");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("not a Go binary"), std::string::npos) << t.error().message;
}

TEST(AnalyzeGoBinary, TextFileIsNotElf) {
  auto t = AnalyzeGoBinary(g_version);
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
    std::fprintf(stderr, "usage: %s SERVER STRIPPED VERSION NM OBJDUMP DWARF\n", argv[0]);
    return 2;
  }
  using namespace hugin::gotls;
  g_server = argv[1];
  g_stripped = argv[2];
  g_version = argv[3];
  g_nm = argv[4];
  g_objdump = argv[5];
  g_dwarf = argv[6];
  return RUN_ALL_TESTS();
}
