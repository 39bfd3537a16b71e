// Shared by the real-BPF tests: a TCP connection of a process to itself on
// loopback, and the records the kernel wrote, decoded.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/events/event.h"
#include "core/loader/loader.h"

namespace hugin::testing_bpf {

// The loader on the data path the test target asks for: HUGIN_TEST_DATA_PATH=syscalls or
// sockets (the *_syscall_path twins in BUILD.bazel set syscalls), else the kernel's choice.
// A started loader on another path than the one asked for fails the test.
inline Result<std::unique_ptr<BpfLoader>> StartLoader(LoaderOptions o) {
  const char* want = std::getenv("HUGIN_TEST_DATA_PATH");
  if (want && std::string(want) == "syscalls") o.data_path = DataPath::kSyscalls;
  if (want && std::string(want) == "sockets") o.data_path = DataPath::kSockets;
  auto started = BpfLoader::Start(o);
  if (started.ok() && o.data_path != DataPath::kAuto) {
    EXPECT_EQ(DataPathName(started.value()->data_path()), std::string(DataPathName(o.data_path)));
  }
  return started;
}

inline bool ReadFull(int fd, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r <= 0) return false;
    got += r;
  }
  return true;
}

struct Sockets {
  int listener, client, server;
};

// A TCP listener on a free loopback port; *addr gets its address.
inline int LoopbackListener(int backlog, sockaddr_in* addr) {
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in& a = *addr;
  a = sockaddr_in{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(ls, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  listen(ls, backlog);
  socklen_t len = sizeof(a);
  getsockname(ls, reinterpret_cast<sockaddr*>(&a), &len);
  return ls;
}

// In the child: a TCP connection to itself on loopback (connect, then accept).
inline Sockets LoopbackPair() {
  sockaddr_in a{};
  int ls = LoopbackListener(1, &a);
  int cl = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(cl, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) _exit(4);
  return {ls, cl, accept4(ls, nullptr, nullptr, 0)};
}

struct Seen {
  std::vector<events::OpenEvent> opens;
  std::vector<events::CloseEvent> closes;
  std::vector<events::DataEvent> data;
  std::vector<std::string> bytes;
};

inline void Drain(BpfLoader& loader, Seen& seen) {
  BpfLoader::RecordHandler h = [&](const void* d, size_t n) {
    auto r = events::Decode(d, n);
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto& ev = r.value();
    if (auto* o = std::get_if<events::OpenEvent>(&ev)) seen.opens.push_back(*o);
    if (auto* c = std::get_if<events::CloseEvent>(&ev)) seen.closes.push_back(*c);
    if (auto* x = std::get_if<events::DataEvent>(&ev)) {
      seen.data.push_back(*x);
      seen.bytes.emplace_back(x->payload);
    }
  };
  while (loader.Poll(50, h).value() > 0) {
  }
}

}  // namespace hugin::testing_bpf
