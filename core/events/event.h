// Typed views of the records the BPF programs write to the ring buffer
// (layouts in bpf/hugin.h), and their validation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/common/result.h"

extern "C" {
#include "bpf/hugin.h"
}

namespace hugin::events {

struct ConnId {
  uint32_t tgid = 0;
  int32_t fd = -1;
  uint64_t generation = 0;
};

struct Common {
  ConnId conn;
  uint32_t tid = 0;
  uint64_t ts_ns = 0;
  uint8_t role = HG_ROLE_UNKNOWN;  // enum hg_role
  uint8_t syscall = 0;             // enum hg_syscall
};

struct Address {
  uint16_t family = 0;
  uint16_t local_port = 0, remote_port = 0;
  uint8_t local_ip[16] = {}, remote_ip[16] = {};
};

struct OpenEvent {
  Common c;
  Address addr;
};

struct DataEvent {
  Common c;
  uint8_t dir = HG_INGRESS;  // enum hg_direction
  uint64_t pos = 0;
  uint64_t arrival_ns = 0;
  uint32_t len = 0;
  std::string_view payload;  // points into the ring buffer: valid during the callback only
  // The kernel could not read every byte it meant to capture (HG_FLAG_SHORT_COPY): the payload
  // is shorter than min(len, capture size). Bytes past it are unknown, as with truncation.
  bool short_copy = false;
  // Plaintext from a TLS library's uprobe (HG_FLAG_TLS): pos is in the connection's
  // plaintext stream, which is apart from its raw (ciphertext) byte stream.
  bool tls = false;
  // The first call seen on a connection carried TLS records (HG_FLAG_CIPHERTEXT): the
  // kernel records none of its later syscalls.
  bool ciphertext = false;
  // The first record of this direction after the kernel handed an HTTP/1 connection it was
  // aggregating back to user space (HG_FLAG_RESUME): the bytes before pos were counted in the
  // kernel's metrics, not lost, and the stream restarts at a message start here.
  bool resume = false;
};

struct CloseEvent {
  Common c;
  uint64_t bytes[2] = {0, 0};
  bool tls = false;                  // the connection carried TLS
  uint64_t tls_bytes[2] = {0, 0};    // its plaintext stream positions, per direction
};

using Event = std::variant<OpenEvent, DataEvent, CloseEvent>;

// Decodes one ring buffer record. A record that is too short, of an unknown
// type, or whose payload length disagrees with its size yields an error
// (the caller counts it as a decode drop); nothing is read out of bounds.
Result<Event> Decode(const void* data, size_t size);

// "127.0.0.1" / "::1" for an address of the given family.
std::string IpToString(uint16_t family, const uint8_t ip[16]);

}  // namespace hugin::events
