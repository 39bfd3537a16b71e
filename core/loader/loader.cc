#include "core/loader/loader.h"

#include "core/loader/btf_tracepoint.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <vector>

#include "bpf/hugin.skel.h"
#include "core/config/capture_limits.h"

namespace hugin {
namespace {

constexpr unsigned long kTracefsMagic = 0x74726163;  // TRACEFS_MAGIC

std::string g_libbpf_log;  // the last libbpf messages, shown when loading fails

int CollectLibbpfLog(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  // Whole messages: a verifier log arrives as one, and its verdict is at its end.
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n < 0) return n;
  std::string buf(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(buf.data(), buf.size(), fmt, args);
  buf.pop_back();
  g_libbpf_log += buf;
  if (g_libbpf_log.size() > 16384) g_libbpf_log.erase(0, g_libbpf_log.size() - 16384);
  if (getenv("HUGIN_DEBUG")) fputs(buf.c_str(), stderr);
  return n;
}

std::string LastLibbpfLines() {
  // The last non-empty line is usually the one that says why.
  std::string s = g_libbpf_log;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  auto nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

// Programs Hugin runs without, and what is lost then.
const char* WhatIsLostWithout(const std::string& prog_name) {
  if (prog_name == "hg_data_ready") return "no queue time: a span's duration is its processing time";
  return nullptr;
}

// Why the kernel refused the object, in one line from libbpf's log: the program, and the
// verifier's verdict (the last lines of its log: the error, then "processed N insns").
std::string WhyLoadFailed() {
  const std::string& log = g_libbpf_log;  // its start (BEGIN PROG LOAD LOG) may be cut off
  auto e = log.rfind("-- END PROG LOAD LOG --");
  auto q = log.rfind("prog '");
  if (e == std::string::npos || q == std::string::npos) return LastLibbpfLines();
  std::string prog = log.substr(q + 6, log.find('\'', q + 6) - q - 6);
  std::vector<std::string> lines;
  for (size_t from = 0; from < e;) {
    size_t nl = std::min(log.find('\n', from), e);
    if (nl > from) lines.push_back(log.substr(from, nl - from));
    from = nl + 1;
  }
  std::string verdict;
  for (size_t i = lines.size() > 2 ? lines.size() - 2 : 0; i < lines.size(); i++)
    verdict += (verdict.empty() ? "" : "; ") + lines[i];
  return "this kernel's verifier refused program " + prog + ": " + verdict;
}

// Root, or CAP_BPF + CAP_PERFMON effective (CAP_SYS_ADMIN covers both on any kernel).
bool HasBpfCapabilities() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &hdr, data) != 0) return geteuid() == 0;
  auto has = [&](int cap) { return (data[cap / 32].effective >> (cap % 32)) & 1; };
  return has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
}

// The programs of each data path (bpf/progs/sys_exit.bpf.c + close.bpf.c, sock_io.bpf.c).
bool IsSyscallPathProgram(const std::string& name) {
  return name == "hg_sys_exit" || name == "hg_enter_close";
}
bool IsSocketPathProgram(const std::string& name) {
  return name == "hg_sock_recv" || name == "hg_sock_send" || name == "hg_sock_state" ||
         name == "hg_sock_destroy";
}

}  // namespace

Status EnsureTracefs() {
  struct statfs st;
  if (statfs("/sys/kernel/tracing", &st) != 0 || static_cast<unsigned long>(st.f_type) != kTracefsMagic) {
    mkdir("/sys/kernel/tracing", 0700);
    if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0) {
      int err = errno;
      return hugin::Error{std::string("cannot mount tracefs at /sys/kernel/tracing (") +
                              strerror(err) +
                              "); tracepoints cannot be attached without it: mount it first "
                              "(mount -t tracefs nodev /sys/kernel/tracing) or give CAP_SYS_ADMIN",
                          err};
    }
  }
  // libbpf reads each tracepoint's id there; tracefs is root's, mode 0700. AT_EACCESS: with
  // the effective uid and capabilities, as the open will be (not the real ones).
  if (faccessat(AT_FDCWD, "/sys/kernel/tracing/events", R_OK | X_OK, AT_EACCESS) != 0) {
    int err = errno;
    return hugin::Error{std::string("cannot read tracefs (/sys/kernel/tracing/events: ") +
                            strerror(err) +
                            "): a non-root uid needs missing capability CAP_DAC_READ_SEARCH "
                            "(README: Privileges)",
                        err};
  }
  return Ok{};
}

