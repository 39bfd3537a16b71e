// FUZZ_CHECK: a property a fuzz target asserts on what the code under test returned. A failed
// check aborts with its text, so libFuzzer records the input as a crash and the replay test
// (tests/fuzz/replay_main.cc) fails on it. Unlike assert(), it is never compiled out.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
