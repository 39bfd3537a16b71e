#include "core/loader/ring_reader.h"

#include <linux/bpf.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace hugin {
namespace {

// A record's place in the ring: header plus length, rounded up to 8 bytes (the kernel's
// ringbuf_reserve does the same, so the next header is 8-byte aligned).
uint64_t Footprint(uint32_t len_word) {
  uint64_t len = len_word & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
  return (len + BPF_RINGBUF_HDR_SZ + 7) & ~uint64_t{7};
}

std::string Errno(const char* what) { return std::string(what) + " (" + std::strerror(errno) + ")"; }

}  // namespace

Result<std::unique_ptr<RingReader>> RingReader::Open(int map_fd, uint32_t ring_bytes) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  if (ring_bytes == 0 || (ring_bytes & (ring_bytes - 1)) != 0 || ring_bytes % page != 0)
    return Error{"ring buffer size " + std::to_string(ring_bytes) +
                 " is not a power of two multiple of the page size"};
  std::unique_ptr<RingReader> r(new RingReader());
  r->page_ = page;
  r->mask_ = ring_bytes - 1;
  void* cons = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
  if (cons == MAP_FAILED) return Error{Errno("cannot map the ring buffer's consumer page")};
  r->consumer_pos_ = static_cast<uint64_t*>(cons);
  // The producer page, then the data area twice (the kernel maps it so).
  r->data_map_bytes_ = page + 2 * size_t{ring_bytes};
  void* prod = mmap(nullptr, r->data_map_bytes_, PROT_READ, MAP_SHARED, map_fd, page);
  if (prod == MAP_FAILED) return Error{Errno("cannot map the ring buffer's data pages")};
  r->producer_pos_ = static_cast<const uint64_t*>(prod);
  r->data_ = static_cast<const uint8_t*>(prod) + page;
  r->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (r->epoll_fd_ < 0) return Error{Errno("cannot create an epoll instance")};
  epoll_event ev{};
  ev.events = EPOLLIN;
  if (epoll_ctl(r->epoll_fd_, EPOLL_CTL_ADD, map_fd, &ev) != 0)
    return Error{Errno("cannot wait on the ring buffer")};
  return r;
}

RingReader::~RingReader() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (producer_pos_) munmap(const_cast<uint64_t*>(producer_pos_), data_map_bytes_);
  if (consumer_pos_) munmap(consumer_pos_, page_);
}

int RingReader::Consume(const Handler& handler) {
  // Acquire on the producer position pairs with the kernel's release when it commits; on a
  // header, with the release that clears BUSY. Release on consumer_pos tells the kernel the
  // space may be reused only after the record was read.
  uint64_t cons = __atomic_load_n(consumer_pos_, __ATOMIC_ACQUIRE);
  int n = 0;
  for (;;) {
    const uint64_t prod = __atomic_load_n(producer_pos_, __ATOMIC_ACQUIRE);
    if (cons >= prod) return n;
    bool progressed = false;
    while (cons < prod) {
      const uint8_t* hdr = data_ + (cons & mask_);
      const uint32_t len = __atomic_load_n(reinterpret_cast<const uint32_t*>(hdr), __ATOMIC_ACQUIRE);
      if (len & BPF_RINGBUF_BUSY_BIT) return n;  // not committed yet: read it next time
      progressed = true;
      const uint64_t next = cons + Footprint(len);
      if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
        handler(hdr + BPF_RINGBUF_HDR_SZ, len);
        n++;
      }
      cons = next;
      __atomic_store_n(consumer_pos_, cons, __ATOMIC_RELEASE);
    }
    if (!progressed) return n;
  }
}

Status RingReader::WatchFd(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    const int err = errno;
    return Error{Errno("cannot wait on a file descriptor"), err};
  }
  return Ok{};
}

Status RingReader::Wait(int timeout_ms) {
  epoll_event ev;
  if (epoll_wait(epoll_fd_, &ev, 1, timeout_ms) < 0 && errno != EINTR) {
    int err = errno;
    return Error{std::string("ring buffer wait failed: ") + std::strerror(err), err};
  }
  return Ok{};
}

Result<int> RingReader::Poll(int timeout_ms, const Handler& handler) {
  if (Status waited = Wait(timeout_ms); !waited.ok()) return waited.error();
  return Consume(handler);
}

}  // namespace hugin
