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
/* Wake the reader each time the unread data crosses a multiple of this (the
 * loader sets a quarter of the ring, at most 256 KiB; see wakeup.bpf.h); the
 * reader also drains on a short poll timeout. A wakeup per record costs the
 * traced syscall microseconds (measured with bpf_stats: hg_exit_write 6.4 us
 * per call with a wakeup per record, 0.9 us batched). */
const volatile __u32 cfg_wakeup_bytes = 64 << 10;

/* Slices of HG_MAX_PAYLOAD bytes a fully captured call is written as (<= HG_MAX_SLICES). */
const volatile __u32 cfg_full_slices = HG_MAX_SLICES;
/* How often (ns) a connection re-reads its entry in conn_policy: a policy
 * costs one hash lookup per connection per interval, not one per call. */
const volatile __u64 cfg_policy_recheck_ns = 5 * 1000 * 1000;

/* 1: aggregate server-side HTTP/1 exchanges the kernel can frame into map kernel_series
 * instead of writing their records (the agent sets it when it produces no spans). */
const volatile __u8 cfg_kernel_http1 = 0;

/* enum hg_probe_stage: HG_STAGE_FULL for any agent; the harness's stage arms stop a data
 * call's work early to measure what each step costs. Read-only data: the verifier drops the
 * stops a loaded object does not use. */
const volatile __u8 cfg_probe_stage = HG_STAGE_FULL;

/* 1: the socket data path (progs/sock_io.bpf.c) is attached, and conns is keyed by socket. */
const volatile __u8 cfg_socket_path = 0;

/* ---- which processes to watch: one bit per tgid, set by core/discovery ----
 * A bitmap in .bss rather than a hash map: the sys_exit dispatcher asks "is
 * this process watched?" on every read/write of every process on the machine,
 * and a global array element is a plain load (no helper call, no hashing).
 * 2^22 bits = PID_MAX_LIMIT on 64-bit, so every possible tgid has a bit
 * (512 KiB). User space flips bits through the skeleton's mmap of .bss. */
__u64 watched_tgids[HG_WATCHED_WORDS];

/* ---- which sockets might be tracked: a counting pre-filter for sk_data_ready ----
 * sk_data_ready fires for every socket on the machine. A slot per hash of the
 * socket's port pair counts the tracked connections that hash there
 * (incremented when tracking starts, decremented when it ends); only a non-zero
 * slot costs the data_arrival hash lookup. The filter may say "maybe" wrongly
 * (two sockets sharing a slot, a count left behind when a socket was freed
 * before its decrement), never "no" wrongly: data_arrival stays the authority.
 * 4096 slots (16 KiB) so the table can stay in cache: the lookup runs for
 * every socket's wakeup on the machine. */
#define HG_SK_FILTER_SLOTS (1u << 12)
__u32 sk_filter[HG_SK_FILTER_SLOTS];

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

/* ---- tracked TCP connections ----
 * Keyed by (tgid, fd) on the syscall path, whose ends (close()) run before the fd can be
 * reused. Keyed by the socket on the socket path (conn_key_of): there a connection ends when
 * its socket does, after close() has already freed the fd, which another thread may have
 * reused for a new connection by then; a key of (tgid, fd) would let the old connection's end
 * delete the new one's entry (seen: 1-4 lost exchanges in 100,000 short connections). A
 * socket's key stays its own until the socket is freed, after its last hook ran. The path is
 * chosen at load: one map holds one kind of key. Either way the connection's identity in
 * records and in conn_policy is (tgid, fd), kept in the state. */
struct conn_key {
  __u32 tgid;
  __s32 fd;
};

/* HTTP/1 exchange phases of a connection the kernel aggregates (http1_agg.bpf.h). */
enum k_phase {
  K_OFF = 0,   /* recorded for good (not HTTP/1, HTTP/2, TLS, pipelining, a client) */
  K_IDLE,      /* the kernel aggregates: awaiting a request */
  K_REQ_HEAD,  /* ... the rest of a request head split over reads (held in kernel_heads) */
  K_REQ_BODY,  /* ... the request's body */
  K_RESP_WAIT, /* ... the answer */
  K_RESP_BODY, /* ... the answer's body */
  K_USER,      /* handed back to user space (recorded) until the next request it can frame */
};

