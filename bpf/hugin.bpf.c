/* Hugin's BPF object: one compilation unit that gathers the programs, one
 * concern per file under progs/. All maps are in maps.bpf.h. Tracepoints only:
 * this kernel has no kprobes and refuses fentry (see shared/DESIGN.md). */
#include "progs/accept.bpf.c"
#include "progs/connect.bpf.c"
#include "progs/read.bpf.c"
#include "progs/write.bpf.c"
#include "progs/close.bpf.c"
#include "progs/data_ready.bpf.c"

char LICENSE[] SEC("license") = "GPL";
