/* Every map and every load-time setting of Hugin's BPF object, in one place. */
#ifndef HUGIN_BPF_MAPS_H
#define HUGIN_BPF_MAPS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "hugin.h"

/* ---- configuration: set by the loader before load (skeleton rodata) ---- */
const volatile __u32 cfg_payload_bytes = 512; /* <= HG_MAX_PAYLOAD */
const volatile __u8 cfg_trace_all = 0;        /* 1: no pid filter (tests, debugging) */
const volatile __u32 cfg_self_tgid = 0;       /* the agent: never traced */
/* Wake the reader only once this much data waits in the ring buffer (the
 * loader sets a quarter of the ring, at most 256 KiB); the reader also drains
 * on a short poll timeout. A wakeup per record costs the traced syscall
 * microseconds (measured with bpf_stats: hg_exit_write 6.4 us per call with a
 * wakeup per record, 0.9 us batched). */
const volatile __u32 cfg_wakeup_bytes = 64 << 10;

/* ---- which processes to watch: filled by core/discovery ---- */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, __u32);  /* tgid */
  __type(value, __u8);
} watched_pids SEC(".maps");

/* ---- the record stream to user space; size set by the loader ---- */
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 16 << 20);
} events SEC(".maps");

/* ---- per-CPU counters, indexed by enum hg_counter ---- */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, HG_CNT__MAX);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

/* ---- tracked TCP connections, keyed by (tgid, fd) ---- */
struct conn_key {
  __u32 tgid;
  __s32 fd;
};

struct conn_state {
  __u64 generation;
  __u64 pos[2];   /* bytes moved so far, per enum hg_direction */
  __u64 sk;       /* struct sock *, the key of data_arrival */
  __u8 role;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, struct conn_key);
  __type(value, struct conn_state);
} conns SEC(".maps");

/* ---- per-connection loss, drained by user space (core/loader DrainConnLosses) ----
 * A plain hash, not LRU: an evicted entry would be loss nobody hears of. When
 * it is full a loss is counted in HG_CNT_LOSS_MAP_FULL instead. User space
 * drains it every ~100 ms, so it holds the connections that lost records in
 * that time. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, struct hg_conn_id);
  __type(value, struct hg_conn_loss);
} conn_losses SEC(".maps");

/* fds of watched processes that are not TCP sockets (files, pipes, unix
 * sockets): remembered so the fd -> socket walk is done once per fd. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 65536);
  __type(key, struct conn_key);
  __type(value, __u8);
} ignored_fds SEC(".maps");

/* ---- queue time: when data first became readable on a watched socket ---- */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, __u64);   /* struct sock * */
  __type(value, __u64); /* first sk_data_ready time not yet consumed by a read; 0 = none */
} data_arrival SEC(".maps");

/* ---- scratch space for building a data record (too big for the stack) ---- */
struct data_scratch {
  /* struct hg_data_event, then the payload. Three times the maximum payload
   * so the verifier can prove (offset < 4 KiB) + (length < 8 KiB) in bounds. */
  __u8 raw[sizeof(struct hg_data_event) + 3 * HG_MAX_PAYLOAD];
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct data_scratch);
} scratch SEC(".maps");

#endif /* HUGIN_BPF_MAPS_H */
