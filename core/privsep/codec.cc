#include "core/privsep/codec.h"

#include <string>

namespace hugin::privsep {
namespace {

template <size_t N>
bool Terminated(const char (&s)[N]) {
  return std::memchr(s, '\0', N) != nullptr;
}

template <typename T>
Result<Message> Take(const uint8_t* payload, size_t size, const char* name) {
  if (size != sizeof(T))
    return Error{std::string("malformed ") + name + " message: " + std::to_string(size) +
                 " payload bytes, expected " + std::to_string(sizeof(T))};
  T msg;
  std::memcpy(&msg, payload, sizeof(T));
  return Message{msg};
}

// What memcpy cannot check: the contents.
Status Check(const Message& m) {
  if (auto* w = std::get_if<WatchingMsg>(&m); w && !Terminated(w->service_name))
    return Error{"malformed watching message: service name without its terminating NUL"};
  if (auto* p = std::get_if<SetCapturePolicyMsg>(&m)) {
    if (p->mode > HG_CAPTURE_FULL)
      return Error{"malformed capture policy message: mode " + std::to_string(p->mode)};
    if (p->tls > 1) return Error{"malformed capture policy message: tls " + std::to_string(p->tls)};
  }
  if (auto* c = std::get_if<CountersMsg>(&m)) {
    if (c->tls_unsupported_count > CountersMsg::kMaxTlsLibraries)
      return Error{"malformed counters message: " + std::to_string(c->tls_unsupported_count) +
                   " TLS libraries"};
    for (uint32_t i = 0; i < c->tls_unsupported_count; i++)
      if (!Terminated(c->tls_unsupported[i].library))
        return Error{"malformed counters message: library name without its terminating NUL"};
    if (c->kernel_series_msgs > kMaxKernelSeriesMsgs)
      return Error{"malformed counters message: " + std::to_string(c->kernel_series_msgs) +
                   " kernel series messages to follow"};
  }
  if (auto* k = std::get_if<KernelSeriesMsg>(&m)) {
    if (k->count > KernelSeriesMsg::kMaxEntries)
      return Error{"malformed kernel series message: " + std::to_string(k->count) + " entries"};
    for (uint32_t i = 0; i < k->count; i++)
      if (!Terminated(k->entries[i].service_name))
        return Error{"malformed kernel series message: service name without its terminating NUL"};
  }
  if (auto* l = std::get_if<ConnLossesMsg>(&m); l && l->count > ConnLossesMsg::kMaxEntries)
    return Error{"malformed conn losses message: " + std::to_string(l->count) + " entries"};
  return Ok{};
}

}  // namespace

size_t MaxPacketBytes() {
  size_t m = 0;
  for (size_t s : {sizeof(ReadyMsg), sizeof(SetCapturePolicyMsg), sizeof(CountersRequestMsg),
                   sizeof(WatchingMsg), sizeof(GoneMsg), sizeof(CountersMsg),
                   sizeof(KernelSeriesMsg), sizeof(ConnLossesMsg), sizeof(StopMsg)})
    m = s > m ? s : m;
  return sizeof(Header) + m;
}

Result<Message> Decode(const uint8_t* packet, size_t size) {
  if (size < sizeof(Header))
    return Error{"malformed message: " + std::to_string(size) + " bytes, shorter than a header"};
  Header h;
  std::memcpy(&h, packet, sizeof(h));
  const uint8_t* payload = packet + sizeof(h);
  const size_t payload_size = size - sizeof(h);
  if (h.payload_bytes != payload_size)
    return Error{"malformed message: header says " + std::to_string(h.payload_bytes) +
                 " payload bytes, packet has " + std::to_string(payload_size)};
  Result<Message> m = Error{"malformed message: unknown type " + std::to_string(h.type)};
  switch (static_cast<MsgType>(h.type)) {
    case MsgType::kReady: m = Take<ReadyMsg>(payload, payload_size, "ready"); break;
    case MsgType::kSetCapturePolicy:
      m = Take<SetCapturePolicyMsg>(payload, payload_size, "capture policy");
      break;
    case MsgType::kCountersRequest:
      m = Take<CountersRequestMsg>(payload, payload_size, "counters request");
      break;
    case MsgType::kWatching: m = Take<WatchingMsg>(payload, payload_size, "watching"); break;
    case MsgType::kGone: m = Take<GoneMsg>(payload, payload_size, "gone"); break;
    case MsgType::kCounters: m = Take<CountersMsg>(payload, payload_size, "counters"); break;
    case MsgType::kKernelSeries:
      m = Take<KernelSeriesMsg>(payload, payload_size, "kernel series");
      break;
    case MsgType::kConnLosses: m = Take<ConnLossesMsg>(payload, payload_size, "conn losses"); break;
    case MsgType::kStop: m = Take<StopMsg>(payload, payload_size, "stop"); break;
  }
  if (!m) return m;
  if (Status s = Check(m.value()); !s) return s.error();
  return m;
}

}  // namespace hugin::privsep
