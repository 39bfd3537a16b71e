#include "core/tls/tls_attacher.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/tls/go/elf_file.h"
#include "core/tls/go/go_binary.h"
#include "core/tls/mapped_files.h"

namespace hugin::tls {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// rustls has no stable C symbols to probe; an unstripped Rust binary names it in .strtab.
bool MentionsRustls(const std::string& path) {
  auto elf = gotls::ElfFile::Open(path);
  if (!elf) return false;
  const gotls::ElfSection* strtab = elf->FindSection(".strtab");
  if (!strtab) return false;
  auto bytes = elf->SectionBytes(*strtab);
  if (!bytes) return false;
  std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  return text.find("rustls") != std::string_view::npos;
}

std::string Hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

TlsAttacher::TlsAttacher(BpfLoader* loader, std::string proc)
    : loader_(loader), proc_(std::move(proc)) {}

void TlsAttacher::Scan(uint32_t pid) {
  const std::string base = proc_ + "/" + std::to_string(pid);
  // The executable itself: OpenSSL linked in (Node exports SSL_read and SSL_write).
  struct stat st;
  if (stat((base + "/exe").c_str(), &st) == 0) {
    FileKey key{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
    if (!without_tls_.count(key)) {
      char target[4096];
      ssize_t n = readlink((base + "/exe").c_str(), target, sizeof(target) - 1);
      std::string shown = n > 0 ? std::string(target, n) : base + "/exe";
      UseExecutable(pid, key, shown, base + "/exe");
    }
  }
  // Shared libssl, wherever this process maps it from.
  for (const MappedFile& f : ParseMaps(ReadFile(base + "/maps"))) {
    if (!IsLibSsl(f.path)) continue;
    FileKey key{static_cast<uint64_t>(makedev(f.dev_major, f.dev_minor)), f.inode};
    const std::string open_path =
        f.deleted ? base + "/map_files/" + Hex(f.start) + "-" + Hex(f.end) : base + "/root" + f.path;
    UseLibrary(pid, key, f.path, open_path);
  }
}

TlsAttacher::File& TlsAttacher::Remember(uint32_t pid, const FileKey& key,
                                         const std::string& shown_path) {
  File& f = files_[key];  // remembered even when refused: not retried on every pass
  f.path = shown_path;
  f.users.insert(pid);
  return f;
}

void TlsAttacher::UseLibrary(uint32_t pid, const FileKey& key, const std::string& shown_path,
                             const std::string& open_path) {
  if (auto it = files_.find(key); it != files_.end()) {
    it->second.users.insert(pid);
    return;
  }
  const std::string who = "hugin: pid " + std::to_string(pid) + ": ";
  auto probes = loader_->AttachOpenSsl(open_path);
  File& f = Remember(pid, key, shown_path);
  if (!probes) {
    notices_.push_back(who + "no TLS plaintext from " + shown_path + ": " + probes.error().message);
    return;
  }
  f.probes = std::move(probes).value();
  notices_.push_back(who + "TLS plaintext from " + shown_path + " (OpenSSL, " +
                     std::to_string(f.probes.size()) + " uprobes)");
}

void TlsAttacher::UseExecutable(uint32_t pid, const FileKey& key, const std::string& shown_path,
                                const std::string& open_path) {
  if (auto it = files_.find(key); it != files_.end()) {
    it->second.users.insert(pid);
    return;
  }
  const std::string who = "hugin: pid " + std::to_string(pid) + ": ";
  // OpenSSL linked in (Node exports SSL_read and SSL_write).
  if (auto probes = loader_->AttachOpenSsl(open_path)) {
    File& f = Remember(pid, key, shown_path);
    f.probes = std::move(probes).value();
    notices_.push_back(who + "TLS plaintext from " + shown_path + " (OpenSSL, " +
                       std::to_string(f.probes.size()) + " uprobes)");
    return;
  }
  if (gotls::IsGoBinary(open_path)) {
    auto target = gotls::AnalyzeGoBinary(open_path);
    if (!target) {
      if (target.error().message.find("no crypto/tls") != std::string::npos) {
        without_tls_.insert(key);  // a Go program without TLS: nothing to say
        return;
      }
      File& f = Remember(pid, key, shown_path);
      f.unsupported = "go";
      notices_.push_back(who + "no TLS plaintext from Go's crypto/tls: " + target.error().message);
      return;
    }
    BpfLoader::GoTlsSpec spec;
    spec.write_entry = target->write.entry_offset;
    spec.read_entry = target->read.entry_offset;
    spec.write_rets = target->write.ret_offsets;
    spec.read_rets = target->read.ret_offsets;
    spec.fd_path.tcpconn_itab = target->tcpconn_itab_vaddr;
    spec.fd_path.conn_in_tls_conn = target->conn_in_tls_conn;
    spec.fd_path.fd_in_net_conn = target->fd_in_net_conn;
    spec.fd_path.pfd_in_netfd = target->pfd_in_netfd;
    spec.fd_path.sysfd_in_poll_fd = target->sysfd_in_poll_fd;
    auto probes = loader_->AttachGoTls(open_path, spec);
    File& f = Remember(pid, key, shown_path);
    if (!probes) {
      f.unsupported = "go";
      notices_.push_back(who + "no TLS plaintext from Go's crypto/tls: " + probes.error().message);
      return;
    }
    f.probes = std::move(probes).value();
    notices_.push_back(who + "TLS plaintext from " + shown_path + " (Go " + target->go_version +
                       " crypto/tls, " + std::to_string(f.probes.size()) + " uprobes" +
                       (target->stripped ? ", stripped binary" : "") + ")");
    return;
  }
  if (MentionsRustls(open_path)) {
    File& f = Remember(pid, key, shown_path);
    f.unsupported = "rustls";
    notices_.push_back(who + shown_path +
                       " uses rustls, which Hugin cannot read plaintext from yet: its TLS "
                       "connections are counted (hugin_tls_connections_without_plaintext_total), "
                       "not traced");
    return;
  }
  without_tls_.insert(key);
}

std::map<std::string, uint64_t> TlsAttacher::Unsupported() const {
  std::map<std::string, uint64_t> out;
  for (const auto& [key, f] : files_)
    if (!f.unsupported.empty()) out[f.unsupported] += f.users.size();
  return out;
}

void TlsAttacher::Forget(uint32_t pid) {
  for (auto it = files_.begin(); it != files_.end();) {
    it->second.users.erase(pid);
    if (it->second.users.empty()) {
      it = files_.erase(it);  // detaches its probes
    } else {
      ++it;
    }
  }
}

std::vector<std::string> TlsAttacher::TakeNotices() { return std::exchange(notices_, {}); }

size_t TlsAttacher::probed_files() const {
  size_t n = 0;
  for (const auto& [key, f] : files_) n += f.probes.size() > 0 ? 1 : 0;
  return n;
}

}  // namespace hugin::tls
