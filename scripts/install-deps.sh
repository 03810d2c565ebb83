#!/usr/bin/env bash
# Installs every Debian 12 package jirasync needs to build, test and run
# (python3: the benchmark harness bench/run, standard library only).
# Idempotent: does nothing when all are present. Needs root (or sudo).
# Note: the Boost 1.81 -dev packages conflict with the unversioned (1.74)
# libboost-*-dev ones; apt removes those if present.
set -euo pipefail
packages=(
  build-essential cmake pkg-config ccache git ca-certificates openssl
  libcaf-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libssl-dev zlib1g-dev librocksdb-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev libsystemd-dev
  libhowardhinnant-date-dev tzdata
  libpoppler-cpp-dev libzip-dev libexpat1-dev libxml2-dev
  catch2 libcmark-gfm-dev libcmark-gfm-extensions-dev
  python3
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
