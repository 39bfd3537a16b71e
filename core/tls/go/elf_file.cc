#include "core/tls/go/elf_file.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hugin::gotls {

// The mapping is private and read-only. Executables of running processes cannot be written
// (ETXTBSY), so the file does not shrink under us while we read it.
struct ElfFile::Mapping {
  void* addr = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (addr != nullptr) munmap(addr, size);
  }
};

namespace {

Error Fail(const std::string& path, const std::string& why) { return Error{path + ": " + why}; }

}  // namespace

Result<ElfFile> ElfFile::Open(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Fail(path, "not a regular file");
  }
  auto map = std::make_shared<Mapping>();
  if (st.st_size > 0) {
    void* a = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (a == MAP_FAILED) {
      close(fd);
      return Fail(path, std::string("cannot map: ") + std::strerror(errno));
    }
    map->addr = a;
    map->size = static_cast<size_t>(st.st_size);
  }
  close(fd);

  ElfFile f;
  f.map_ = map;
  f.bytes_ = Bytes(static_cast<const uint8_t*>(map->addr), map->size);
  const Bytes b = f.bytes_;

  auto eh = ReadAt<Elf64_Ehdr>(b, 0);
  if (!eh || std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) return Fail(path, "not an ELF file");
  if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
    return Fail(path, "not a 64-bit little-endian ELF file");
  f.machine_ = eh->e_machine;

  // Program headers: the PT_LOAD segments map virtual addresses to file offsets.
  if (eh->e_phnum > 0 && eh->e_phentsize != sizeof(Elf64_Phdr))
    return Fail(path, "corrupt ELF: bad program header size");
  for (uint64_t i = 0; i < eh->e_phnum; ++i) {
    auto ph = ReadAt<Elf64_Phdr>(b, eh->e_phoff + i * sizeof(Elf64_Phdr));
    if (!ph) return Fail(path, "corrupt ELF: program headers outside the file");
    if (ph->p_type != PT_LOAD) continue;
    if (ph->p_offset > b.size() || ph->p_filesz > b.size() - ph->p_offset)
      return Fail(path, "corrupt ELF: PT_LOAD segment outside the file");
    f.loads_.push_back({ph->p_vaddr, ph->p_offset, ph->p_filesz});
  }

  // Section headers, named through the section-name string table.
  if (eh->e_shnum > 0 && eh->e_shentsize != sizeof(Elf64_Shdr))
    return Fail(path, "corrupt ELF: bad section header size");
  std::vector<Elf64_Shdr> raw;
  for (uint64_t i = 0; i < eh->e_shnum; ++i) {
    auto sh = ReadAt<Elf64_Shdr>(b, eh->e_shoff + i * sizeof(Elf64_Shdr));
    if (!sh) return Fail(path, "corrupt ELF: section headers outside the file");
    raw.push_back(*sh);
  }
  std::optional<Bytes> shstr;
  if (eh->e_shstrndx < raw.size() && raw[eh->e_shstrndx].sh_type != SHT_NOBITS)
    shstr = SubSpan(b, raw[eh->e_shstrndx].sh_offset, raw[eh->e_shstrndx].sh_size);
  for (const Elf64_Shdr& sh : raw) {
    ElfSection s;
    if (shstr) {
      if (auto n = CStringAt(*shstr, sh.sh_name)) s.name = std::string(*n);
    }
    s.type = sh.sh_type;
    s.flags = sh.sh_flags;
    s.addr = sh.sh_addr;
    s.offset = sh.sh_offset;
    s.size = sh.sh_size;
    s.entsize = sh.sh_entsize;
    s.link = sh.sh_link;
    f.sections_.push_back(std::move(s));
  }
  return f;
}

const ElfSection* ElfFile::FindSection(std::string_view name) const {
  for (const ElfSection& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

std::optional<Bytes> ElfFile::SectionBytes(const ElfSection& s) const {
  if (s.type == SHT_NOBITS) return std::nullopt;
  return SubSpan(bytes_, s.offset, s.size);
}

std::optional<uint64_t> ElfFile::VaddrToFileOffset(uint64_t vaddr) const {
  for (const Load& l : loads_)
    if (vaddr >= l.vaddr && vaddr - l.vaddr < l.filesz) return l.offset + (vaddr - l.vaddr);
  return std::nullopt;
}

std::optional<Bytes> ElfFile::BytesAtVaddr(uint64_t vaddr, uint64_t len) const {
  for (const Load& l : loads_) {
    if (vaddr < l.vaddr || vaddr - l.vaddr >= l.filesz) continue;
    uint64_t rel = vaddr - l.vaddr;
    if (l.filesz - rel < len) return std::nullopt;
    return SubSpan(bytes_, l.offset + rel, len);
  }
  return std::nullopt;
}

std::unordered_map<std::string, ElfSymbol> ElfFile::FindSymbols(
    const std::set<std::string>& names) const {
  std::unordered_map<std::string, ElfSymbol> out;
  const ElfSection* symtab = FindSection(".symtab");
  if (symtab == nullptr || symtab->link >= sections_.size()) return out;
  auto syms = SectionBytes(*symtab);
  auto strs = SectionBytes(sections_[symtab->link]);
  if (!syms || !strs) return out;
  for (uint64_t off = 0; off + sizeof(Elf64_Sym) <= syms->size(); off += sizeof(Elf64_Sym)) {
    auto sym = ReadAt<Elf64_Sym>(*syms, off);
    auto name = CStringAt(*strs, sym->st_name);
    if (!name || name->empty()) continue;
    std::string n(*name);
    if (names.count(n) != 0 && out.count(n) == 0) out[n] = ElfSymbol{sym->st_value, sym->st_size};
  }
  return out;
}

}  // namespace hugin::gotls
