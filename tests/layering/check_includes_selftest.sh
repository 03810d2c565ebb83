#!/usr/bin/env bash
# Shows that check_includes.sh catches forbidden includes: on a copy of the
# tree, each injected include below must make it fail and be named.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
checker="$root/tests/layering/check_includes.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One copy of the product's sources; each injection edits one file and puts
# it back afterwards.
mkdir -p "$tmp/tree"
(cd "$root" && cp -r common config storage protocol extract sync actors service app sim "$tmp/tree/")

inject() { # DIR/FILE HEADER
  cp "$tmp/tree/$1" "$tmp/orig"
  printf '#include "%s"\n' "$2" >> "$tmp/tree/$1"
  if out=$("$checker" "$tmp/tree" 2>&1); then
    echo "FAIL: $1 including $2 was not caught"
    exit 1
  fi
  if ! grep -q "^$1:[0-9]*: includes \"$2\"" <<<"$out"; then
    echo "FAIL: $1 including $2: not named in the output:"
    echo "$out"
    exit 1
  fi
  cp "$tmp/orig" "$tmp/tree/$1"
  echo "caught: $1 -> $2"
}

"$checker" "$root" # the real tree is clean
inject protocol/jira/jira_models.hpp storage/records.hpp # wire -> store
inject protocol/http/http_client.hpp protocol/jira/jira_api.hpp
inject sync/governor.hpp actors/messages.hpp                # upward
inject storage/store.hpp config/config.hpp                  # sibling
inject common/sha256.hpp protocol/http/http_client.hpp
inject sim/workspace.hpp protocol/jira/jira_models.hpp      # sim stays apart
inject extract/text_sink.hpp storage/records.hpp            # extract: common only
inject common/error.hpp extract/text_status.hpp             # nor used below
inject storage/store.hpp extract/runner.hpp
inject actors/sync_run.hpp service/scheduler.hpp            # service sits above actors
inject service/metrics.hpp app/commands.hpp                 # and below app
inject app/cmd_demo.cpp sim/workspace.hpp                  # only the launcher
echo "layering self-test: every forbidden include was caught"
