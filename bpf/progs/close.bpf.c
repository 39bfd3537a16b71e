/* Connection end on the syscall path: close() on a tracked fd. On either path: process exit
 * (fds closed by the kernel). The socket path sees ends in progs/sock_io.bpf.c. */
#include "../common.bpf.h"

SEC("tracepoint/syscalls/sys_enter_close")
int hg_enter_close(struct trace_event_raw_sys_enter *ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  __u32 tgid = id >> 32;
  if (!watched(tgid)) return 0;
  struct conn_key k = {.tgid = tgid, .fd = (__s32)ctx->args[0]};
  bpf_map_delete_elem(&ignored_fds, &k);
  __u64 ck = conn_key_of(tgid, k.fd, 0);
  conn_close(bpf_map_lookup_elem(&conns, &ck));
  return 0;
}

static long forget_conn_of(struct bpf_map *map, __u64 *k, struct conn_state *c,
                           __u32 *tgid) {
  if (c->tgid == *tgid) {
    struct conn_key id = {.tgid = c->tgid, .fd = c->fd};
    k_end_of_connection(c);
    forget_sk(c);
    bpf_map_delete_elem(&conn_policy, &id);
    bpf_map_delete_elem(map, k);
  }
  return 0;
}

static long forget_ignored_of(struct bpf_map *map, struct conn_key *k, __u8 *v, __u32 *tgid) {
  if (k->tgid == *tgid) bpf_map_delete_elem(map, k);
  return 0;
}

/* The kernel closes a dying process's fds without close() calls: drop its
 * table entries so they neither leak nor alias a later process's fds. */
SEC("tracepoint/sched/sched_process_exit")
int hg_proc_exit(void *ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  __u32 tgid = id >> 32;
  if ((__u32)id != tgid || !watched(tgid)) return 0; /* the whole process, not one thread */
  bpf_for_each_map_elem(&conns, forget_conn_of, &tgid, 0);
  bpf_for_each_map_elem(&ignored_fds, forget_ignored_of, &tgid, 0);
  return 0;
}
