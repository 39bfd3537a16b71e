#!/usr/bin/env bash
# Proves the sanitizer this build was made with (bazel test --config=asan|tsan) is really active:
# planted_faults, built under the same flags as the agent, must be caught and must fail. Without
# a sanitizer config it checks that no sanitizer runtime leaked into the ordinary build.
# Usage: catches_test.sh PLANTED_FAULTS asan|tsan|none
set -uo pipefail
bin=${1:?usage: catches_test.sh PLANTED_FAULTS MODE}
mode=${2:?usage: catches_test.sh PLANTED_FAULTS MODE}
failures=0

# expect_caught FAULT PATTERN: the run must exit non-zero with PATTERN on stderr.
expect_caught() {
  local err status
  err=$("$bin" "$1" 2>&1 >/dev/null)
  status=$?
  if [[ $status == 0 ]] || ! grep -qE "$2" <<<"$err"; then
    echo "FAIL: $1 was not caught (exit $status, no /$2/); stderr:"
    head -20 <<<"$err"
    failures=$((failures + 1))
  else
    echo "ok: $1 caught: $(grep -m1 -E "$2" <<<"$err")"
  fi
}

case $mode in
  asan)
    export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
    expect_caught heap-overflow 'ERROR: AddressSanitizer: heap-buffer-overflow'
    expect_caught signed-overflow 'runtime error: signed integer overflow'
    ;;
  tsan)
    export TSAN_OPTIONS=halt_on_error=1
    expect_caught race 'WARNING: ThreadSanitizer: data race'
    ;;
  none)
    if ldd "$bin" | grep -E 'lib(a|ub|t|l)san'; then
      echo "FAIL: the default build links a sanitizer runtime"
      failures=$((failures + 1))
    else
      echo "ok: no sanitizer runtime in the default build"
    fi
    ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
exit $((failures > 0))
