// Loads ringbuf_producer.bpf.c and writes records into its ring buffer on demand.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cstdint>
#include <cstring>

#include "tests/bpf/ringbuf_producer.skel.h"

namespace hugin::testing_bpf {

class RingProducer {
 public:
  // ring_bytes: the ring's size (a power of two, a multiple of the page size).
  explicit RingProducer(uint32_t ring_bytes) {
    skel_ = ringbuf_producer__open();
    if (!skel_) return;
    bpf_map__set_max_entries(skel_->maps.rb, ring_bytes);
    if (ringbuf_producer__load(skel_) != 0) {
      ringbuf_producer__destroy(skel_);
      skel_ = nullptr;
      return;
    }
    for (size_t i = 0; i < sizeof(skel_->bss->payload); i++) skel_->bss->payload[i] = Fill(i);
  }
  ~RingProducer() {
    if (skel_) ringbuf_producer__destroy(skel_);
  }
  bool ok() const { return skel_ != nullptr; }
  int map_fd() const { return bpf_map__fd(skel_->maps.rb); }
  // The byte at offset i of every record (offsets 0..3 hold the record's seq).
  static char Fill(size_t i) { return static_cast<char>('a' + i % 26); }

  // Writes a record of `len` bytes (seq in the first 4); the program's return value:
  // 0 written, 3 the ring was full, or -errno when the run failed.
  int Output(uint32_t len, uint32_t seq, uint32_t flags = 0) { return Run({len, 0, seq, flags, 0}); }
  // Writes a record with the wakeup the agent's programs would ask for at wakeup step `step`
  // (bpf/wakeup.bpf.h).
  int OutputAsAgent(uint32_t len, uint32_t seq, uint32_t step) {
    return Run({len, 0, seq, kAgentWakeup, step});
  }
  // Reserves a record and discards it.
  int Discard(uint32_t seq) { return Run({0, 1, seq, 0, 0}); }

 private:
  static constexpr uint32_t kAgentWakeup = 0x80000000u;  // HG_TEST_AGENT_WAKEUP
  struct Args {
    uint32_t len, discard, seq, flags, step;
  };
  int Run(Args a) {
    // A syscall program runs once per call (the kernel refuses `repeat` for this type).
    LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &a, .ctx_size_in = sizeof(a));
    if (int err = bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.produce), &opts); err != 0)
      return err;
    return static_cast<int>(opts.retval);
  }
  ringbuf_producer* skel_ = nullptr;
};

}  // namespace hugin::testing_bpf
