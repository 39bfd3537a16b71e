// Writes every fuzz target's seed corpus from recorded traffic: the HTTP/1.1 connections in
// core/protocols/http1/testdata/*.h1trace and the HTTP/2 / gRPC ones in
// core/protocols/http2/testdata/*.h2trace (one line per TCP segment: "<c|s> <pos> <µs> <hex>").
// Ring buffer records are built with bpf/hugin.h's structs, so their layout is the kernel's.
//
//   bazel run //tests/fuzz:make_seeds -- "$PWD"     (from the repository root)
//
// It replaces the files named seed-* in each corpus directory; other files there (inputs of
// past findings, named after them) are left alone.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" {
#include "bpf/hugin.h"
}

namespace {

namespace fs = std::filesystem;

struct Segment {
  bool client;
  uint64_t pos;
  uint64_t us;
  std::string bytes;
};

struct Trace {
  std::string name;
  std::vector<Segment> segs;
};

std::vector<Trace> LoadTraces(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  std::vector<Trace> out;
  for (const fs::path& p : paths) {
    Trace t{ext.substr(1, 2) + "-" + p.stem().string(), {}};  // "h1-go_curl"
    std::ifstream f(p);
    std::string line;
    while (std::getline(f, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream in(line);
      char dir;
      Segment s;
      std::string hex;
      in >> dir >> s.pos >> s.us >> hex;
      s.client = dir == 'c';
      for (size_t i = 0; i + 1 < hex.size(); i += 2)
        s.bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
      t.segs.push_back(std::move(s));
    }
    out.push_back(std::move(t));
  }
  return out;
}

void Write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / ("seed-" + name), std::ios::binary) << bytes;
}

void ClearSeeds(const fs::path& dir) {
  if (!fs::exists(dir)) return;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("seed-", 0) == 0) fs::remove(e.path());
}

void Le16(std::string& out, size_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
}

// tests/fuzz/chunk_script.h. `capture`: 0 whole, 1 first 512; `attach_at`: the first segment
// fed (a late attach jumps both senders' positions ahead); `piece`: split segments into pieces
// of at most this many bytes.
std::string ChunkScript(const Trace& t, int capture, size_t attach_at, size_t piece) {
  std::string out;
  out.push_back(static_cast<char>(attach_at == 0 ? 3 : 0));
  bool first[2] = {true, true};
  for (size_t i = attach_at; i < t.segs.size(); ++i) {
    const Segment& s = t.segs[i];
    for (size_t off = 0; off < s.bytes.size(); off += piece) {
      const std::string part = s.bytes.substr(off, piece);
      const int sender = s.client ? 0 : 1;
      const bool jump = attach_at > 0 && first[sender];
      first[sender] = false;
      out.push_back(static_cast<char>(sender | (capture << 1) | (jump ? 1 << 3 : 0) |
                                      (s.client ? 0x20 : 0)));
      if (jump) out.push_back(static_cast<char>(199));  // 200 bytes before the attach
      Le16(out, part.size());
      out += part;
    }
  }
  return out;
}

// Ring buffer records, as the server's side of the connection sees them (client bytes are
// ingress), or the client's.
struct RecordMaker {
  uint32_t tgid = 4242;
  int32_t fd = 7;
  uint64_t generation = 1'000'000;
  uint8_t role = HG_ROLE_SERVER;

  hg_header Header(uint8_t type, uint64_t ts) const {
    hg_header h;
    std::memset(&h, 0, sizeof h);
    h.type = type;
    h.role = role;
    h.tid = tgid + 1;
    h.ts_ns = ts;
    h.conn.tgid = tgid;
    h.conn.fd = fd;
    h.conn.generation = generation;
    return h;
  }
  std::string Open(uint64_t ts, bool v6) const {
    hg_open_event e;
    std::memset(&e, 0, sizeof e);
    e.h = Header(HG_EV_OPEN, ts);
    e.h.syscall = role == HG_ROLE_SERVER ? HG_SYS_ACCEPT : HG_SYS_CONNECT;
    e.addr.family = v6 ? 10 : 2;  // AF_INET6, AF_INET
    e.addr.lport = 8080;
    e.addr.rport = 51234;
    if (v6) {
      e.addr.laddr[15] = 1;
      e.addr.raddr[10] = e.addr.raddr[11] = 0xff;
      e.addr.raddr[12] = 127, e.addr.raddr[15] = 1;
    } else {
      e.addr.laddr[0] = e.addr.raddr[0] = 127;
      e.addr.laddr[3] = e.addr.raddr[3] = 1;
    }
    return std::string(reinterpret_cast<const char*>(&e), sizeof e);
  }
  std::string Data(const Segment& s, uint64_t pos, const std::string& bytes, size_t capture,
                   uint8_t flags) const {
    hg_data_event e;
    std::memset(&e, 0, sizeof e);
    const uint64_t ts = s.us * 1000 + 1'000'000;
    e.h = Header(HG_EV_DATA, ts);
    const bool ingress = s.client == (role == HG_ROLE_SERVER);
    e.h.dir = ingress ? HG_INGRESS : HG_EGRESS;
    e.h.syscall = ingress ? HG_SYS_READ : HG_SYS_WRITE;
    e.h.flags = flags;
    e.pos = pos;
    e.arrival_ns = ingress ? ts - 20'000 : 0;
    e.len = static_cast<uint32_t>(bytes.size());
    e.captured = static_cast<uint32_t>(std::min(bytes.size(), capture));
    return std::string(reinterpret_cast<const char*>(&e), sizeof e) + bytes.substr(0, e.captured);
  }
  std::string Close(uint64_t ts, uint64_t in, uint64_t out) const {
    hg_close_event e;
    std::memset(&e, 0, sizeof e);
    e.h = Header(HG_EV_CLOSE, ts);
    e.h.syscall = HG_SYS_CLOSE;
    e.bytes[HG_INGRESS] = in;
    e.bytes[HG_EGRESS] = out;
    return std::string(reinterpret_cast<const char*>(&e), sizeof e);
  }
};

