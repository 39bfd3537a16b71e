/* Connection end: close() on a tracked fd, and process exit (fds closed by the kernel). */
#include "../common.bpf.h"

static __always_inline void forget_sk(__u64 sk) {
  if (!sk) return;
  bpf_map_delete_elem(&data_arrival, &sk);
  sk_filter_add(sk, -1);
}

SEC("tracepoint/syscalls/sys_enter_close")
int hg_enter_close(struct trace_event_raw_sys_enter *ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  __u32 tgid = id >> 32;
  if (!watched(tgid)) return 0;
  struct conn_key k = {.tgid = tgid, .fd = (__s32)ctx->args[0]};
  bpf_map_delete_elem(&ignored_fds, &k);
  struct conn_state *c = bpf_map_lookup_elem(&conns, &k);
  if (!c) return 0;
  struct hg_close_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (e) {
    __builtin_memset(e, 0, sizeof(*e));
    fill_header(&e->h, HG_EV_CLOSE, tgid, k.fd, c);
    e->h.syscall = HG_SYS_CLOSE;
    e->bytes[0] = c->pos[0];
    e->bytes[1] = c->pos[1];
    e->tls_bytes[0] = c->tls_pos[0];
    e->tls_bytes[1] = c->tls_pos[1];
    if (c->tls) e->h.flags |= HG_FLAG_TLS;
    /* Aggregated in the kernel since its last record: its byte counts cover bytes never
     * recorded. */
    if (c->k_consumed) e->h.flags |= HG_FLAG_RESUME;
    bpf_ringbuf_submit(e, wakeup_flags_at_submit(sizeof(*e)));
    count(HG_CNT_EVENTS);
  } else {
    count(HG_CNT_DROP_RINGBUF);
    note_loss(tgid, k.fd, c, HG_LOSS_CONTROL, 0, bpf_ktime_get_ns());
  }
  k_end_of_connection(c);
  forget_sk(c->sk);
  bpf_map_delete_elem(&conn_policy, &k); /* even one not read yet: never leaks */
  bpf_map_delete_elem(&conns, &k);
  return 0;
}

static long forget_conn_of(struct bpf_map *map, struct conn_key *k, struct conn_state *c,
                           __u32 *tgid) {
  if (k->tgid == *tgid) {
    k_end_of_connection(c);
    forget_sk(c->sk);
    bpf_map_delete_elem(&conn_policy, k);
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