Result<std::unique_ptr<BpfLoader>> BpfLoader::Start(const LoaderOptions& opts) {
  if (!HasBpfCapabilities())
    return hugin::Error{
        "missing capability CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): loading BPF programs "
        "needs them (run as root, or README: Privileges)"};
  static_assert(kMaxPayloadBytes == HG_MAX_PAYLOAD, "the kernel's copy buffer is the payload bound");
  if (Status limits = CheckCaptureLimits(opts.payload_bytes, opts.ringbuf_bytes); !limits)
    return limits.error();
  if (Status tracefs = EnsureTracefs(); !tracefs.ok()) return tracefs.error();

  libbpf_set_print(CollectLibbpfLog);
  std::unique_ptr<BpfLoader> self(new BpfLoader());
  self->ncpus_ = libbpf_num_possible_cpus();
  if (self->ncpus_ <= 0) self->ncpus_ = 1;

  self->skel_ = hugin_bpf__open();
  if (!self->skel_)
    return hugin::Error{std::string("BPF is not usable here: cannot open the BPF object (") +
                 strerror(errno) + ")"};
  self->skel_->rodata->cfg_payload_bytes = opts.payload_bytes;
  self->skel_->rodata->cfg_trace_all = opts.trace_all ? 1 : 0;
  self->skel_->rodata->cfg_self_tgid = static_cast<uint32_t>(getpid());
  self->skel_->rodata->cfg_policy_recheck_ns = opts.policy_recheck_ns;
  self->skel_->rodata->cfg_kernel_http1 = opts.kernel_http1 ? 1 : 0;
  if (opts.probe_stage > HG_STAGE_HEADS)
    return Error{"probe stage " + std::to_string(opts.probe_stage) + " does not exist"};
  self->skel_->rodata->cfg_probe_stage = opts.probe_stage;
  if (!opts.kernel_http1) {
    // Never touched without cfg_kernel_http1: one entry each instead of ~4 MiB of preallocated
    // heads and a per-CPU series table.
    bpf_map__set_max_entries(self->skel_->maps.kernel_heads, 1);
    bpf_map__set_max_entries(self->skel_->maps.kernel_series, 1);
  }
  // A quarter of the ring, at most 256 KiB, wakes the reader early; otherwise
  // it drains on its poll timeout (kPollMs in the agent).
  self->skel_->rodata->cfg_wakeup_bytes = std::min<uint32_t>(opts.ringbuf_bytes / 4, 256u << 10);
  bpf_map__set_max_entries(self->skel_->maps.events, opts.ringbuf_bytes);

  const bool socket_hooks = KernelHasSocketDataPath();
  if (opts.data_path == DataPath::kSockets && !socket_hooks)
    return hugin::Error{"the socket data path needs the sock_recv_length, sock_send_length, "
                        "inet_sock_set_state and tcp_destroy_sock tracepoints (BTF, Linux 6.4 and later); this kernel "
                        "lacks one: use the syscall data path"};
  self->data_path_ = ResolveDataPath(opts.data_path, socket_hooks);
  self->skel_->rodata->cfg_socket_path = self->data_path_ == DataPath::kSockets ? 1 : 0;

  // A BTF tracepoint the kernel does not have: leave its program out when Hugin can do
  // without it, otherwise say which one is missing (libbpf's own error names neither).
  bpf_program* prog;
  bpf_object__for_each_program(prog, self->skel_->obj) {
    const std::string name = bpf_program__name(prog);
    if (self->data_path_ == DataPath::kSyscalls ? IsSocketPathProgram(name)
                                                : IsSyscallPathProgram(name)) {
      bpf_program__set_autoload(prog, false);
      continue;
    }
    std::string tp = BtfTracepointOf(prog);
    if (tp.empty() || KernelHasBtfTracepoint(tp)) continue;
    const char* lost = WhatIsLostWithout(bpf_program__name(prog));
    if (!lost)
      return hugin::Error{"BPF is not usable here: this kernel has no " + tp +
                   " tracepoint (BTF), which program " + bpf_program__name(prog) + " needs"};
    bpf_program__set_autoload(prog, false);
    self->degradations_.push_back("this kernel has no " + tp + " tracepoint: " + lost);
  }

  if (int err = hugin_bpf__load(self->skel_); err != 0)
    return hugin::Error{std::string("BPF is not usable here: loading the programs failed (") +
                 strerror(-err) + "): " + WhyLoadFailed()};
  if (int err = hugin_bpf__attach(self->skel_); err != 0)
    return hugin::Error{std::string("BPF is not usable here: attaching the tracepoints failed (") +
                 strerror(-err) + "): " + LastLibbpfLines()};
  self->ring_bytes_ = opts.ringbuf_bytes;
  return self;
}

