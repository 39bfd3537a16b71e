// The conn tracker's test fixture: records as the kernel would send them, for one
// process (pid 7), with the stream positions kept per connection and direction.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/conn/conn_tracker.h"

namespace hugin {

class TrackerTest : public ::testing::Test {
 protected:
  TrackerTest()
      : tracker_([this](Span&& s) { spans_.push_back(std::move(s)); },
                 [](uint32_t pid) { return "svc" + std::to_string(pid); }, 1000,
                 {[this](const StreamGap& g) { gaps_.push_back(g); },
                  [this](const UnpairedRequest& u) { unpaired_.push_back(u); }}) {}

  events::Common C(int fd, uint64_t gen, uint8_t role, uint64_t ts) {
    events::Common c;
    c.conn = {7, fd, gen};
    c.role = role;
    c.ts_ns = ts;
    return c;
  }
  // peer_last_octet: the peer is 127.0.0.<peer_last_octet>.
  void Open(int fd, uint64_t gen, uint8_t role, uint64_t ts = 1, uint8_t peer_last_octet = 1) {
    events::OpenEvent o;
    o.c = C(fd, gen, role, ts);
    o.addr.family = AF_INET;
    o.addr.local_port = 8080;
    o.addr.remote_port = 40000;
    uint8_t lo[4] = {127, 0, 0, 1};
    uint8_t peer[4] = {127, 0, 0, peer_last_octet};
    memcpy(o.addr.local_ip, lo, 4);
    memcpy(o.addr.remote_ip, peer, 4);
    tracker_.OnOpen(o);
  }
  // Sends `bytes` as one syscall on (fd, gen), advancing that direction's position.
  void Data(int fd, uint64_t gen, uint8_t role, uint8_t dir, const std::string& bytes,
            uint64_t ts, uint64_t arrival = 0, uint32_t len = 0) {
    Send(fd, gen, role, dir, bytes, ts, arrival, len, Kind::kRaw);
  }
  // TLS plaintext from a library uprobe (positions of the plaintext stream).
  void TlsData(int fd, uint64_t gen, uint8_t role, uint8_t dir, const std::string& bytes,
               uint64_t ts, uint64_t arrival = 0) {
    Send(fd, gen, role, dir, bytes, ts, arrival, 0, Kind::kTlsPlaintext);
  }
  // The first ciphertext call of a connection, as the kernel flags it.
  void Ciphertext(int fd, uint64_t gen, uint8_t role, uint8_t dir, const std::string& bytes,
                  uint64_t ts) {
    Send(fd, gen, role, dir, bytes, ts, 0, 0, Kind::kCiphertext);
  }
  // The first record of a direction after the kernel stopped aggregating the connection
  // (HG_FLAG_RESUME): the bytes before it were counted in the kernel, never recorded.
  void Resumed(int fd, uint64_t gen, uint8_t role, uint8_t dir, const std::string& bytes,
               uint64_t ts) {
    Send(fd, gen, role, dir, bytes, ts, 0, 0, Kind::kResumed);
  }
  enum class Kind { kRaw, kTlsPlaintext, kCiphertext, kResumed };
  void Send(int fd, uint64_t gen, uint8_t role, uint8_t dir, const std::string& bytes,
            uint64_t ts, uint64_t arrival, uint32_t len, Kind kind) {
    events::DataEvent d;
    d.c = C(fd, gen, role, ts);
    d.dir = dir;
    uint64_t& pos = (kind == Kind::kTlsPlaintext ? tls_pos_ : pos_)[fd][dir];
    d.pos = pos;
    d.len = len ? len : bytes.size();
    d.arrival_ns = arrival;
    d.payload = bytes;
    d.tls = kind == Kind::kTlsPlaintext;
    d.ciphertext = kind == Kind::kCiphertext;
    d.resume = kind == Kind::kResumed;
    pos += d.len;
    tracker_.OnData(d);
  }
  void Close(int fd, uint64_t gen, uint64_t ts) {
    events::CloseEvent e;
    e.c = C(fd, gen, HG_ROLE_UNKNOWN, ts);
    e.bytes[HG_INGRESS] = pos_[fd][HG_INGRESS];
    e.bytes[HG_EGRESS] = pos_[fd][HG_EGRESS];
    e.tls = tls_pos_.count(fd) > 0;
    e.tls_bytes[HG_INGRESS] = tls_pos_[fd][HG_INGRESS];
    e.tls_bytes[HG_EGRESS] = tls_pos_[fd][HG_EGRESS];
    tracker_.OnClose(e);
    pos_.erase(fd);
    tls_pos_.erase(fd);
  }

  std::vector<Span> spans_;
  std::vector<StreamGap> gaps_;
  std::vector<UnpairedRequest> unpaired_;
  std::map<int, std::map<uint8_t, uint64_t>> pos_, tls_pos_;
  ConnTracker tracker_;
};

}  // namespace hugin
