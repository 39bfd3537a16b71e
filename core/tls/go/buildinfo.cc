#include "core/tls/go/buildinfo.h"

#include <cstring>
#include <string_view>

namespace hugin::gotls {
namespace {

// Layout (cmd/link, runtime/debug): a 32-byte header
//   [0:14) magic "\xff Go buildinf:", [14] pointer size, [15] flags,
// flags bit 0: big-endian pointers (never on amd64), bit 1: strings are inline after the header.
// Inline (Go >= 1.18): a uvarint length then the version bytes, then the module info likewise.
// Pointer format (Go < 1.18): at [16] a pointer to the version's Go string header {data, len},
// at [16 + ptrsize] one to the module info's.
constexpr std::string_view kMagic("\xff Go buildinf:", 14);
constexpr size_t kHeaderSize = 32;
constexpr uint8_t kFlagBigEndian = 0x1;
constexpr uint8_t kFlagInline = 0x2;
constexpr uint64_t kMaxVersionLen = 256;  // a sanity bound against corrupt lengths

std::optional<uint64_t> ReadUvarint(Bytes b, uint64_t* off) {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    auto byte = ReadAt<uint8_t>(b, *off);
    if (!byte) return std::nullopt;
    ++*off;
    v |= static_cast<uint64_t>(*byte & 0x7f) << shift;
    if ((*byte & 0x80) == 0) return v;
  }
  return std::nullopt;
}

// The build info blob: the .go.buildinfo section, or (sections stripped by other tools) the
// first 16-byte-aligned magic in the file, which is where the linker puts it.
std::optional<Bytes> FindBuildInfo(const ElfFile& elf) {
  if (const ElfSection* s = elf.FindSection(".go.buildinfo")) return elf.SectionBytes(*s);
  Bytes b = elf.bytes();
  for (uint64_t off = 0; off + kMagic.size() <= b.size(); off += 16)
    if (std::memcmp(b.data() + off, kMagic.data(), kMagic.size()) == 0) return b.subspan(off);
  return std::nullopt;
}

}  // namespace

Result<std::string> ReadGoVersion(const ElfFile& elf) {
  auto info = FindBuildInfo(elf);
  if (!info) return Error{"no Go build information (.go.buildinfo)"};
  Bytes b = *info;
  if (b.size() < kHeaderSize || std::memcmp(b.data(), kMagic.data(), kMagic.size()) != 0)
    return Error{"Go build information has no magic"};
  const uint8_t ptr_size = b[14];
  const uint8_t flags = b[15];

  if (flags & kFlagInline) {
    uint64_t off = kHeaderSize;
    auto len = ReadUvarint(b, &off);
    if (!len || *len == 0 || *len > kMaxVersionLen) return Error{"corrupt Go build information"};
    auto s = SubSpan(b, off, *len);
    if (!s) return Error{"corrupt Go build information"};
    return std::string(reinterpret_cast<const char*>(s->data()), s->size());
  }

  if (flags & kFlagBigEndian) return Error{"big-endian Go build information"};
  if (ptr_size != 4 && ptr_size != 8) return Error{"corrupt Go build information: pointer size"};
  auto str_hdr_addr = ReadUint(b, 16, ptr_size);
  if (!str_hdr_addr) return Error{"corrupt Go build information"};
  auto hdr = elf.BytesAtVaddr(*str_hdr_addr, 2ull * ptr_size);
  if (!hdr) return Error{"Go build information points outside the file"};
  auto data = ReadUint(*hdr, 0, ptr_size);
  auto len = ReadUint(*hdr, ptr_size, ptr_size);
  if (!data || !len || *len == 0 || *len > kMaxVersionLen)
    return Error{"corrupt Go build information"};
  auto s = elf.BytesAtVaddr(*data, *len);
  if (!s) return Error{"Go build information points outside the file"};
  return std::string(reinterpret_cast<const char*>(s->data()), s->size());
}

bool ParseGoVersion(const std::string& version, int* major, int* minor) {
  size_t p = version.find("go1.");
  if (p == std::string::npos) return false;
  size_t i = p + 4;
  if (i >= version.size() || version[i] < '0' || version[i] > '9') return false;
  int m = 0;
  for (; i < version.size() && version[i] >= '0' && version[i] <= '9' && m < 100000; ++i)
    m = m * 10 + (version[i] - '0');
  *major = 1;
  *minor = m;
  return true;
}

}  // namespace hugin::gotls
