// go_tls_info BINARY...: prints what AnalyzeGoBinary finds (for people writing the BPF side).
#include <cstdio>

#include "core/tls/go/go_binary.h"

namespace {

void PrintFunction(const hugin::gotls::GoFunction& f) {
  std::printf("  %s: entry 0x%llx, %zu RET:", f.name.c_str(),
              static_cast<unsigned long long>(f.entry_offset), f.ret_offsets.size());
  for (uint64_t r : f.ret_offsets) std::printf(" 0x%llx", static_cast<unsigned long long>(r));
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  int rc = 0;
  for (int i = 1; i < argc; ++i) {
    auto t = hugin::gotls::AnalyzeGoBinary(argv[i]);
    if (!t) {
      std::printf("%s: error: %s\n", argv[i], t.error().message.c_str());
      rc = 1;
      continue;
    }
    std::printf("%s: %s, register ABI %s, %s\n", argv[i], t->go_version.c_str(),
                t->register_abi ? "yes" : "no",
                t->stripped ? "stripped (.gopclntab)" : "symbols (.symtab)");
    PrintFunction(t->write);
    PrintFunction(t->read);
    std::printf("  itab *net.TCPConn,net.Conn: 0x%llx\n",
                static_cast<unsigned long long>(t->tcpconn_itab_vaddr));
    std::printf("  offsets (%s): tls.Conn.conn %u, TCPConn.conn.fd %u, netFD.pfd %u, FD.Sysfd %u\n",
                t->offsets_from_dwarf ? "DWARF" : "version table", t->conn_in_tls_conn,
                t->fd_in_net_conn, t->pfd_in_netfd, t->sysfd_in_poll_fd);
  }
  return rc;
}