BpfLoader::~BpfLoader() {
  if (ringbuf_) ring_buffer__free(ringbuf_);
  if (skel_) hugin_bpf__destroy(skel_);  // detaches every program and frees the maps
}

int BpfLoader::OnRecord(void* ctx, void* data, size_t size) {
  auto* self = static_cast<BpfLoader*>(ctx);
  (*self->handler_)(data, size);
  return 0;
}

Result<int> BpfLoader::Poll(int timeout_ms, const RecordHandler& handler) {
  if (!ringbuf_) {
    ringbuf_ = ring_buffer__new(RingFd(), &BpfLoader::OnRecord, this, nullptr);
    if (!ringbuf_) {
      int err = errno;
      return hugin::Error{std::string("cannot set up the ring buffer consumer: ") + strerror(err),
                          err};
    }
  }
  handler_ = &handler;
  // Records submitted without a wakeup (see cfg_wakeup_bytes) do not end the
  // epoll wait: read whatever is there once the wait is over.
  int n = ring_buffer__poll(ringbuf_, timeout_ms);
  if (n >= 0) {
    int m = ring_buffer__consume(ringbuf_);
    n = m < 0 ? m : n + m;
  }
  handler_ = nullptr;
  if (n < 0)  // libbpf: a negative errno
    return hugin::Error{std::string("ring buffer poll failed: ") + strerror(-n), -n};
  return n;
}

int BpfLoader::RingFd() const { return bpf_map__fd(skel_->maps.events); }

void BpfLoader::UnmapAfterFork() {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  bpf_map* map;
  bpf_object__for_each_map(map, skel_->obj) {
    size_t size = 0;
    const void* p = bpf_map__initial_value(map, &size);  // the mmap of an internal map, if any
    if (p && size) munmap(const_cast<void*>(p), (size + page - 1) / page * page);
  }
}

bool BpfLoader::SetCapturePolicy(const hg_conn_id& conn, hg_capture_mode mode, bool tls) {
  struct {
    uint32_t tgid;
    int32_t fd;
  } key{conn.tgid, conn.fd};
  static_assert(sizeof(key) == 8, "struct conn_key in maps.bpf.h");
  hg_conn_policy value{};
  value.generation = conn.generation;
  value.mode = static_cast<uint8_t>(mode);
  value.tls = tls ? 1 : 0;
  return bpf_map__update_elem(skel_->maps.conn_policy, &key, sizeof(key), &value, sizeof(value),
                              BPF_ANY) == 0;
}

// The watched set is a bitmap in the object's .bss (see maps.bpf.h), which the
// skeleton maps into this process: a bit flip, no syscall. Atomic because the
// kernel reads the words concurrently (watched_ports it also sets bits of).
bool BpfLoader::WatchPid(uint32_t pid) {
  if (pid >= HG_WATCHED_WORDS * 64u) return false;
  __atomic_fetch_or(&skel_->bss->watched_tgids[pid / 64], uint64_t{1} << (pid % 64),
                    __ATOMIC_RELAXED);
  return true;
}

