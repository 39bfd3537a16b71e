/* The data syscalls Hugin reads and writes through, by x86-64 number, and their arguments
 * as the syscall's saved registers hold them: shared by the two data paths (progs/sys_exit.bpf.c
 * and progs/sock_io.bpf.c). */
#ifndef HUGIN_BPF_SYSCALLS_H
#define HUGIN_BPF_SYSCALLS_H

#include "data.bpf.h"

/* x86-64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
#define HG_NR_READ 0
#define HG_NR_WRITE 1
#define HG_NR_READV 19
#define HG_NR_WRITEV 20
#define HG_NR_CONNECT 42
#define HG_NR_ACCEPT 43
#define HG_NR_SENDTO 44
#define HG_NR_RECVFROM 45
#define HG_NR_SENDMSG 46
#define HG_NR_RECVMSG 47
#define HG_NR_ACCEPT4 288

/* The data syscalls, by number. In .data, not .rodata, on purpose: the verifier then sees
 * an entry as unknown values and checks io_exit once for all eight syscalls; with the
 * constants of a switch it checks it once per syscall, which 6.1's verifier gives up on
 * (over 1M instructions; 6.12's prunes it). Static: not in the skeleton;
 * volatile: clang may not fold it back into constants. */
struct io_syscall {
  __u8 is_io, kind, syscall, dir;
};
static volatile struct io_syscall io_syscalls[HG_NR_RECVMSG + 1] = {
    [HG_NR_READ] = {1, IO_BUF, HG_SYS_READ, HG_INGRESS},
    [HG_NR_READV] = {1, IO_IOV, HG_SYS_READV, HG_INGRESS},
    [HG_NR_RECVFROM] = {1, IO_BUF, HG_SYS_RECVFROM, HG_INGRESS},
    [HG_NR_RECVMSG] = {1, IO_MSG, HG_SYS_RECVMSG, HG_INGRESS},
    [HG_NR_WRITE] = {1, IO_BUF, HG_SYS_WRITE, HG_EGRESS},
    [HG_NR_WRITEV] = {1, IO_IOV, HG_SYS_WRITEV, HG_EGRESS},
    [HG_NR_SENDTO] = {1, IO_BUF, HG_SYS_SENDTO, HG_EGRESS},
    [HG_NR_SENDMSG] = {1, IO_MSG, HG_SYS_SENDMSG, HG_EGRESS},
};

/* The io_args of data syscall `nr` (an io_syscalls entry with is_io set, 0 <= nr <=
 * HG_NR_RECVMSG) from its saved registers (x86-64: di, si, dx). `sk`: the call's socket when
 * the hook knows it, else 0. */
static __always_inline struct io_args io_args_of(const struct pt_regs *regs, long nr, __u64 sk) {
  struct io_args a = {};
  if (nr < 0 || nr > HG_NR_RECVMSG) return a;
  a.kind = io_syscalls[nr].kind;
  a.syscall = io_syscalls[nr].syscall;
  a.dir = io_syscalls[nr].dir;
  a.fd = (__s32)regs->di;
  a.ptr = regs->si;
  a.iovcnt = a.kind == IO_IOV ? (__u32)regs->dx : 0;
  a.sk = sk;
  return a;
}

#endif /* HUGIN_BPF_SYSCALLS_H */
