#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit and
# integration tests, against a real jira-sim over TLS and a real RocksDB).
#   scripts/test.sh [--sanitize]   (ASan+UBSan build in build-sanitize/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" "$@"
build_dir=${BUILD_DIR:-$root/build}
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=${BUILD_DIR:-$root/build-sanitize}
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
cd "$build_dir"
ctest --output-on-failure -j"${JOBS:-2}"
