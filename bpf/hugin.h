/* Structures shared by the BPF programs and user space (core/events).
 * Plain C, fixed-width types only: this header is compiled by clang -target bpf
 * and by the C++ core. Every ring buffer record starts with struct hg_header. */
#ifndef HUGIN_BPF_HUGIN_H
#define HUGIN_BPF_HUGIN_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Upper bound of bytes captured per syscall; the runtime value is config. */
#define HG_MAX_PAYLOAD 4096
/* Full capture (HG_CAPTURE_FULL) writes one record per HG_MAX_PAYLOAD slice
 * of a call, at most this many (256 KiB); the runtime bound is config. */
#define HG_MAX_SLICES 64
/* Words of the watched-process bitmap (maps.bpf.h): one bit per tgid up to
 * PID_MAX_LIMIT (2^22) on 64-bit. */
#define HG_WATCHED_WORDS (1u << 16)
/* iovec entries walked per readv/writev/recvmsg/sendmsg call (gRPC's C core
 * writes with many small ones: frame headers apart from their payloads). */
#define HG_MAX_IOV 1024 /* UIO_MAXIOV */
/* Go executables whose crypto/tls is probed at once (map go_tls_binaries). */
#define HG_MAX_GO_BINARIES 256

enum hg_event_type {
  HG_EV_OPEN = 1,  /* a connection seen for the first time (accept, connect, or first data) */
  HG_EV_DATA = 2,  /* bytes moved by one syscall */
  HG_EV_CLOSE = 3, /* close() on a tracked connection */
};

enum hg_direction {
  HG_INGRESS = 0, /* the traced process read these bytes */
  HG_EGRESS = 1,  /* the traced process wrote these bytes */
};

enum hg_role {
  HG_ROLE_UNKNOWN = 0, /* existed before Hugin attached: inferred in user space */
  HG_ROLE_SERVER = 1,  /* accepted */
  HG_ROLE_CLIENT = 2,  /* connected */
};

enum hg_syscall {
  HG_SYS_READ = 1, HG_SYS_WRITE, HG_SYS_READV, HG_SYS_WRITEV, HG_SYS_RECVFROM,
  HG_SYS_SENDTO, HG_SYS_RECVMSG, HG_SYS_SENDMSG, HG_SYS_ACCEPT, HG_SYS_CONNECT,
  HG_SYS_CLOSE,
  HG_SYS_TLS_READ,  /* plaintext read through a TLS library (uprobe): SSL_read, tls.Conn.Read */
  HG_SYS_TLS_WRITE, /* plaintext written through a TLS library */
};

/* Per-connection capture policy (map conn_policy, written by user space once a
 * connection's protocol is known). On a TLS connection it applies to the
 * plaintext the TLS library's uprobes see; the ciphertext is never recorded. */
enum hg_capture_mode {
  HG_CAPTURE_HEAD = 0, /* default: the first cfg_payload_bytes of every call */
  HG_CAPTURE_OFF = 1,  /* no data records (protocol unknown or not wanted); positions are
                          still kept, so the close record says how many bytes moved */
  HG_CAPTURE_FULL = 2, /* up to HG_MAX_PAYLOAD bytes of every call (protocols that need
                          every byte, e.g. HTTP/2 header blocks) */
};

/* How far a data call's work goes (maps.bpf.h cfg_probe_stage): a cost measurement, the
 * harness's stage arms. Below HG_STAGE_FULL nothing is recorded nor aggregated. */
enum hg_probe_stage {
  HG_STAGE_FULL = 0,   /* everything: what a user runs */
  HG_STAGE_LOOKUP = 1, /* find the call's connection, advance its stream position, stop */
  HG_STAGE_HEADS = 2,  /* and copy the call's first bytes (up to a head's 511), stop */
};

/* Value of map conn_policy, keyed by (tgid, fd). Applies only to the
 * connection whose generation matches: a policy never leaks onto a later
 * connection that reuses the fd number. */
struct hg_conn_policy {
  __u64 generation;
  __u8 mode; /* enum hg_capture_mode */
  __u8 tls;  /* decided on the plaintext of a TLS connection (1) or on its raw bytes (0):
                applies only while the connection is the same kind (conn_state.tls) */
  __u8 _pad[6];
};

