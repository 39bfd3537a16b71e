// The libbpf skeleton lifecycle: open, set load-time config, load, attach,
// poll the ring buffer, destroy. Owns Hugin's BPF programs and maps.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/config/data_path.h"

extern "C" {
#include "bpf/hugin.h"
}

struct hugin_bpf;    // generated skeleton
struct ring_buffer;  // libbpf
struct bpf_link;     // libbpf

namespace hugin {

struct LoaderOptions {
  uint32_t payload_bytes = 512;
  uint32_t ringbuf_bytes = 2u << 20;  // Config::ringbuf_bytes
  bool trace_all = false;  // no pid filter
  // How often a connection re-reads its capture policy (maps.bpf.h); tests use 0.
  uint64_t policy_recheck_ns = 5'000'000;
  // Server-side HTTP/1 exchanges the kernel can frame are aggregated into map kernel_series
  // instead of being recorded (maps.bpf.h cfg_kernel_http1). Only for an agent that produces
  // no spans: those exchanges never reach user space.
  bool kernel_http1 = false;
  // enum hg_probe_stage (bpf/hugin.h): below HG_STAGE_FULL a data call stops early and nothing
  // is recorded; the harness's cost ladder (Config::probe_stage).
  uint8_t probe_stage = HG_STAGE_FULL;
  DataPath data_path = DataPath::kAuto;
};

using KernelCounters = std::array<uint64_t, HG_CNT__MAX>;

// Uprobes attached to one file; destroying the set detaches them.
class UprobeSet {
 public:
  UprobeSet() = default;
  UprobeSet(UprobeSet&& o) noexcept
      : release_(std::exchange(o.release_, nullptr)), links_(std::move(o.links_)) {}
  UprobeSet& operator=(UprobeSet&& o) noexcept {
    if (this != &o) {
      links_.clear();
      if (release_) release_();
      release_ = std::exchange(o.release_, nullptr);
      links_ = std::move(o.links_);
    }
    return *this;
  }
  ~UprobeSet() {
    links_.clear();  // detach first, then give back what the probes used
    if (release_) release_();
  }
  size_t size() const { return links_.size(); }

 private:
  friend class BpfLoader;
  std::function<void()> release_;
  struct LinkCloser {
    void operator()(bpf_link* l) const;
  };
  std::vector<std::unique_ptr<bpf_link, LinkCloser>> links_;
};

// One entry of map conn_losses: what a connection lost since the last drain.
struct ConnLossEntry {
  hg_conn_id id;
  hg_conn_loss loss;
};

// One entry of map kernel_series, its per-CPU values summed: cumulative since the load.
struct KernelSeriesEntry {
  hg_kernel_series_key key;
  hg_kernel_series value;
};

class BpfLoader {
 public:
  // The loader, or why BPF cannot be used, in one line for the user (exit status 1).
  static Result<std::unique_ptr<BpfLoader>> Start(const LoaderOptions& opts);
  ~BpfLoader();
  BpfLoader(const BpfLoader&) = delete;
  BpfLoader& operator=(const BpfLoader&) = delete;

  using RecordHandler = std::function<void(const void* data, size_t size)>;
  // Waits up to timeout_ms for the kernel's wakeup (cfg_wakeup_bytes), then hands every
  // record in the ring to `handler`. Returns records consumed (Error::code: the errno).
  // Through libbpf's consumer (tests, benchmarks); the agent's parsing process uses RingReader.
  Result<int> Poll(int timeout_ms, const RecordHandler& handler);

  // From now on (within policy_recheck_ns) the kernel captures `conn` as `mode`
  // says. False when map conn_policy is full (the connection keeps the default).
  // `tls`: decided on a TLS connection's plaintext (applies only while it is one).
  bool SetCapturePolicy(const hg_conn_id& conn, hg_capture_mode mode, bool tls = false);

  // Attaches OpenSSL's uprobes (SSL_read, SSL_write and their _ex forms, entry and
  // return) to the ELF file at `path`: a shared libssl, or an executable with
  // OpenSSL linked in (Node). They fire in every process that maps the file; the
  // kernel side keeps only watched processes. Detached when the result is destroyed.
  Result<UprobeSet> AttachOpenSsl(const std::string& path);

  // Where Go's crypto/tls is in one executable (core/tls/go finds it): file offsets of
  // (*tls.Conn).Write and Read and of every RET in them, and how to reach the fd.
  struct GoTlsSpec {
    uint64_t write_entry = 0, read_entry = 0;
    std::vector<uint64_t> write_rets, read_rets;
    hg_go_tls_binary fd_path{};
  };
  // Attaches uprobes at those offsets of the file at `path` (for every process running it;
  // the kernel side keeps watched ones). At most HG_MAX_GO_BINARIES files at once.
  Result<UprobeSet> AttachGoTls(const std::string& path, const GoTlsSpec& spec);

  // The ring buffer map's fd and size, for a RingReader in another process (core/privsep).
  int RingFd() const;
  uint32_t RingBytes() const { return ring_bytes_; }
  // In a process forked from the loader's: unmaps what the skeleton mapped (.bss with the
  // watched bitmap, .rodata) so the fork cannot write the kernel side's state. The fork must
  // then never destroy the loader (that would detach the parent's programs): it leaks it.
  void UnmapAfterFork();

  bool WatchPid(uint32_t pid);
  bool UnwatchPid(uint32_t pid);
  // A local port the watched processes serve on (the socket data path's watched_ports): their
  // connections on it get their first request's queue time. The kernel adds ports it sees
  // watched processes listen or serve on; the agent adds the ports it selects by.
  void WatchPort(uint16_t port);
  // Sums of the per-CPU counters, indexed by enum hg_counter. Thread-safe.
  KernelCounters Counters() const;
  // Takes every entry out of map conn_losses (each is read and deleted in one
  // step, so a loss the kernel adds meanwhile lands in a new entry, not
  // nowhere). Touches only the map: safe to call from any thread, Poll included.
  std::vector<ConnLossEntry> DrainConnLosses();
  // Every entry of map kernel_series (HTTP/1 series aggregated in the kernel, kernel_http1),
  // each summed over the CPUs. Nothing deletes entries, so a walk sees each key once; one
  // the kernel adds meanwhile may or may not be in it. Touches only the map: any thread.
  std::vector<KernelSeriesEntry> KernelSeries() const;
  // Programs loaded: the tracepoint ones, attached at start (an optional one the kernel
  // cannot run is left out), or (uprobes = true) the uprobe ones, attached per file later.
  int ProgramCount(bool uprobes = false) const;
  // What this kernel lacks that Hugin does without, one line each (e.g. no queue time
  // without the sk_data_ready tracepoint, which 6.1 lacks). For the agent to say once at start.
  const std::vector<std::string>& Degradations() const { return degradations_; }
  // The data path in use (never kAuto).
  DataPath data_path() const { return data_path_; }

 private:
  BpfLoader() = default;
  static int OnRecord(void* ctx, void* data, size_t size);

  hugin_bpf* skel_ = nullptr;
  ring_buffer* ringbuf_ = nullptr;  // made on the first Poll: the agent reads with RingReader
  uint32_t ring_bytes_ = 0;
  const RecordHandler* handler_ = nullptr;
  int ncpus_ = 1;
  std::vector<std::string> degradations_;
  DataPath data_path_ = DataPath::kSyscalls;
  std::vector<bool> go_slots_used_ = std::vector<bool>(HG_MAX_GO_BINARIES, false);
};

// Mounts tracefs at /sys/kernel/tracing when nothing is mounted there
// (libbpf attaches tracepoints through it).
Status EnsureTracefs();

}  // namespace hugin