bool BpfLoader::UnwatchPid(uint32_t pid) {
  if (pid >= HG_WATCHED_WORDS * 64u) return false;
  __atomic_fetch_and(&skel_->bss->watched_tgids[pid / 64], ~(uint64_t{1} << (pid % 64)),
                     __ATOMIC_RELAXED);
  return true;
}

void BpfLoader::WatchPort(uint16_t port) {
  __atomic_fetch_or(&skel_->bss->watched_ports[port / 64], uint64_t{1} << (port % 64),
                    __ATOMIC_RELAXED);
}

KernelCounters BpfLoader::Counters() const {
  KernelCounters out{};
  std::vector<uint64_t> per_cpu(ncpus_);
  for (uint32_t i = 0; i < HG_CNT__MAX; i++) {
    if (bpf_map__lookup_elem(skel_->maps.counters, &i, sizeof(i), per_cpu.data(),
                             per_cpu.size() * sizeof(uint64_t), 0) != 0)
      continue;
    for (uint64_t v : per_cpu) out[i] += v;
  }
  return out;
}

std::vector<ConnLossEntry> BpfLoader::DrainConnLosses() {
  const bpf_map* map = skel_->maps.conn_losses;
  // Keys first: deleting while walking makes get_next_key restart from the top.
  std::vector<hg_conn_id> keys;
  hg_conn_id key, next;
  const void* prev = nullptr;
  while (bpf_map__get_next_key(map, prev, &next, sizeof(next)) == 0) {
    keys.push_back(next);
    key = next;
    prev = &key;
    if (keys.size() > bpf_map__max_entries(map)) break;  // entries churning under us
  }
  std::vector<ConnLossEntry> out;
  out.reserve(keys.size());
  for (const hg_conn_id& k : keys) {
    ConnLossEntry e{k, {}};
    if (bpf_map__lookup_and_delete_elem(map, &k, sizeof(k), &e.loss, sizeof(e.loss), 0) == 0)
      out.push_back(e);
  }
  return out;
}

namespace {

void AddSeries(hg_kernel_series& into, const hg_kernel_series& v) {
  into.count += v.count;
  into.duration_sum_ns += v.duration_sum_ns;
  for (int i = 0; i < HG_DURATION_BUCKETS; i++) into.duration_buckets[i] += v.duration_buckets[i];
  into.request_body_sum += v.request_body_sum;
  into.response_body_sum += v.response_body_sum;
  for (int i = 0; i < HG_SIZE_BUCKETS; i++) {
    into.request_body_buckets[i] += v.request_body_buckets[i];
    into.response_body_buckets[i] += v.response_body_buckets[i];
  }
}

}  // namespace

std::vector<KernelSeriesEntry> BpfLoader::KernelSeries() const {
  const bpf_map* map = skel_->maps.kernel_series;
  // A per-CPU value comes as one copy per possible CPU, each rounded up to 8 bytes (every
  // field is a __u64, so there is no rounding to do).
  static_assert(sizeof(hg_kernel_series) % 8 == 0);
  std::vector<hg_kernel_series> per_cpu(ncpus_);
  std::vector<KernelSeriesEntry> out;
  hg_kernel_series_key key, next;
  const void* prev = nullptr;
  while (bpf_map__get_next_key(map, prev, &next, sizeof(next)) == 0) {
    key = next;
    prev = &key;
    if (bpf_map__lookup_elem(map, &key, sizeof(key), per_cpu.data(),
                             per_cpu.size() * sizeof(hg_kernel_series), 0) != 0)
      continue;
    KernelSeriesEntry e{key, {}};
    for (const hg_kernel_series& v : per_cpu) AddSeries(e.value, v);
    out.push_back(e);
    if (out.size() >= bpf_map__max_entries(map)) break;  // cannot be more; never loop forever
  }
  return out;
}

void UprobeSet::LinkCloser::operator()(bpf_link* l) const { bpf_link__destroy(l); }

