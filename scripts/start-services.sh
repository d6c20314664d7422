#!/usr/bin/env bash
# Starts every LockBox service and the gateway in the background (the original
# workflow: pid files under run/, logs under logs/), then waits until the
# gateway reports every service healthy.
#
#   scripts/start-services.sh [--scale SERVICE=N ...]
#
# --scale runs N instances of a service (ports 8001, 8011, 8021, ... for auth;
# likewise for messages and realtime) behind the gateway. More than one
# instance of a service with a database needs DATABASE_URL (PGlite is one
# process per data directory); realtime fans out over REDIS_URL.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export LOCKBOX_ROOT="$ROOT"
export LOCKBOX_DATA_DIR="${LOCKBOX_DATA_DIR:-$ROOT/data}"
export LOCKBOX_LOG_DIR="${LOCKBOX_LOG_DIR:-$ROOT/logs}"
RUN_DIR="${LOCKBOX_RUN_DIR:-$ROOT/run}"
GATEWAY_PORT="${PORT:-8000}"
mkdir -p "$LOCKBOX_DATA_DIR" "$LOCKBOX_LOG_DIR" "$RUN_DIR"
# The services write their own log files; stdout would only repeat them.
export LOCKBOX_LOG_STDOUT="${LOCKBOX_LOG_STDOUT:-0}"

declare -A ENTRY=([auth]=packages/auth-service/src/main.ts [messages]=packages/message-service/src/main.ts [realtime]=packages/realtime-service/src/main.ts)
declare -A BASE_PORT=([auth]=8001 [messages]=8002 [realtime]=8003)
declare -A SCALE=([auth]=1 [messages]=1 [realtime]=1)

while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale)
      [[ $# -ge 2 && "$2" =~ ^(auth|messages|realtime)=([1-9])$ ]] || { echo "usage: --scale auth|messages|realtime=N (1-9)" >&2; exit 2; }
      SCALE[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
      shift 2 ;;
    --scale=*)
      set -- --scale "${1#--scale=}" "${@:2}" ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

is_running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_process() { # name entry port [VAR=value ...]
  local name="$1" entry="$2" port="$3"; shift 3
  local pidfile="$RUN_DIR/$name.pid"
  if is_running "$pidfile"; then
    echo "  $name already running (pid $(cat "$pidfile"))"
    return
  fi
  env "$@" PORT="$port" LOCKBOX_INSTANCE="$name" \
    nohup node --import tsx "$entry" >>"$LOCKBOX_LOG_DIR/$name.stdout.log" 2>&1 &
  echo $! >"$pidfile"
  echo "  $name on :$port (pid $!)"
}

declare -A UPSTREAMS=()
declare -a PLAN=()   # "name entry port" for every service instance
echo "starting LockBox (data: $LOCKBOX_DATA_DIR, logs: $LOCKBOX_LOG_DIR)"
for svc in auth messages realtime; do
  if [[ ! -f "${ENTRY[$svc]}" ]]; then
    UPSTREAMS[$svc]=off
    continue
  fi
  n=${SCALE[$svc]}
  if (( n > 1 )) && [[ "$svc" != realtime && -z "${DATABASE_URL:-}" ]]; then
    echo "--scale $svc=$n needs DATABASE_URL (several instances cannot share one embedded PGlite directory)" >&2
    exit 2
  fi
  if (( n > 1 )) && [[ "$svc" == realtime && -z "${REDIS_URL:-}" ]]; then
    echo "--scale realtime=$n needs REDIS_URL (instances fan out through Redis)" >&2
    exit 2
  fi
  list=""
  for (( i = 0; i < n; i++ )); do
    port=$(( ${BASE_PORT[$svc]} + 10 * i ))
    name=$svc; (( n > 1 )) && name="$svc-$(( i + 1 ))"
    PLAN+=("$name ${ENTRY[$svc]} $port")
    list+="${list:+,}http://127.0.0.1:$port"
  done
  UPSTREAMS[$svc]=$list
done

# Services call each other's instances (message-service → auth, realtime; realtime → auth, messages).
for entry in "${PLAN[@]}"; do
  read -r name file port <<<"$entry"
  start_process "$name" "$file" "$port" \
    AUTH_URLS="${UPSTREAMS[auth]}" MESSAGES_URLS="${UPSTREAMS[messages]}" REALTIME_URLS="${UPSTREAMS[realtime]}"
done

start_process gateway gateway/src/main.ts "$GATEWAY_PORT" \
  AUTH_UPSTREAMS="${UPSTREAMS[auth]}" MESSAGES_UPSTREAMS="${UPSTREAMS[messages]}" REALTIME_UPSTREAMS="${UPSTREAMS[realtime]}"

# Wait for the gateway's aggregated health (first start initialises the embedded databases).
echo -n "waiting for http://localhost:$GATEWAY_PORT/health "
node -e '
  const url = process.argv[1];
  const deadline = Date.now() + 180_000;
  const tick = async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) { process.stderr.write(" ok\n"); process.exit(0); }
    } catch {}
    if (Date.now() > deadline) { process.stderr.write(" timed out\n"); process.exit(1); }
    process.stderr.write(".");
    setTimeout(tick, 500);
  };
  tick();
' "http://127.0.0.1:$GATEWAY_PORT/health" || {
  echo "LockBox did not become healthy; see $LOCKBOX_LOG_DIR/*.log" >&2
  tail -n 20 "$LOCKBOX_LOG_DIR"/*.stdout.log >&2 || true
  exit 1
}
echo "LockBox is up: http://localhost:$GATEWAY_PORT  (API reference: /docs; stop with: npm run stop)"
