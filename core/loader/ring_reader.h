// Reads a BPF ring buffer (BPF_MAP_TYPE_RINGBUF) through mmap of its map fd alone: no bpf()
// syscall, so an unprivileged process that inherited the fd can consume it (Linux 6.1 with
// kernel.unprivileged_bpf_disabled refuses every bpf() command to such a process).
//
// The kernel's layout (kernel/bpf/ringbuf.c): page 0 holds consumer_pos and is the only
// writable one; page 1 holds producer_pos; the data area follows, mapped twice in a row so a
// record that wraps around the end is contiguous in memory. Each record starts with an 8-byte
// header: its length, with BUSY (still being written) and DISCARD (dropped by the program) bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "core/common/result.h"

namespace hugin {

class RingReader {
 public:
  // map_fd: the ring buffer map (borrowed: must stay open while the reader lives).
  // ring_bytes: its size (max_entries), a power of two that is a multiple of the page size;
  // the caller knows it (the loader set it), so no bpf(BPF_OBJ_GET_INFO_BY_FD) is needed.
  static Result<std::unique_ptr<RingReader>> Open(int map_fd, uint32_t ring_bytes);
  ~RingReader();
  RingReader(const RingReader&) = delete;
  RingReader& operator=(const RingReader&) = delete;

  using Handler = std::function<void(const void* data, size_t size)>;
  // Hands every committed record in the ring to `handler` (discarded ones are skipped) and
  // returns how many were handed. Stops at a record the kernel is still writing.
  int Consume(const Handler& handler);
  // Waits up to timeout_ms for the kernel's wakeup (epoll on the map fd) or for one of the
  // fds given to WatchFd to become readable. EINTR is not a failure.
  Status Wait(int timeout_ms);
  // Makes Wait return also when `fd` is readable (borrowed: must stay open while the reader
  // lives). The caller reads it: a readable fd left unread makes every Wait return at once.
  Status WatchFd(int fd);
  // Wait, then Consume: records submitted without a wakeup are read when the wait ends.
  Result<int> Poll(int timeout_ms, const Handler& handler);

 private:
  RingReader() = default;

  int epoll_fd_ = -1;
  size_t page_ = 0;
  uint64_t mask_ = 0;
  size_t data_map_bytes_ = 0;
  uint64_t* consumer_pos_ = nullptr;        // page 0, read-write
  const uint64_t* producer_pos_ = nullptr;  // page 1, read-only
  const uint8_t* data_ = nullptr;           // the data area, twice
};

}  // namespace hugin
