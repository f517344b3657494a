#!/usr/bin/env bash
# Several nodes on one PostgreSQL: DescribeCompilationJob and CreateCompilationJob throughput through the real AWS SDK
# with 1 node and with 3 nodes (SdkLoad, thread t on node t mod N, as a round-robin load balancer), and Search
# freshness across nodes (ClusterBench: create on node i, Search on node i+1 until found). Starts its own PostgreSQL
# (Debian's postgresql: initdb into a temporary directory, a free port, fsync on) and its own server processes
# (dev.sagebrush.cli.Main server, what bin/sagebrush server runs), API-only: no job, training or notebook runs, so
# the figures are the API's and the database's. Everything runs on this machine: the load generator, every node and
# PostgreSQL share its cores.
#
#   bench/cluster/run.sh                        RUNS=3, DURATION=10 s, THREADS=16, WARMUP=15 s, FRESH_JOBS=200
#   RUNS=1 DURATION=5 bench/cluster/run.sh      a quick look
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"
RUNS="${RUNS:-3}"
DURATION="${DURATION:-10}"
THREADS="${THREADS:-16}"
WARMUP="${WARMUP:-15}"
FRESH_JOBS="${FRESH_JOBS:-200}"
HEAP="${HEAP:--Xmx512m}"

mvn -q -B -o test-compile >&2 2>/dev/null || mvn -q -B test-compile >&2
CP="$here/target/test-classes:$here/target/classes:$(cat target/test-classpath.txt)"
SERVER_CP="$here/target/classes:$(cat target/runtime-classpath.txt)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sagebrush-clusterbench.XXXXXX")"
PIDS=()
PG_PID=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$PG_PID" ]; then kill -INT "$PG_PID" 2>/dev/null || true; wait "$PG_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
AS=(); [ "$(id -u)" = 0 ] && { chown postgres: "$WORK"; AS=(setpriv --reuid=postgres --regid=postgres --init-groups); }
"${AS[@]}" "$BIN/initdb" -D "$WORK/pg" --auth=trust --username=postgres --locale=C -E UTF8 >/dev/null
PG_PORT="$(free_port)"
"${AS[@]}" "$BIN/postgres" -D "$WORK/pg" -p "$PG_PORT" -k "$WORK" -c listen_addresses=127.0.0.1 \
    -c shared_buffers=256MB -c max_connections=200 >"$WORK/pg.log" 2>&1 &
PG_PID=$!
for _ in $(seq 100); do "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.1; done

# Starts N API-only nodes on a fresh database; sets ENDPOINTS to their URLs, comma-separated.
start_nodes() {
  local n="$1" db="bench$1" urls=()
  "$BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE DATABASE $db" postgres
  for i in $(seq 1 "$n"); do
    local port; port="$(free_port)"
    mkdir -p "$WORK/objects"
    java $HEAP -XX:+UseParallelGC -cp "$SERVER_CP" dev.sagebrush.cli.Main server --port "$port" \
      --data-dir "$WORK/$db-node$i" --database "postgresql://postgres@127.0.0.1:$PG_PORT/$db" \
      --object-store-dir "$WORK/objects" --compile-workers 0 --training-workers 0 --no-notebook-runtime \
      >"$WORK/$db-node$i.log" 2>&1 &
    PIDS+=($!)
    urls+=("http://127.0.0.1:$port")
  done
  for u in "${urls[@]}"; do
    for _ in $(seq 1 600); do curl -s -o /dev/null --max-time 1 "$u/" && break; sleep 0.2; done
  done
  ENDPOINTS="$(IFS=,; echo "${urls[*]}")"
}
stop_nodes() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}

# CPU time (ms) used so far by the nodes and by PostgreSQL (the postmaster and its backends), from /proc: the
# figure that says what a request costs on a machine whose other load decides how much CPU the nodes get.
cpu_ms() {
  local total=0 p
  for p in "${PIDS[@]}" "$PG_PID" $(pgrep -P "$PG_PID" || true); do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo $((total * 1000 / $(getconf CLK_TCK)))
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); PostgreSQL $("$BIN/postgres" --version | awk '{print $3}')"
for nodes in 1 3; do
  start_nodes "$nodes"
  echo "== $nodes node(s): $ENDPOINTS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  # warm-up, discarded: the JIT of every node (three nodes compile the same code three times)
  java -cp "$CP" dev.sagebrush.bench.SdkLoad "$ENDPOINTS" describe "$THREADS" "$WARMUP" 0 >/dev/null 2>&1
  java -cp "$CP" dev.sagebrush.bench.SdkLoad "$ENDPOINTS" create "$THREADS" "$WARMUP" 0 >/dev/null 2>&1
  for run in $(seq 1 "$RUNS"); do
    for op in describe create; do
      before="$(cpu_ms)"
      line="$(java -cp "$CP" dev.sagebrush.bench.SdkLoad "$ENDPOINTS" "$op" "$THREADS" "$DURATION" 0 2>/dev/null | grep '^sdk ')"
      used=$(( $(cpu_ms) - before ))
      ok="$(echo "$line" | sed -E 's/.* ok=([0-9]+).*/\1/')"
      echo "nodes=$nodes run=$run load=$(cut -d' ' -f1 /proc/loadavg) $line server_cpu_us_per_req=$(( used * 1000 / (ok > 0 ? ok : 1) ))"
    done
  done
  if [ "$nodes" -gt 1 ]; then
    java -cp "$CP" dev.sagebrush.bench.ClusterBench "$ENDPOINTS" 20 >/dev/null 2>&1 # warm-up
    echo "nodes=$nodes load=$(cut -d' ' -f1 /proc/loadavg) $(java -cp "$CP" dev.sagebrush.bench.ClusterBench "$ENDPOINTS" "$FRESH_JOBS" 2>/dev/null | grep '^cluster-freshness')"
  fi
  stop_nodes
done