// A connection as the tracker fuzzer's input: 2-byte size + record, per record. Full capture
// writes one record per HG_MAX_PAYLOAD slice of a call (the kernel does the same); head
// capture (HTTP/1's policy) the first 512 bytes of each call.
std::string TrackerInput(const Trace& t, bool full, RecordMaker m, size_t attach_at) {
  std::vector<std::string> records;
  if (attach_at == 0) records.push_back(m.Open(999'000, false));
  uint64_t end[2] = {0, 0};  // per hg_direction
  for (size_t i = attach_at; i < t.segs.size(); ++i) {
    const Segment& s = t.segs[i];
    const size_t slice = full ? HG_MAX_PAYLOAD : s.bytes.size();
    for (size_t off = 0; off < s.bytes.size(); off += slice) {
      const std::string part = s.bytes.substr(off, slice);
      const std::string r = m.Data(s, s.pos + off, part, full ? HG_MAX_PAYLOAD : 512, 0);
      records.push_back(r);
      const uint8_t dir = (s.client == (m.role == HG_ROLE_SERVER)) ? HG_INGRESS : HG_EGRESS;
      end[dir] = std::max<uint64_t>(end[dir], s.pos + off + part.size());
    }
  }
  const uint64_t last_ns = t.segs.empty() ? 0 : t.segs.back().us * 1000 + 2'000'000;
  records.push_back(m.Close(last_ns, end[HG_INGRESS], end[HG_EGRESS]));
  std::string out;
  for (const std::string& r : records) {
    Le16(out, r.size());
    out += r;
  }
  return out;
}

// Inference: flags (bit 0 at stream start), split byte, then the bytes (at most 200).
std::string InferenceInput(const std::string& bytes, bool at_start, uint8_t split) {
  std::string out;
  out.push_back(static_cast<char>(at_start ? 1 : 0));
  out.push_back(static_cast<char>(split));
  out += bytes.substr(0, 200);
  return out;
}

// Command lines and environments (config_fuzzer.cc's format), from the README's and Beyla's
// documented usage.
const std::vector<std::pair<std::string, std::vector<std::string>>> kConfigs = {
    {"open-port-flag", {"--open-port", "8080", ""}},
    {"ports-env", {"", "HUGIN_OPEN_PORT=80,443,8000-8999"}},
    {"beyla-ports", {"", "BEYLA_OPEN_PORT=8080", "BEYLA_SERVICE_NAME=shop"}},
    {"bare-beyla", {"", "OPEN_PORT=3000", "EXECUTABLE_NAME=node", "PRINT_TRACES=true"}},
    {"exe-regex", {"--executable-name", "^/usr/bin/(python3|node)$", ""}},
    {"auto-target-glob", {"", "BEYLA_AUTO_TARGET_EXE=*/server{,-v[0-9]}"}},
    {"printer-json",
     {"--trace-printer", "json", "", "HUGIN_EXECUTABLE_NAME=server", "BEYLA_TRACE_PRINTER=text"}},
    {"numbers",
     {"--open-port=9000", "--payload-bytes", "1024", "--ringbuf-bytes", "64M",
      "--discovery-interval-ms", "250", "--prometheus-port", "9400", ""}},
    {"numbers-env",
     {"", "HUGIN_OPEN_PORT=1-65535", "HUGIN_PAYLOAD_BYTES=4096", "HUGIN_RINGBUF_BYTES=1G",
      "HUGIN_DISCOVERY_INTERVAL_MS=10", "HUGIN_PROMETHEUS_PORT=0"}},
    {"trace-all", {"--trace-all", "--service-name", " svc ", ""}},
    {"trace-all-env", {"", "HUGIN_TRACE_ALL=1", "OTEL_SERVICE_NAME=otel"}},
    {"help", {"--help", ""}},
    {"bad-port", {"", "OPEN_PORT=80-", "HUGIN_EXECUTABLE_NAME=x"}},
    {"bad-regex", {"--executable-name", "(unclosed", ""}},
    {"unknown-flag", {"--open-ports", "80", ""}},
    {"flag-wins", {"--open-port", "81", "", "HUGIN_OPEN_PORT=82", "BEYLA_OPEN_PORT=83"}},
};

std::string ConfigInput(const std::vector<std::string>& tokens) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out.push_back('\0');
    out += tokens[i];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds REPO_ROOT\n");
    return 2;
  }
  const fs::path root = argv[1];
  const std::vector<Trace> h1 = LoadTraces(root / "core/protocols/http1/testdata", ".h1trace");
  const std::vector<Trace> h2 = LoadTraces(root / "core/protocols/http2/testdata", ".h2trace");
  if (h1.empty() || h2.empty()) {
    std::fprintf(stderr, "make_seeds: no recorded traffic under %s\n", root.c_str());
    return 1;
  }
  const fs::path http1 = root / "core/protocols/http1/testdata/fuzz/http1_fuzzer";
  const fs::path http2 = root / "core/protocols/http2/testdata/fuzz/http2_fuzzer";
  const fs::path inference = root / "core/protocols/testdata/fuzz/inference_fuzzer";
  const fs::path decode = root / "core/events/testdata/fuzz/decode_fuzzer";
  const fs::path tracker = root / "core/conn/testdata/fuzz/tracker_fuzzer";
  const fs::path config = root / "core/config/testdata/fuzz/config_fuzzer";
  for (const fs::path& d : {http1, http2, inference, decode, tracker, config}) ClearSeeds(d);

  for (const Trace& t : h1) {
    Write(http1, t.name + "-full", ChunkScript(t, 0, 0, 65535));
    Write(http1, t.name + "-head", ChunkScript(t, 1, 0, 65535));
    Write(http1, t.name + "-late", ChunkScript(t, 1, 2, 65535));
    Write(http1, t.name + "-pieces", ChunkScript(t, 0, 0, 7));
  }
  for (const Trace& t : h2) {
    Write(http2, t.name + "-full", ChunkScript(t, 0, 0, 65535));
    Write(http2, t.name + "-late", ChunkScript(t, 0, std::min<size_t>(4, t.segs.size()), 65535));
  }
  for (const std::vector<Trace>* traces : {&h1, &h2}) {
    for (const Trace& t : *traces) {
      bool done[2] = {false, false};
      for (const Segment& s : t.segs) {
        if (s.pos == 0 && !done[s.client]) {
          done[s.client] = true;
          Write(inference, t.name + (s.client ? "-client" : "-server"),
                InferenceInput(s.bytes, true, static_cast<uint8_t>(s.bytes.size() / 2)));
        }
      }
      const Segment& mid = t.segs[t.segs.size() / 2];
      Write(inference, t.name + "-mid", InferenceInput(mid.bytes, false, 9));
    }
  }

  RecordMaker m;
  const Trace& g1 = h1.front();
  const Trace& g2 = h2.front();
  Write(decode, "open-v4", m.Open(1'000'000, false));
  Write(decode, "open-v6-mapped", m.Open(1'000'000, true));
  Write(decode, "close", m.Close(9'000'000, 1234, 5678));
  for (size_t i = 0; i < 4 && i < g1.segs.size(); ++i)
    Write(decode, g1.name + "-data-" + std::to_string(i),
          m.Data(g1.segs[i], g1.segs[i].pos, g1.segs[i].bytes, 512, 0));
  for (size_t i = 0; i < 3 && i < g2.segs.size(); ++i)
    Write(decode, g2.name + "-data-" + std::to_string(i),
          m.Data(g2.segs[i], g2.segs[i].pos, g2.segs[i].bytes, HG_MAX_PAYLOAD, 0));
  Write(decode, "data-tls", m.Data(g1.segs[0], 0, g1.segs[0].bytes, 512, HG_FLAG_TLS));
  Write(decode, "data-short-copy", m.Data(g1.segs[0], 0, g1.segs[0].bytes, 16, HG_FLAG_SHORT_COPY));
  Write(decode, "data-ciphertext", m.Data(g1.segs[0], 0, "\x16\x03\x01\x02\x00", 5, HG_FLAG_CIPHERTEXT));

  for (const Trace& t : h1) {
    Write(tracker, t.name + "-server", TrackerInput(t, false, m, 0));
    RecordMaker client = m;
    client.role = HG_ROLE_CLIENT;
    Write(tracker, t.name + "-client", TrackerInput(t, false, client, 0));
    RecordMaker unknown = m;
    unknown.role = HG_ROLE_UNKNOWN;
    Write(tracker, t.name + "-late", TrackerInput(t, false, unknown, 2));
  }
  for (const Trace& t : h2) Write(tracker, t.name + "-server", TrackerInput(t, true, m, 0));

  for (const auto& [name, tokens] : kConfigs) Write(config, name, ConfigInput(tokens));
  std::printf("make_seeds: corpora written under %s\n", root.c_str());
  return 0;
}