/* How to reach the socket fd from a Go *tls.Conn in one executable (map
 * go_tls_binaries, indexed by the uprobe's cookie). */
struct hg_go_tls_binary {
  __u64 tcpconn_itab;   /* address of go:itab.*net.TCPConn,net.Conn; 0 = do not check */
  __u32 conn_in_tls_conn; /* tls.Conn.conn: an interface (itab, data pointer) */
  __u32 fd_in_net_conn;   /* net.TCPConn (net.conn).fd: *netFD */
  __u32 pfd_in_netfd;     /* netFD.pfd: poll.FD */
  __u32 sysfd_in_poll_fd; /* poll.FD.Sysfd: int */
};

/* Per-CPU counters (array map "counters"); user space sums the CPUs. */
enum hg_counter {
  HG_CNT_EVENTS = 0,         /* records written to the ring buffer */
  HG_CNT_DROP_RINGBUF,       /* record lost: ring buffer full */
  HG_CNT_DROP_CONN_MAP,      /* connection not tracked: conns map full */
  HG_CNT_PAYLOAD_SHORT_COPY, /* payload copy from user memory came up short; the record was
                                still written, flagged HG_FLAG_SHORT_COPY (not a loss) */
  HG_CNT_PAYLOAD_TRUNCATED,  /* syscall moved more bytes than were captured (not a loss) */
  HG_CNT_LOSS_MAP_FULL,      /* a loss (counted above) on a tracked connection that could not be
                                attributed to it: conn_losses was full */
  HG_CNT_POLICY_OFF_CALLS,   /* data calls not recorded: their connection's policy is off */
  HG_CNT_TLS_CIPHERTEXT_CALLS, /* syscalls on a TLS connection not recorded: ciphertext (the
                                  plaintext comes from the TLS library's uprobes) */
  HG_CNT_TLS_NO_CONN,        /* a TLS library call whose socket could not be found: its
                                plaintext is lost (a counted drop) */
  HG_CNT_TLS_CALLS,          /* TLS library calls that moved plaintext (recorded or not) */
  HG_CNT_KERNEL_EXCHANGES,   /* HTTP/1 exchanges aggregated in the kernel (map kernel_series),
                                with no record written (cfg_kernel_http1) */
  HG_CNT_KERNEL_HANDOVERS,   /* times the kernel handed a connection it was aggregating back to
                                user space (records from then on, until it can frame a request
                                again): an exchange it cannot frame (chunked, pipelined, ...) */
  HG_CNT_KERNEL_LOST,        /* exchanges lost at a handover the kernel could not replay (the
                                response's head already consumed); a counted loss */
  HG_CNT_KERNEL_SERIES_FULL, /* exchanges not aggregated: map kernel_series full (a counted loss) */
  HG_CNT_KERNEL_UNANSWERED,  /* requests the kernel was following when their connection closed
                                (or their process exited) before a whole answer: counted with
                                user space's unpaired requests, as a parsed one would be */
  HG_CNT_SOCKET_CALLS_UNSEEN, /* the socket data path: reads and writes of a watched process's
                                  sockets outside the data syscalls (io_uring, sendfile,
                                  sendmmsg): not recorded, as the syscall path never sees them */
  HG_CNT__MAX,
};

/* hg_header.flags */
#define HG_FLAG_SHORT_COPY 0x01 /* data: fewer payload bytes could be read than were wanted */
#define HG_FLAG_TLS 0x02        /* data: plaintext from a TLS library call (uprobe); pos is a
                                   position in the connection's plaintext stream */
#define HG_FLAG_CIPHERTEXT 0x04 /* data: the first call of a connection seen to carry TLS
                                   records; the connection's later syscalls are not recorded */
#define HG_FLAG_RESUME 0x08     /* data: the first record of this direction after the kernel
                                   handed the connection back (cfg_kernel_http1): the bytes
                                   before pos were aggregated in the kernel, not lost; the
                                   stream restarts here at a message start. close: the
                                   connection was still aggregated in the kernel when it closed,
                                   so its byte counts include bytes never recorded */

/* A connection's identity: the fd in a process, plus a generation that
 * changes whenever the fd number is reused for another connection. The
 * generation is bpf_ktime_get_ns() when the kernel side started tracking the
 * connection, so it is also a lower bound of the time of any of its records. */
