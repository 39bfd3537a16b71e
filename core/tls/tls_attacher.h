// Puts the TLS libraries' uprobes on what watched processes run: OpenSSL's libssl
// wherever a process maps it, executables with OpenSSL linked in (Node), and Go
// executables' crypto/tls (core/tls/go finds the offsets). A TLS stack Hugin cannot read
// (rustls, Go before 1.17) is said once per file on stderr and counted per process
// (Unsupported(): the hugin_tls_unsupported gauge). Driven by
// discovery: Scan() when a process is selected and again on every discovery pass (a
// library loaded late, as Python's `import ssl`), Forget() when it is gone.
//
// Uprobes belong to a file, not a process: each file (device, inode) gets its probes once,
// whichever process found it first, and loses them when no watched process maps it any
// more. Files are opened through /proc/PID/root/... (or /proc/PID/map_files/... when the
// file was replaced since it was mapped), so another mount namespace's libssl is the one
// probed. The kernel side keeps only watched processes' calls (bpf/tls.bpf.h).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/loader/loader.h"

namespace hugin::tls {

class TlsAttacher {
 public:
  // `root`: where /proc is (tests may point elsewhere).
  explicit TlsAttacher(BpfLoader* loader, std::string proc = "/proc");

  // Finds pid's TLS libraries and attaches to the ones not yet probed.
  void Scan(uint32_t pid);
  // pid is gone or no longer selected: files only it used lose their probes.
  void Forget(uint32_t pid);

  // Watched processes using a TLS stack Hugin cannot read, by library ("rustls", ...).
  std::map<std::string, uint64_t> Unsupported() const;
  // Lines for the user (stderr), one per file probed or refused; taken once.
  std::vector<std::string> TakeNotices();
  // Files with probes attached now.
  size_t probed_files() const;
  // Files looked at so far (probed, refused, or found without TLS): grows when a Scan did the
  // heavy work (ELF symbols, Go's offsets, disassembly).
  size_t examined_files() const { return files_.size() + without_tls_.size(); }

 private:
  struct FileKey {
    uint64_t dev, inode;
    bool operator<(const FileKey& o) const {
      return dev != o.dev ? dev < o.dev : inode < o.inode;
    }
  };
  struct File {
    std::string path;     // as first found
    UprobeSet probes;     // empty: attaching failed, or a stack Hugin cannot read
    std::string unsupported;  // that stack's name ("rustls"), for the gauge
    std::set<uint32_t> users;
  };
  // Attaches to the file at `open_path` once per key; records pid as a user.
  void UseLibrary(uint32_t pid, const FileKey& key, const std::string& shown_path,
                  const std::string& open_path);
  // The executable: OpenSSL linked in, Go's crypto/tls, or rustls (unsupported).
  void UseExecutable(uint32_t pid, const FileKey& key, const std::string& shown_path,
                     const std::string& open_path);
  File& Remember(uint32_t pid, const FileKey& key, const std::string& shown_path);

  BpfLoader* loader_;
  std::string proc_;
  std::map<FileKey, File> files_;
  std::set<FileKey> without_tls_;  // executables looked at and found without a TLS stack
  std::vector<std::string> notices_;
};

}  // namespace hugin::tls
