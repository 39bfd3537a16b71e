#include "core/tls/go/ret_scan.h"

#include <capstone/capstone.h>

#include <string>

namespace hugin::gotls {

Result<std::vector<uint64_t>> FindRetOffsets(Bytes code) {
  csh handle = 0;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK)
    return Error{"cannot initialise the Capstone disassembler"};
  // Details are off (the default): the instruction id is all we need, and it is faster.
  cs_insn* insn = cs_malloc(handle);
  if (insn == nullptr) {
    cs_close(&handle);
    return Error{"cannot allocate a Capstone instruction"};
  }
  std::vector<uint64_t> rets;
  const uint8_t* p = code.data();
  size_t left = code.size();
  uint64_t addr = 0;  // Capstone's "address" = our offset from the start of the function
  while (left > 0 && cs_disasm_iter(handle, &p, &left, &addr, insn)) {
    if (insn->id == X86_INS_RET) rets.push_back(insn->address);
  }
  const bool complete = left == 0;
  const uint64_t stuck_at = addr;
  cs_free(insn, 1);
  cs_close(&handle);
  if (!complete)
    return Error{"cannot decode the instruction at function offset " + std::to_string(stuck_at)};
  return rets;
}

}  // namespace hugin::gotls
