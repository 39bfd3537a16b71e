/* Hugin's BPF object: one compilation unit that gathers the programs, one
 * concern per file under progs/. All maps are in maps.bpf.h. Tracepoints and
 * uprobes only: this kernel has no kprobes and refuses fentry. */
#include "progs/sys_exit.bpf.c"
#include "progs/sock_io.bpf.c"
#include "progs/close.bpf.c"
#include "progs/data_ready.bpf.c"
#include "progs/openssl.bpf.c"
#include "progs/go_tls.bpf.c"

char LICENSE[] SEC("license") = "GPL";
