#!/usr/bin/env bash
# Whole-server start-up with N training jobs: process start to the first HTTP answer, and the CPU the process used by
# then, on SQLite and on PostgreSQL. The store is filled once per engine with StoreBench (the Search bench's jobs,
# created through the training job API); then the server (bin/sagebrush server, default options otherwise) is started
# ROUNDS times on it and stopped cleanly each time (so every start but the first reads the Search index snapshot),
# alternating with the BEFORE checkout's server when given. The server's own stage line ("Started in ... ms") is printed.
#
#   bench/startup/run.sh                              N=100000, ROUNDS=3, both stores
#   BEFORE=/path/to/other/checkout bench/startup/run.sh   the same starts with that checkout's bin/sagebrush, alternated
#   ENGINES=sqlite N=20000 bench/startup/run.sh
#   SERVER_ARGS="" bench/startup/run.sh                  default workers (they pick up the bench's jobs and fail them)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"
N="${N:-100000}"
ROUNDS="${ROUNDS:-3}"
ENGINES="${ENGINES:-sqlite postgresql}"
# The bench's jobs name an image no registry maps: a node with workers would start failing them during the start.
read -r -a SERVER_ARGS <<<"${SERVER_ARGS:---compile-workers 0 --training-workers 0}"

mvn -q -B -o test-compile >&2 2>/dev/null || mvn -q -B test-compile >&2
touch target/.built
[ -n "${BEFORE:-}" ] && touch "$BEFORE/target/.built" # built there already (mvn test-compile): no rebuild on start
CP="$here/target/test-classes:$here/target/classes:$(cat target/test-classpath.txt)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sagebrush-startupbench.XXXXXX")"
PG_PID=""
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" # a clean stop: writes the Search index snapshot
    for _ in $(seq 1 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  if [ -n "$PG_PID" ]; then kill -INT "$PG_PID" 2>/dev/null || true; wait "$PG_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# start LABEL BIN DATA ARGS...: one start, timed to the first answer; leaves it running in SERVER_PID.
start() {
  local label="$1" bin="$2" data="$3"; shift 3
  local port; port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  local log="$WORK/$label.log" t0; t0="$(date +%s%N)"
  "$bin" server --host 127.0.0.1 --port "$port" --data-dir "$data" "${SERVER_ARGS[@]}" "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 3000); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "bench: the server exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.02
  done
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  local cpu; cpu="$(awk '{print ($14 + $15) * 10}' "/proc/$SERVER_PID/stat")"
  local index; index="$(grep -o 'loaded from the [a-z]* in [0-9]* ms' "$log" | tail -1 || true)"
  echo "$label: first answer after $ms ms, process CPU $cpu ms; index $index (load $(cut -d' ' -f1-3 /proc/loadavg))"
  grep -o 'Started in .*' "$log" | sed "s/^/$label:   /" || true
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for engine in $ENGINES; do
  data="$WORK/$engine-data"
  mkdir -p "$data"
  args=()
  if [ "$engine" = sqlite ]; then
    java -Xmx2g -DnoStartup=true -cp "$CP" dev.sagebrush.bench.StoreBench "$data" "$N" 16 | grep -v '^[0-9:.]* [A-Z]'
  else
    BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    AS=(); [ "$(id -u)" = 0 ] && { chown postgres: "$WORK"; AS=(setpriv --reuid=postgres --regid=postgres --init-groups); }
    "${AS[@]}" "$BIN/initdb" -D "$WORK/pg" --auth=trust --username=postgres --locale=C -E UTF8 >/dev/null
    PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    "${AS[@]}" "$BIN/postgres" -D "$WORK/pg" -p "$PORT" -k "$WORK" -c listen_addresses=127.0.0.1 \
        -c shared_buffers=256MB >"$WORK/pg.log" 2>&1 &
    PG_PID=$!
    for _ in $(seq 100); do "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break; sleep 0.1; done
    "$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -c "CREATE DATABASE bench" postgres
    url="postgresql://postgres@127.0.0.1:$PORT/bench"
    java -Xmx2g -DnoStartup=true -cp "$CP" dev.sagebrush.bench.StoreBench "$url" "$N" 16 | grep -v '^[0-9:.]* [A-Z]'
    "$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -c "ANALYZE" bench # as autovacuum would have by now
    args=(--database "$url")
  fi
  for round in $(seq 1 "$ROUNDS"); do
    if [ -n "${BEFORE:-}" ]; then
      start "$engine-before-$round" "$BEFORE/bin/sagebrush" "$data" "${args[@]}"; stop_server
    fi
    start "$engine-after-$round" "$here/bin/sagebrush" "$data" "${args[@]}"; stop_server
  done
  if [ -n "$PG_PID" ]; then kill -INT "$PG_PID"; wait "$PG_PID" 2>/dev/null || true; PG_PID=""; fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
