#!/usr/bin/env bash
# Fails when a Catch2 test name holds a ';': catch_discover_tests would cut it
# into two CTest entries that select no test case and pass without running.
#   check_test_names.sh TEST_BINARY...
set -euo pipefail
bad=0
for bin in "$@"; do
  # Catch2 v2 exits with the number of tests listed: judge the output.
  names=$("$bin" --list-test-names-only) || true
  if [ -z "$names" ]; then
    echo "$(basename "$bin"): listed no test names" >&2
    bad=1
  fi
  if grep -n ';' <<<"$names" >/dev/null; then
    grep ';' <<<"$names" | sed "s|^|$(basename "$bin"): name with ';': |" >&2
    bad=1
  fi
done
[ "$bad" = 0 ] && echo "test names: $# binaries, no ';' in any test name"
exit "$bad"
