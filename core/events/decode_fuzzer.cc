// Fuzz target: one ring buffer record, as raw bytes, through events::Decode. A record is
// either an error or an event whose payload lies inside the record and agrees with its
// length fields; addresses format without reading past their 16 bytes.
#include <cstdint>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "core/events/event.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hugin::events;
  // A copy of exactly `size` bytes: ASan then reports any read past the record.
  std::vector<uint8_t> record(data, data + size);
  auto r = Decode(record.data(), record.size());
  if (!r.ok()) {
    FUZZ_CHECK(!r.error().message.empty());
    return 0;
  }
  const Event& ev = r.value();
  if (auto* d = std::get_if<DataEvent>(&ev)) {
    const char* begin = reinterpret_cast<const char*>(record.data());
    FUZZ_CHECK(d->payload.data() >= begin + sizeof(hg_data_event));
    FUZZ_CHECK(d->payload.data() + d->payload.size() <= begin + record.size());
    FUZZ_CHECK(d->payload.size() <= d->len);
    FUZZ_CHECK(d->payload.size() <= HG_MAX_PAYLOAD);
    FUZZ_CHECK(d->dir == HG_INGRESS || d->dir == HG_EGRESS);
    // Touch every payload byte (out of bounds would be an ASan report).
    volatile uint8_t sum = 0;
    for (char c : d->payload) sum = sum + static_cast<uint8_t>(c);
  } else if (auto* o = std::get_if<OpenEvent>(&ev)) {
    const std::string local = IpToString(o->addr.family, o->addr.local_ip);
    const std::string remote = IpToString(o->addr.family, o->addr.remote_ip);
    FUZZ_CHECK(!local.empty() && local.size() < 46 && !remote.empty() && remote.size() < 46);
  } else {
    FUZZ_CHECK(std::holds_alternative<CloseEvent>(ev));
  }
  return 0;
}
