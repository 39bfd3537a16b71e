// A read-only view of an ELF64 little-endian file: section headers, PT_LOAD segments, .symtab.
// Only what the Go analysis needs; every access is bounds-checked (see bytes.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/result.h"
#include "core/tls/go/bytes.h"

namespace hugin::gotls {

struct ElfSection {
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0, addr = 0, offset = 0, size = 0, entsize = 0;
  uint32_t link = 0;
};

struct ElfSymbol {
  uint64_t value = 0;  // virtual address
  uint64_t size = 0;
};

class ElfFile {
 public:
  // Maps the file read-only and parses its headers. Mapping (not reading) keeps the cheap
  // IsGoBinary check cheap: only the pages holding the headers are touched.
  static Result<ElfFile> Open(const std::string& path);

  uint16_t machine() const { return machine_; }
  Bytes bytes() const { return bytes_; }
  const std::vector<ElfSection>& sections() const { return sections_; }
  const ElfSection* FindSection(std::string_view name) const;
  // The section's bytes in the file; nullopt for SHT_NOBITS or a section outside the file.
  std::optional<Bytes> SectionBytes(const ElfSection& s) const;

  // Virtual address -> file offset through the PT_LOAD program headers (the file-backed part).
  std::optional<uint64_t> VaddrToFileOffset(uint64_t vaddr) const;
  // `len` bytes of the file that are mapped at `vaddr`, if all of them are file-backed.
  std::optional<Bytes> BytesAtVaddr(uint64_t vaddr, uint64_t len) const;

  bool HasSymtab() const { return FindSection(".symtab") != nullptr; }
  // The .symtab entries whose names are in `names` (first one wins on duplicates).
  std::unordered_map<std::string, ElfSymbol> FindSymbols(const std::set<std::string>& names) const;

 private:
  struct Mapping;
  struct Load {
    uint64_t vaddr, offset, filesz;
  };
  std::shared_ptr<Mapping> map_;  // keeps the bytes alive; ElfFile is cheap to copy/move
  Bytes bytes_;
  uint16_t machine_ = 0;
  std::vector<ElfSection> sections_;
  std::vector<Load> loads_;
};

}  // namespace hugin::gotls
