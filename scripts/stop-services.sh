#!/usr/bin/env bash
# Stops what start-services.sh started: SIGTERM (graceful), then SIGKILL after 10 s.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${LOCKBOX_RUN_DIR:-$ROOT/run}"
shopt -s nullglob
pidfiles=("$RUN_DIR"/*.pid)
if (( ${#pidfiles[@]} == 0 )); then
  echo "nothing to stop"
  exit 0
fi
for f in "${pidfiles[@]}"; do
  pid=$(cat "$f")
  name=$(basename "$f" .pid)
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; echo "  $name killed"; else echo "  $name stopped"; fi
  fi
  rm -f "$f"
done