struct conn_state {
  __u64 generation;
  __u32 tgid;        /* identity: the process and fd that first used the socket */
  __s32 fd;
  __u64 pos[2];      /* bytes moved so far, per enum hg_direction */
  __u64 sk;          /* struct sock *, the key of data_arrival */
  __u64 policy_ns;   /* when conn_policy was last read for this connection */
  __u64 tls_pos[2];  /* plaintext bytes moved through the TLS library, per direction */
  __u8 role;
  __u8 mode;         /* enum hg_capture_mode, cached from conn_policy */
  __u8 tls;          /* 1: TLS records seen on the socket (its syscalls carry ciphertext) */
  /* HTTP/1 exchanges aggregated in the kernel (http1_agg.bpf.h): */
  __u8 k_phase;      /* enum k_phase */
  __u8 k_method;     /* method id of the current request */
  __u8 k_resume;     /* bit per direction: its next record carries HG_FLAG_RESUME */
  __u8 k_consumed;   /* the kernel consumed bytes without recording them since the last handover */
  __u8 k_user_egress; /* K_USER: an answer was written since the handover */
  __u16 k_status;
  __u16 lport;       /* local port, host byte order */
  __u16 sk_slot;     /* the socket's sk_filter slot, counted while it is tracked */
  __u32 k_req_total, k_req_seen;   /* request head + body bytes; seen so far */
  __u32 k_resp_total, k_resp_seen; /* the same for the response */
  __u32 k_req_body, k_resp_body;
  __u64 k_req_pos;   /* ingress position of the request's first byte */
  __u64 k_req_ts;    /* exit time of the request's first read */
  __u64 k_start;     /* queue start: the request's sk_data_ready time, else k_req_ts */
  __u64 k_end;       /* exit time of the response's last write */
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, __u64); /* conn_key_of */
  __type(value, struct conn_state);
} conns SEC(".maps");

/* A new connection's state is built here (conn_open), not on the BPF stack, which has no room
 * for it beside the data path's own frame. Per CPU: conn_open's callers run in process context
 * (data calls, TLS uprobes), and nothing that can interrupt them in softirq opens a connection. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct conn_state);
} conn_init SEC(".maps");

/* ---- HTTP/1 RED series aggregated in the kernel (http1_agg.bpf.h, cfg_kernel_http1) ----
 * Per-CPU so an update is plain adds; user space sums the CPUs at each scrape. Entries are
 * never deleted (counters are cumulative): 4096 series of bounded labels (tgid, port,
 * method id, status). Full: the exchange is counted in HG_CNT_KERNEL_SERIES_FULL. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, 4096);
  __type(key, struct hg_kernel_series_key);
  __type(value, struct hg_kernel_series);
} kernel_series SEC(".maps");

/* The request head of each connection whose exchange the kernel is aggregating, kept until
 * its response is framed: when the response turns out to be something the kernel cannot frame
 * (chunked, no length), the request is replayed as the record it would have been, so user
 * space still sees the whole exchange. LRU, a slot per connection reused request after
 * request; a slot evicted before its handover is a counted loss (HG_CNT_KERNEL_LOST). */
struct kernel_head {
  __u64 generation;  /* conn_state.generation of the connection the bytes are from */
  __u32 len;         /* bytes held (<= HG_HEAD_BYTES) */
  __u32 _pad;
  __u8 bytes[HG_HEAD_BYTES];
};

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 8192);
  __type(key, struct conn_key);
  __type(value, struct kernel_head);
} kernel_heads SEC(".maps");

/* One all-zero series: the initial value of a new kernel_series entry (too big for the stack). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct hg_kernel_series);
} zero_series SEC(".maps");

/* ---- per-connection capture policy, written by user space (core/loader SetCapturePolicy) ----
 * Read by the kernel at most every cfg_policy_recheck_ns per connection and
 * cached in conn_state.mode; entries are deleted when the connection ends. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, struct conn_key);
  __type(value, struct hg_conn_policy);
} conn_policy SEC(".maps");

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
struct arrival {
  __u64 ns;    /* first sk_data_ready time not yet consumed by a read; 0 = none */
  __u32 slot;  /* the socket's sk_filter slot, counted while the entry exists */
  __u32 _pad;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, __u64);   /* struct sock * */
  __type(value, struct arrival);
} data_arrival SEC(".maps");

/* ---- the socket data path (progs/sock_io.bpf.c) ---- */

/* Local ports a watched process listens on (a bit per port): a listener's child that reaches
 * ESTABLISHED on one gets its data_arrival entry then, so its first request has a queue time
 * too (on the syscall path accept() makes it). Set from the agent's selected ports at start,
 * when a watched process starts listening, and when a watched process's server connection is
 * opened (a listener older than the agent). Never cleared: a stale bit costs another process's
 * connections on that port one map entry each, no record. */
__u64 watched_ports[65536 / 64];

