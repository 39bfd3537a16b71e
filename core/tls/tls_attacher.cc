#include "core/tls/tls_attacher.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/tls/mapped_files.h"

namespace hugin::tls {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
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
    if (!without_openssl_.count(key)) {
      char target[4096];
      ssize_t n = readlink((base + "/exe").c_str(), target, sizeof(target) - 1);
      std::string shown = n > 0 ? std::string(target, n) : base + "/exe";
      Use(pid, key, shown, base + "/exe", /*executable=*/true);
    }
  }
  // Shared libssl, wherever this process maps it from.
  for (const MappedFile& f : ParseMaps(ReadFile(base + "/maps"))) {
    if (!IsLibSsl(f.path)) continue;
    FileKey key{static_cast<uint64_t>(makedev(f.dev_major, f.dev_minor)), f.inode};
    const std::string open_path =
        f.deleted ? base + "/map_files/" + Hex(f.start) + "-" + Hex(f.end) : base + "/root" + f.path;
    Use(pid, key, f.path, open_path, /*executable=*/false);
  }
}

void TlsAttacher::Use(uint32_t pid, const FileKey& key, const std::string& shown_path,
                      const std::string& open_path, bool executable) {
  auto it = files_.find(key);
  if (it != files_.end()) {
    it->second.users.insert(pid);
    return;
  }
  auto probes = loader_->AttachOpenSsl(open_path);
  if (!probes) {
    if (executable) {  // most executables have no OpenSSL in them: remember, say nothing
      without_openssl_.insert(key);
      return;
    }
    notices_.push_back("hugin: pid " + std::to_string(pid) + ": no TLS plaintext from " +
                       shown_path + ": " + probes.error().message);
    File& f = files_[key];  // remembered, so it is not retried on every pass
    f.path = shown_path;
    f.users.insert(pid);
    return;
  }
  File& f = files_[key];
  f.path = shown_path;
  f.probes = std::move(probes).value();
  f.users.insert(pid);
  notices_.push_back("hugin: pid " + std::to_string(pid) + ": TLS plaintext from " + shown_path +
                     " (OpenSSL, " + std::to_string(f.probes.size()) + " uprobes)");
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
