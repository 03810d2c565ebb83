#!/usr/bin/env bash
# Memory benchmark (not a test): syncs jira-sim workspaces of growing size
# and prints wall time, requests and the peak RSS of `jirasync sync`
# (VmHWM from /proc/<pid>/status, sampled until the process exits). Peak RSS
# must stay flat as the workspace grows.
#   bench/sync_memory.sh [ISSUES...]     (default: 10000 100000)
# Needs build/app/jirasync and build/sim/jira-sim (scripts/build.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
jirasync=$build_dir/app/jirasync
sim=${JIRA_SIM:-$build_dir/sim/jira-sim}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
work=$(mktemp -d /tmp/jirasync-bench-XXXXXX)
sim_pid=
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

printf '%-10s %-10s %-10s %-12s %-10s\n' issues result seconds requests peak_rss_mb
for n in "${sizes[@]}"; do
  # No hourly quota: a 100k-issue sync needs more than the sim's default
  # 500k points/hour, and the governor would (correctly) pause until the
  # reset; this benchmark measures memory, not quota waits.
  coproc SIM { exec "$sim" --seed 5 --issues "$n" --projects 10 --quota-points 0 --port 0; }
  sim_pid=$SIM_PID
  read -r ready <&"${SIM[0]}"
  base=$(sed -E 's/.*"base_url":"([^"]*)".*/\1/' <<<"$ready")
  ca=$(sed -E 's/.*"ca_file":"([^"]*)".*/\1/' <<<"$ready")
  email=$(sed -E 's/.*"email":"([^"]*)".*/\1/' <<<"$ready")
  export JIRASYNC_BENCH_TOKEN=$(sed -E 's/.*"api_token":"([^"]*)".*/\1/' <<<"$ready")
  rm -rf "$work/store"
  cat >"$work/cfg.toml" <<TOML
[jira]
site = "$base"
email = "$email"
api_token_env = "JIRASYNC_BENCH_TOKEN"
ca_file = "$ca"
[storage]
path = "$work/store"
TOML
  start=$(date +%s.%N)
  "$jirasync" sync --config "$work/cfg.toml" >"$work/out.txt" 2>"$work/err.txt" &
  pid=$!
  peak=0
  while kill -0 "$pid" 2>/dev/null; do
    hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || true)
    [ -n "$hwm" ] && [ "$hwm" -gt "$peak" ] && peak=$hwm
    sleep 0.1
  done
  rc=0; wait "$pid" || rc=$?
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')
  requests=$(sed -nE 's/.*requests ([0-9]+).*/\1/p' "$work/out.txt" | head -1)
  printf '%-10s %-10s %-10s %-12s %-10s\n' "$n" "rc=$rc" "$secs" "${requests:-?}" \
    "$(awk -v k="$peak" 'BEGIN {printf "%.1f", k / 1024}')"
  [ "$rc" -eq 0 ] || { cat "$work/out.txt" "$work/err.txt" >&2; }
  kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null || true
  sim_pid=
done