/* ---- TLS libraries (progs/openssl.bpf.c): which connection a library call is on ----
 * A thread inside SSL_read/SSL_write: the call's arguments, and the socket
 * the call's own read or write syscall used (set by the syscall exit on a TLS
 * connection). Also the thread's last ciphertext read: libraries fed through
 * memory buffers (Node's TLSWrap) call SSL_read right after reading the socket
 * themselves, with no syscall inside the call. LRU: a thread that died keeps
 * its entry until it is pushed out. */
struct tls_thread {
  __u64 ssl;          /* SSL * */
  __u64 buf;          /* the caller's plaintext buffer */
  __u64 out_len;      /* SSL_read_ex/SSL_write_ex: size_t * of bytes moved; 0 otherwise */
  __u64 call_arrival; /* queue time stamp (sk_data_ready) of the current call's first read */
  __u64 last_arrival; /* ... of the last read outside a call, on last_read_fd */
  __u64 last_io_ns[2]; /* when the thread last read / wrote a TLS socket (per direction) */
  __s32 last_io_fd[2]; /* ... and which (Go: the socket of a call whose itab check failed) */
  __s32 call_fd;      /* socket the current call read or wrote; -1 none yet */
  __s32 last_read_fd; /* socket of the thread's last ciphertext read outside a call; -1 none */
  __u8 in_call;
  __u8 dir;           /* enum hg_direction of the current call */
};

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 16384);
  __type(key, __u64); /* bpf_get_current_pid_tgid() */
  __type(value, struct tls_thread);
} tls_threads SEC(".maps");

/* SSL * (or Go *tls.Conn) -> the socket it was last seen on: a call served
 * from the library's buffer (no syscall) and memory-BIO writes still find
 * their connection. The connection's generation is kept with the fd: an SSL *
 * freed with its connection and handed out again by malloc for a new one
 * (Node under load: a load tool reconnecting), or a *tls.Conn collected and
 * its memory reused, must not lead to the old fd, or to whichever connection
 * reuses that fd. A cache: an evicted entry is found again at the
 * connection's next syscall. */
struct tls_session_key {
  __u32 tgid;
  __u32 _pad;
  __u64 ssl; /* SSL * or *tls.Conn */
};

struct ssl_session {
  __s32 fd;
  __u32 _pad;
  __u64 generation; /* conn_state.generation of (tgid, fd) when cached */
};

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 65536);
  __type(key, struct tls_session_key);
  __type(value, struct ssl_session);
} ssl_sessions SEC(".maps");

/* ---- Go crypto/tls (progs/go_tls.bpf.c) ----
 * Go's (*tls.Conn).Read and Write are probed at their entry and at each RET
 * (a uretprobe would corrupt Go's movable stacks). Between the two the
 * goroutine may move to another thread, so a call is keyed by its goroutine
 * (the g pointer, in R14 under Go's register ABI), not by its thread. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, HG_MAX_GO_BINARIES);
  __type(key, __u32);
  __type(value, struct hg_go_tls_binary);
} go_tls_binaries SEC(".maps");

struct go_tls_key {
  __u32 tgid;
  __u32 _pad;
  __u64 g;
};

struct go_tls_call {
  __u64 entry_ns;
  __u64 conn; /* *tls.Conn */
  __u64 buf;  /* the []byte's data pointer */
  __u8 dir;   /* enum hg_direction */
};

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 16384);
  __type(key, struct go_tls_key);
  __type(value, struct go_tls_call);
} go_tls_calls SEC(".maps");

/* ---- scratch space for building a data record (too big for the stack) ---- */
/* A data call's user memory: a buffer, or an iovec array. */
struct io_src {
  __u64 ptr;
  __u32 iovcnt; /* 0 for a plain buffer */
  __u8 is_iov;
};

/* One record of a data call: the bytes at [off, off + seg) of the call. */
struct slice_ctx {
  struct io_src src;
  __u64 pos;        /* stream position of the call's first byte */
  __u64 now, arrival, generation, sk;
  __u32 tgid, len, slices;
  __s32 fd;
  __u8 dir, syscall, role, full, flags;
};

struct data_scratch {
  /* struct hg_data_event, then the payload. Three times the maximum payload
   * so the verifier can prove (offset < 4 KiB) + (length < 8 KiB) in bounds. */
  __u8 raw[sizeof(struct hg_data_event) + 3 * HG_MAX_PAYLOAD];
  /* The call emit_call writes as records (bpf_loop's emit_slice reads it): here, not on the
   * stack, whose 512 bytes the data path's frame shares with its callees (6.1 counts 4). */
  struct slice_ctx call;
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct data_scratch);
} scratch SEC(".maps");

#endif /* HUGIN_BPF_MAPS_H */
