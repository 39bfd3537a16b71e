// BTF tracepoints (SEC("tp_btf/...")) a kernel may lack: which one a program needs, and
// whether this kernel has it. Shared by the loader and harness/floor, which leave such a
// program out rather than fail the whole object's load.
#pragma once

#include <bpf/libbpf.h>

#include <string>

namespace hugin {

// The tracepoint of a tp_btf program ("sk_data_ready"), or "" for any other program.
inline std::string BtfTracepointOf(const bpf_program* prog) {
  const std::string sec = bpf_program__section_name(prog);
  const std::string prefix = "tp_btf/";
  return sec.rfind(prefix, 0) == 0 ? sec.substr(prefix.size()) : "";
}

// Whether the running kernel's BTF has the raw tracepoint `name`.
inline bool KernelHasBtfTracepoint(const std::string& name) {
  return libbpf_find_vmlinux_btf_id(name.c_str(), BPF_TRACE_RAW_TP) >= 0;
}

// Whether the running kernel has every tracepoint of the socket data path
// (bpf/progs/sock_io.bpf.c; harness/floor's empty twins).
inline bool KernelHasSocketDataPath() {
  return KernelHasBtfTracepoint("sock_recv_length") &&
         KernelHasBtfTracepoint("sock_send_length") &&
         KernelHasBtfTracepoint("inet_sock_set_state") &&
         KernelHasBtfTracepoint("tcp_destroy_sock");
}

}  // namespace hugin
