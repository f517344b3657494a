#!/usr/bin/env bash
# The store under the training job API (no HTTP), on SQLite and on PostgreSQL: CreateTrainingJob and
# DescribeTrainingJob throughput, then the Search index's start-up time and heap at N jobs (StoreBench).
# Starts its own PostgreSQL (Debian's postgresql package: initdb into a temporary directory, a free port, fsync on),
# as the postgres user when run as root.
#
#   bench/store/run.sh                     N=100000 jobs, THREADS=16
#   N=20000 bench/store/run.sh             a quick look
#   ENGINES=sqlite bench/store/run.sh      one store only (sqlite, postgresql)
#   PG_OPTS="-c log_min_duration_statement=20ms" bench/store/run.sh   more PostgreSQL settings (its log: bench/store/out/pg.log)
#   NO_STATISTICS=1 bench/store/run.sh     also Describe on the filled database with its statistics deleted (a restore);
#                                          with BEFORE, instead of the other checkout's own fill
#   BEFORE=/path/to/other/checkout bench/store/run.sh   also measure that checkout's start-up (built there with
#                                          mvn test-compile) on the same database, right after, and (PostgreSQL) its
#                                          Create and Describe on a fresh database of its own, first: before/after
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"
N="${N:-100000}"
THREADS="${THREADS:-16}"
ENGINES="${ENGINES:-sqlite postgresql}"
HEAP="${HEAP:--Xmx2g}"

mvn -q -B -o test-compile >&2 2>/dev/null || mvn -q -B test-compile >&2
CP="$here/target/test-classes:$here/target/classes:$(cat target/test-classpath.txt)"
[ -n "${BEFORE:-}" ] && BEFORE_CP="$BEFORE/target/test-classes:$BEFORE/target/classes:$(cat "$BEFORE/target/test-classpath.txt")"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sagebrush-storebench.XXXXXX")"
PG_PID=""
cleanup() {
  if [ -n "$PG_PID" ]; then kill -INT "$PG_PID" 2>/dev/null || true; wait "$PG_PID" 2>/dev/null || true; fi
  if [ -n "${PG_OPTS:-}" ] && [ -f "$WORK/pg.log" ]; then
    mkdir -p "$here/bench/store/out"; cp "$WORK/pg.log" "$here/bench/store/out/pg.log"
    echo "PostgreSQL's log: bench/store/out/pg.log"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

for engine in $ENGINES; do
  if [ "$engine" = sqlite ]; then
    java $HEAP -cp "$CP" dev.sagebrush.bench.StoreBench "$WORK/sqlite" "$N" "$THREADS"
    [ -n "${BEFORE:-}" ] && java $HEAP -DstartupOnly=true -DnoBaseline=true -DnoSnapshot=true -cp "$BEFORE_CP" \
      dev.sagebrush.bench.StoreBench "$WORK/sqlite" "$N" "$THREADS" | sed 's/^/before: /'
  else
    BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    AS=(); [ "$(id -u)" = 0 ] && { chown postgres: "$WORK"; AS=(setpriv --reuid=postgres --regid=postgres --init-groups); }
    "${AS[@]}" "$BIN/initdb" -D "$WORK/pg" --auth=trust --username=postgres --locale=C -E UTF8 >/dev/null
    PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    "${AS[@]}" "$BIN/postgres" -D "$WORK/pg" -p "$PORT" -k "$WORK" -c listen_addresses=127.0.0.1 \
        -c shared_buffers=256MB ${PG_OPTS:-} >"$WORK/pg.log" 2>&1 &
    PG_PID=$!
    for _ in $(seq 100); do "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break; sleep 0.1; done
    "$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -c "CREATE DATABASE bench" postgres
    if [ -n "${BEFORE:-}" ] && [ -z "${NO_STATISTICS:-}" ]; then
      # The other checkout's Create and Describe on a fresh database of its own, in the same cluster, first.
      "$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -c "CREATE DATABASE bench_before" postgres
      java $HEAP -DnoStartup=true -cp "$BEFORE_CP" dev.sagebrush.bench.StoreBench \
        "postgresql://postgres@127.0.0.1:$PORT/bench_before" "$N" "$THREADS" | sed 's/^/before: /'
    fi
    java $HEAP -cp "$CP" dev.sagebrush.bench.StoreBench "postgresql://postgres@127.0.0.1:$PORT/bench" "$N" "$THREADS"
    if [ -n "${NO_STATISTICS:-}" ]; then
      # The state pg_restore and pg_upgrade leave: every row, no planner statistics. Describe on it, by the other
      # checkout (BEFORE) then by this one, each after the statistics are deleted again.
      for who in ${BEFORE:+before} after; do
        "$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -c "DELETE FROM pg_statistic WHERE starelid IN
          ('resources'::regclass, 'tags'::regclass, 'changes'::regclass)" bench
        java $HEAP -DdescribeOnly=true -cp "$([ "$who" = before ] && echo "$BEFORE_CP" || echo "$CP")" \
          dev.sagebrush.bench.StoreBench "postgresql://postgres@127.0.0.1:$PORT/bench" "$N" "$THREADS" \
          | sed "s/^/$who, database without statistics: /"
      done
    fi
    [ -n "${BEFORE:-}" ] && java $HEAP -DstartupOnly=true -DnoBaseline=true -DnoSnapshot=true -cp "$BEFORE_CP" \
      dev.sagebrush.bench.StoreBench "postgresql://postgres@127.0.0.1:$PORT/bench" "$N" "$THREADS" | sed 's/^/before: /'

  fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
