// Where the kernel sees a connection's data calls (bpf/progs/sock_io.bpf.c says why there are
// two): chosen by HUGIN_DATA_PATH (Config::data_path), applied by the loader.
#pragma once

#include <optional>
#include <string_view>

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

// HUGIN_DATA_PATH's value ("auto", "syscalls", "sockets"); nullopt for anything else.
inline std::optional<DataPath> ParseDataPath(std::string_view v) {
  if (v == "auto") return DataPath::kAuto;
  if (v == "syscalls") return DataPath::kSyscalls;
  if (v == "sockets") return DataPath::kSockets;
  return std::nullopt;
}

// The path taken for `asked` (never kAuto): sockets only when asked for them or auto, and the
// kernel has their tracepoints (`kernel_has_sockets`). A caller refuses kSockets without them.
inline DataPath ResolveDataPath(DataPath asked, bool kernel_has_sockets) {
  return asked != DataPath::kSyscalls && kernel_has_sockets ? DataPath::kSockets
                                                            : DataPath::kSyscalls;
}

}  // namespace hugin