struct hg_conn_id {
  __u32 tgid;
  __s32 fd;
  __u64 generation;
};

struct hg_header {
  __u8 type;     /* enum hg_event_type */
  __u8 role;     /* enum hg_role */
  __u8 dir;      /* enum hg_direction (data events) */
  __u8 syscall;  /* enum hg_syscall */
  __u32 tid;
  __u64 ts_ns;   /* bpf_ktime_get_ns() at syscall exit (CLOCK_MONOTONIC) */
  struct hg_conn_id conn;
  __u8 flags;    /* HG_FLAG_* */
  __u8 _pad[7];
};

struct hg_addr {
  __u16 family;  /* AF_INET or AF_INET6 */
  __u16 lport;   /* host byte order */
  __u16 rport;   /* host byte order */
  __u16 _pad;
  __u8 laddr[16]; /* IPv4 in the first 4 bytes */
  __u8 raddr[16];
};

struct hg_open_event {
  struct hg_header h;
  struct hg_addr addr;
};

struct hg_close_event {
  struct hg_header h;
  __u64 bytes[2];     /* stream positions at close, per direction */
  __u64 tls_bytes[2]; /* plaintext stream positions at close (TLS connections), per direction */
};

struct hg_data_event {
  struct hg_header h;
  __u64 pos;        /* stream offset (this direction) of the call's first byte */
  __u64 arrival_ns; /* ingress: when the kernel queued the data (sk_data_ready), 0 = unknown */
  __u32 len;        /* bytes the syscall moved */
  __u32 captured;   /* payload bytes that follow (<= len, <= config payload size) */
  __u8 payload[];
};

/* What one tracked connection lost since user space last drained map
 * conn_losses (keyed by struct hg_conn_id): records that could not be
 * written, by kind. Ports are read from the socket when the entry is made, so
 * a loss stays attributable when the connection's open record is what was lost. */
struct hg_conn_loss {
  __u64 ingress_records;
  __u64 egress_records;
  __u64 control_records; /* open and close records */
  __u64 bytes;           /* bytes moved by the lost data calls */
  __u64 first_ns;        /* bpf_ktime_get_ns() of the first and last loss */
  __u64 last_ns;
  __u16 lport;           /* host byte order */
  __u16 rport;
  __u32 _pad;
};

/* ---- HTTP/1 RED metrics aggregated in the kernel (cfg_kernel_http1) ----
 * When the agent produces no spans, server-side HTTP/1 exchanges the kernel can frame
 * (request and response heads each within the first HG_HEAD_BYTES - 1 bytes of a call, bodies
 * framed by Content-Length or absent, no pipelining) update these histograms instead of writing
 * two records per exchange. Anything else is handed back to user space (http1_agg.bpf.h). */
#define HG_HEAD_BYTES 512
/* Method ids: the index in core/span/http_methods.h's kKnownHttpMethods (CONNECT=0 ...
 * TRACE=8); 9 = any other method. The same ids as core/export/metrics.h MethodLabelId. */
#define HG_METHOD_OTHER 9
/* Duration buckets: the upper bounds of kDurationBucketsSeconds in ns, then +Inf. */
#define HG_DURATION_BUCKETS 16
/* Body size buckets: the upper bounds of kBodySizeBucketsBytes, then +Inf. */
#define HG_SIZE_BUCKETS 11

/* Key of map kernel_series (a per-CPU hash: user space sums the CPUs). */
struct hg_kernel_series_key {
  __u32 tgid;
  __u16 server_port; /* the connection's local port, host byte order */
  __u16 status;      /* HTTP status code */
  __u8 method;       /* method id, above */
  __u8 role;         /* enum hg_role: HG_ROLE_SERVER */
  __u8 _pad[6];
};

/* Cumulative since the agent started; bucket counts are per bucket, not cumulative. */
struct hg_kernel_series {
  __u64 count;
  __u64 duration_sum_ns; /* queue start (sk_data_ready) to the response's last write */
  __u64 duration_buckets[HG_DURATION_BUCKETS];
  __u64 request_body_sum;
  __u64 request_body_buckets[HG_SIZE_BUCKETS];
  __u64 response_body_sum;
  __u64 response_body_buckets[HG_SIZE_BUCKETS];
};

#endif /* HUGIN_BPF_HUGIN_H */