Result<UprobeSet> BpfLoader::AttachOpenSsl(const std::string& path) {
  struct Probe {
    bpf_program* prog;
    const char* func;
    bool retprobe;
    bool required;  // SSL_read_ex and SSL_write_ex are OpenSSL >= 1.1.1
  };
  const Probe probes[] = {
      {skel_->progs.hg_ssl_read_enter, "SSL_read", false, true},
      {skel_->progs.hg_ssl_read_return, "SSL_read", true, true},
      {skel_->progs.hg_ssl_write_enter, "SSL_write", false, true},
      {skel_->progs.hg_ssl_write_return, "SSL_write", true, true},
      {skel_->progs.hg_ssl_read_ex_enter, "SSL_read_ex", false, false},
      {skel_->progs.hg_ssl_read_ex_return, "SSL_read_ex", true, false},
      {skel_->progs.hg_ssl_write_ex_enter, "SSL_write_ex", false, false},
      {skel_->progs.hg_ssl_write_ex_return, "SSL_write_ex", true, false},
  };
  UprobeSet set;
  for (const Probe& p : probes) {
    LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = p.retprobe, .func_name = p.func);
    bpf_link* link = bpf_program__attach_uprobe_opts(p.prog, -1, path.c_str(), 0, &opts);
    if (!link) {
      int err = errno;
      if (!p.required) continue;
      return hugin::Error{std::string("cannot attach a uprobe to ") + p.func + " in " + path +
                          " (" + strerror(err) + ")"};
    }
    set.links_.emplace_back(link);
  }
  return set;
}

Result<UprobeSet> BpfLoader::AttachGoTls(const std::string& path, const GoTlsSpec& spec) {
  uint32_t slot = 0;
  while (slot < go_slots_used_.size() && go_slots_used_[slot]) slot++;
  if (slot == go_slots_used_.size())
    return hugin::Error{"already probing " + std::to_string(HG_MAX_GO_BINARIES) +
                        " Go executables; " + path + " is left out"};
  if (bpf_map__update_elem(skel_->maps.go_tls_binaries, &slot, sizeof(slot), &spec.fd_path,
                           sizeof(spec.fd_path), BPF_ANY) != 0)
    return hugin::Error{std::string("cannot write map go_tls_binaries (") + strerror(errno) + ")"};
  UprobeSet set;
  auto attach = [&](bpf_program* prog, uint64_t offset) -> bool {
    LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = slot);
    bpf_link* link = bpf_program__attach_uprobe_opts(prog, -1, path.c_str(), offset, &opts);
    if (!link) return false;
    set.links_.emplace_back(link);
    return true;
  };
  bool ok = attach(skel_->progs.hg_go_tls_write_enter, spec.write_entry) &&
            attach(skel_->progs.hg_go_tls_read_enter, spec.read_entry);
  for (uint64_t off : spec.write_rets) ok = ok && attach(skel_->progs.hg_go_tls_return, off);
  for (uint64_t off : spec.read_rets) ok = ok && attach(skel_->progs.hg_go_tls_return, off);
  if (!ok) {
    int err = errno;
    return hugin::Error{"cannot attach a uprobe to Go's crypto/tls in " + path + " (" +
                        strerror(err) + ")"};
  }
  go_slots_used_[slot] = true;
  set.release_ = [this, slot] { go_slots_used_[slot] = false; };
  return set;
}

int BpfLoader::ProgramCount(bool uprobes) const {
  int n = 0;
  bpf_program* prog;
  bpf_object__for_each_program(prog, skel_->obj) {
    // Uprobes are attached per library file later (AttachOpenSsl, AttachGoTls), not here.
    // ("uretprobe" does not contain "uprobe": both prefixes are checked.)
    const std::string sec = bpf_program__section_name(prog);
    const bool per_file = sec.rfind("uprobe", 0) == 0 || sec.rfind("uretprobe", 0) == 0;
    if (bpf_program__autoload(prog) && per_file == uprobes) n++;
  }
  return n;
}

}  // namespace hugin
