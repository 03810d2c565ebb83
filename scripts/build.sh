#!/usr/bin/env bash
# Configures and builds jirasync into build/ (or $BUILD_DIR) with -j2.
#   scripts/build.sh [--sanitize] [cmake target...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
build_dir=${BUILD_DIR:-$root/build}
sanitize=OFF
if [ "${1:-}" = "--sanitize" ]; then
  sanitize=ON; shift
  build_dir=${BUILD_DIR:-$root/build-sanitize}
fi
jobs=${JOBS:-2}
# The sanitized build is for the tests: no benchmarks there.
bench=ON
[ "$sanitize" = ON ] && bench=OFF
cmake -S "$root" -B "$build_dir" -DJIRASYNC_SANITIZE=$sanitize \
  -DJIRASYNC_BENCH=${JIRASYNC_BENCH:-$bench} >/dev/null
if [ $# -gt 0 ]; then
  cmake --build "$build_dir" -j"$jobs" --target "$@"
else
  cmake --build "$build_dir" -j"$jobs"
fi
