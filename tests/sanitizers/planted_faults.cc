// Deliberately faulty on request, to prove a sanitizer build really checks (catches_test.sh):
//   planted_faults heap-overflow | signed-overflow | race
// Test-only; nothing links it.
#include <cstdio>
#include <cstring>
#include <thread>

namespace {

int HeapOverflow(int n) {
  int* a = new int[n];
  for (int i = 0; i < n; i++) a[i] = i;
  int past_end = a[n];  // one element beyond the allocation
  delete[] a;
  return past_end;
}

int SignedOverflow(int n) {
  int x = 2147483647 - n + 1;  // INT_MAX when n == 1
  return x + n;                 // overflows
}

int Race() {
  int shared = 0;  // written by two threads with no synchronisation
  std::thread t([&shared] {
    for (int i = 0; i < 1000; i++) shared++;
  });
  for (int i = 0; i < 1000; i++) shared++;
  t.join();
  return shared;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: planted_faults heap-overflow|signed-overflow|race\n");
    return 2;
  }
  // argc - 1 == 1, opaque to the optimiser.
  int v;
  if (std::strcmp(argv[1], "heap-overflow") == 0) v = HeapOverflow(argc + 2);
  else if (std::strcmp(argv[1], "signed-overflow") == 0) v = SignedOverflow(argc - 1);
  else if (std::strcmp(argv[1], "race") == 0) v = Race();
  else return 2;
  std::printf("%d\n", v);
  return 0;
}
