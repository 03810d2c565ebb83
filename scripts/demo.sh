#!/usr/bin/env bash
# Builds jirasync and jira-sim (scripts/build.sh), then runs `jirasync demo`:
# a simulated Jira site synced into ./jirasync-demo.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
BUILD_DIR=$build_dir "$root/scripts/build.sh" jirasync jira-sim
exec "$build_dir/app/jirasync" demo "$@"
