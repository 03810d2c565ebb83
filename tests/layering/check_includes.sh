#!/usr/bin/env bash
# Checks the dependency direction of the product tree:
#   app -> service -> actors -> sync -> (protocol, storage, config) -> common
# service/ (`jirasync serve`: schedule, admin HTTP, signals, systemd) sits
# between app and actors: app may use it, nothing below may.
# extract/ (attachment text from untrusted files) uses common only; sync,
# actors and app may use it.
# protocol/ is three layers of its own: jira may use http; http and adf
# stand alone. sim/ is an independent server: common/ and the TLS
# certificate maker only (never protocol/jira, or a misreading of Jira shared
# by both would pass its own tests).
#   check_includes.sh [ROOT]   exit 0 when clean, 1 with one line per
#                              forbidden include (FILE:LINE: ...)
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"

# The layers a folder may include from (besides its own).
allowed() {
  case "$1" in
    common) echo "" ;;
    config | storage | protocol/http | protocol/adf | extract) echo "common" ;;
    protocol/jira) echo "common protocol/http" ;;
    sync) echo "common config storage protocol/http protocol/adf protocol/jira extract" ;;
    actors) echo "common config storage protocol/http protocol/adf protocol/jira extract sync" ;;
    service) echo "common config storage protocol/http protocol/adf protocol/jira extract sync actors" ;;
    app) echo "common config storage protocol/http protocol/adf protocol/jira extract sync actors service" ;;
    sim) echo "common" ;;
  esac
}
# Single headers a folder may use from a layer it otherwise must not know.
allowed_header() {
  { [ "$1" = sim ] && [ "$2" = protocol/http/tls_certgen.hpp ]; } ||
    { [ "$1" = app ] && [ "$2" = sim/launcher.hpp ]; } # `demo` starts a sim
}

layer_of_path() { # a header path "x/y/z.hpp" -> its layer, in $target
  case "$1" in
    protocol/*/*) target=${1%/*} ;;
    */*) target=${1%%/*} ;;
    *) target="" ;;
  esac
}

bad=0
checked=0
for dir in common config storage protocol/http protocol/adf protocol/jira \
           extract sync actors service app sim; do
  [ -d "$dir" ] || continue
  ok=" $dir $(allowed "$dir") "
  mapfile -d '' files < <(find "$dir" -maxdepth 1 -type f \( -name '*.cpp' -o -name '*.hpp' \) -print0)
  [ "${#files[@]}" -gt 0 ] || continue
  checked=$((checked + ${#files[@]}))
  # One grep per folder: "FILE:LINE:#include "x/y.hpp"" for every quoted include.
  while IFS= read -r hit; do
    [[ $hit =~ ^([^:]+):([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]] || continue
    file=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]} header=${BASH_REMATCH[3]}
    layer_of_path "$header"
    [ -n "$target" ] || continue # same-folder include ("x.hpp")
    case "$target" in
      common|config|storage|extract|sync|actors|service|app|sim|protocol/http|protocol/adf|protocol/jira) ;;
      protocol) ;; # a header directly in protocol/ (none today)
      *) continue ;; # not one of ours (e.g. "caf/...", "boost/...")
    esac
    [[ $ok == *" $target "* ]] && continue
    allowed_header "$dir" "$header" && continue
    echo "$file:$n: includes \"$header\": $dir/ must not depend on $target/" \
         "(allowed: ${ok# $dir })"
    bad=$((bad + 1))
  done < <(grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "${files[@]}" || true)
done
if [ "$bad" -gt 0 ]; then
  echo "layering: $bad forbidden include(s) in $checked files" >&2
  exit 1
fi
echo "layering: $checked files, every include points down the layers"
