// Where the kernel sees a connection's data calls (bpf/progs/sock_io.bpf.c says why there are
// two): chosen by HUGIN_DATA_PATH (Config::data_path), applied by the loader.
#pragma once

namespace hugin {

enum class DataPath {
  kAuto,      // sockets when the kernel has their tracepoints (6.4 and later), else syscalls
  kSyscalls,  // tp_btf/sys_exit + sys_enter_close: every syscall of every process runs a program
  kSockets,   // sock_recv_length / sock_send_length / inet_sock_set_state: socket calls only
};

inline const char* DataPathName(DataPath p) {
  switch (p) {
    case DataPath::kAuto: return "auto";
    case DataPath::kSyscalls: return "syscalls";
    case DataPath::kSockets: return "sockets";
  }
  return "?";
}

}  // namespace hugin
