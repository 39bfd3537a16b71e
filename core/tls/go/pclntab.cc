#include "core/tls/go/pclntab.h"

#include <string_view>

namespace hugin::gotls {
namespace {

constexpr uint32_t kMagic116 = 0xfffffffa;
constexpr uint32_t kMagic118 = 0xfffffff0;
constexpr uint32_t kMagic120 = 0xfffffff1;  // same layout as 1.18 for what we read

// The header (runtime.pcHeader): magic u32, two zero bytes, min instruction size, pointer
// size, then pointer-sized words. Go 1.18 inserted textStart after nfunc and nfiles; later
// offsets are relative to the start of the pclntab.
struct Header {
  unsigned ptr = 0;
  bool relative_entries = false;  // 1.18+: functab holds u32 offsets from textStart
  uint64_t nfunc = 0, text_start = 0, funcname_off = 0, functab_off = 0;
};

std::optional<Header> ReadHeader(Bytes t) {
  auto magic = ReadAt<uint32_t>(t, 0);
  auto pad0 = ReadAt<uint8_t>(t, 4), pad1 = ReadAt<uint8_t>(t, 5), ptr = ReadAt<uint8_t>(t, 7);
  if (!magic || !pad0 || !pad1 || !ptr || *pad0 != 0 || *pad1 != 0 || (*ptr != 4 && *ptr != 8))
    return std::nullopt;
  Header h;
  h.ptr = *ptr;
  auto word = [&](unsigned i) { return ReadUint(t, 8 + uint64_t{i} * h.ptr, h.ptr); };
  std::optional<uint64_t> nfunc = word(0), text, names, functab;
  if (*magic == kMagic118 || *magic == kMagic120) {
    h.relative_entries = true;
    text = word(2);
    names = word(3);
    functab = word(7);
  } else if (*magic == kMagic116) {
    text = 0;
    names = word(2);
    functab = word(6);
  } else {
    return std::nullopt;
  }
  if (!nfunc || !text || !names || !functab) return std::nullopt;
  h.nfunc = *nfunc;
  h.text_start = *text;
  h.funcname_off = *names;
  h.functab_off = *functab;
  return h;
}

// runtime.text, from the module data (runtime.firstmoduledata) when the pclntab header has no
// textStart (Go 1.26 writes 0 there). The module data starts with a pointer to the pclntab and
// the funcnametab slice; `text` is its 23rd word (Go 1.18 and later). We find it by looking for
// that pointer pair in the data sections where the linker puts it.
std::optional<uint64_t> TextFromModuledata(const ElfFile& elf, uint64_t pcln_vaddr,
                                           uint64_t funcnametab_vaddr, unsigned ptr) {
  constexpr unsigned kTextWord = 22, kMinpcWord = 20;
  for (const char* name : {".go.module", ".noptrdata", ".data"}) {
    const ElfSection* s = elf.FindSection(name);
    if (s == nullptr) continue;
    auto b = elf.SectionBytes(*s);
    if (!b) continue;
    for (uint64_t off = 0; off + 2 * ptr <= b->size(); off += ptr) {
      if (ReadUint(*b, off, ptr) != pcln_vaddr || ReadUint(*b, off + ptr, ptr) != funcnametab_vaddr)
        continue;
      auto text = ReadUint(*b, off + kTextWord * ptr, ptr);
      auto minpc = ReadUint(*b, off + kMinpcWord * ptr, ptr);
      if (text && minpc && *text != 0 && *text <= *minpc) return text;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::unordered_map<std::string, PclnFunction>> FindPclnFunctions(
    const ElfFile& elf, const std::set<std::string>& names) {
  const ElfSection* sec = elf.FindSection(".gopclntab");
  if (sec == nullptr) return Error{"no .gopclntab section"};
  auto tab = elf.SectionBytes(*sec);
  if (!tab) return Error{".gopclntab is outside the file"};
  auto h = ReadHeader(*tab);
  if (!h) return Error{".gopclntab has an unknown or corrupt header"};
  if (h->functab_off > tab->size() || h->funcname_off > tab->size())
    return Error{".gopclntab is corrupt: tables outside the section"};
  const Bytes functab = tab->subspan(h->functab_off);
  const Bytes funcnames = tab->subspan(h->funcname_off);

  // textStart is the address of runtime.text. When the header leaves it 0, the module data
  // has it; the start of .text is only a last resort: with external linking (cgo) the C
  // start-up code comes first and runtime.text is further in.
  uint64_t text_start = h->text_start;
  if (h->relative_entries && text_start == 0) {
    if (auto t = TextFromModuledata(elf, sec->addr, sec->addr + h->funcname_off, h->ptr))
      text_start = *t;
    else if (const ElfSection* text = elf.FindSection(".text"))
      text_start = text->addr;
  }

  // functab: nfunc (entry, funcoff) pairs and then the end address of the last function.
  // 1.18+: u32 pairs, entry relative to textStart; 1.16: pointer-sized pairs, absolute.
  const uint64_t field = h->relative_entries ? 4 : h->ptr;
  if (h->nfunc > functab.size() / (2 * field)) return Error{".gopclntab is corrupt: nfunc"};
  auto entry_at = [&](uint64_t i) -> std::optional<uint64_t> {
    auto e = ReadUint(functab, i * 2 * field, field);
    if (!e) return std::nullopt;
    return h->relative_entries ? text_start + *e : *e;
  };

  std::unordered_map<std::string, PclnFunction> out;
  for (uint64_t i = 0; i < h->nfunc && out.size() < names.size(); ++i) {
    auto funcoff = ReadUint(functab, i * 2 * field + field, field);
    if (!funcoff) return Error{".gopclntab is corrupt: functab"};
    // runtime._func starts with the entry (u32 offset or pointer) and then nameOff (int32),
    // an offset into the function name table.
    auto name_off = ReadAt<int32_t>(functab, *funcoff + field);
    if (!name_off || *name_off < 0) continue;
    auto name = CStringAt(funcnames, static_cast<uint64_t>(*name_off));
    if (!name || names.count(std::string(*name)) == 0) continue;
    auto entry = entry_at(i), end = entry_at(i + 1);
    if (!entry || !end || *end <= *entry) return Error{".gopclntab is corrupt: function range"};
    out.emplace(std::string(*name), PclnFunction{*entry, *end});
  }
  return out;
}

}  // namespace hugin::gotls
