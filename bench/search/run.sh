#!/usr/bin/env bash
# Search benchmark at 100,000 training jobs. Starts its own server (bin/sagebrush server, a temporary data directory,
# a free port on 127.0.0.1), fills the store through the API, measures, prints a summary, stops the server.
#
#   bench/search/run.sh                       100,000 jobs (about 4 minutes on 2 quiet cores, 8 on busy ones)
#   N=20000 DURATION=5 bench/search/run.sh    a quick look
#
# Steps:
#   1. REAL_N jobs (120) run for real: server with --training-workers 2 and an image registry mapping the bench's
#      image to bench/search/train.sh, which prints validation:auc/train:loss (so these jobs have metrics) or fails
#      (about 1 in 6). Then the server is stopped.
#   2. Same data dir, server with --training-workers 0 (an API-only node: jobs stay InProgress). N varied
#      CreateTrainingJobs (hyperparameters, 4 tags, 1-3 channels with S3 URIs over 2024-2026, instance types...)
#      are sent by LOAD_THREADS client threads (SearchApiBench load: JDK HTTP client, SigV4-signed); every 10th job is
#      then stopped (-> Stopped).
#   3. The combined Search (Filters + NestedFilters + an Or SubExpression, SortBy CreationTime Descending,
#      MaxResults 100) is checked against the answer computed from the generator, then timed: single-threaded,
#      PAGES pages via NextToken per walk, ROUNDS walks after WARMUP walks; then SEARCH_CONNECTIONS concurrent
#      connections replaying the signed pages with wrk.
#   4. DescribeTrainingJob (1,000 random jobs) and ListTrainingJobs (20 pages of 100, without filters and with
#      NameContains + StatusEquals + SortBy Name) replayed by wrk.
#   5. Server memory (RSS; Java heap used after a full GC) at N jobs; then a restart on the same data: time to the
#      first answer (index load), memory again, and single-threaded Search once more.
#
# Knobs (environment): N (100000), REAL_N (120), STOP_EVERY (10), PAGES (10), ROUNDS (20), WARMUP (5),
# DURATION seconds per wrk measurement (10), WRK_CONNECTIONS for Describe (32), SEARCH_CONNECTIONS (8),
# LOAD_THREADS creating jobs (16), JFR=1 (flight recording of the measurement server to
# $OUT/server.jfr), OUT (bench/search/out), BEFORE (a checkout of another commit, built with mvn test-compile: step 6
# restarts the same data with its bin/sagebrush and measures start-up, memory, Search and Describe again, so
# before/after ratios come from one session and one store).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"

N="${N:-100000}"
REAL_N="${REAL_N:-120}"
STOP_EVERY="${STOP_EVERY:-10}"
PAGES="${PAGES:-10}"
ROUNDS="${ROUNDS:-20}"
WARMUP="${WARMUP:-5}"
DURATION="${DURATION:-10}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-32}"
SEARCH_CONNECTIONS="${SEARCH_CONNECTIONS:-8}"
LOAD_THREADS="${LOAD_THREADS:-16}"
OUT="${OUT:-$here/bench/search/out}"
mkdir -p "$OUT"
PREFIX="bulk"
RPREFIX="real"

for tool in wrk curl java mvn jcmd; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (Debian: apt-get install $tool)" >&2; exit 1; }
done

echo "== build" >&2
mvn -q -B -o test-compile >&2 2>/dev/null || mvn -q -B test-compile >&2
touch target/.built # classes are fresh: bin/sagebrush need not build again
CP="$here/target/test-classes:$here/target/classes:$(cat target/test-classpath.txt)"
SB() { java -cp "$CP" dev.sagebrush.bench.SearchApiBench "$@"; }

PORT="$(java -cp "$CP" dev.sagebrush.bench.FreePort 2>/dev/null || echo $((20000 + RANDOM % 20000)))"
URL="http://127.0.0.1:$PORT"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/sagebrush-searchbench.XXXXXX")"
IMAGES="$DATA-images.txt"
echo "bench.local/sagebrush/search-train:1 /bin/sh '$here/bench/search/train.sh'" >"$IMAGES"
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done # (writes its Search snapshot)
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$DATA" "$IMAGES"; }
trap cleanup EXIT INT TERM

# start_server LOG JAVA_OPTS ARGS...: starts, waits for the first answer, sets SERVER_PID and STARTUP_MS.
start_server() {
  local log="$1" opts="$2"; shift 2
  local t0; t0="$(date +%s%N)"
  SAGEBRUSH_JAVA_OPTS="$opts" "${SERVER_BIN:-bin/sagebrush}" server --host 127.0.0.1 --port "$PORT" --data-dir "$DATA" \
    --compile-workers 0 "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 2400); do
    curl -s -o /dev/null --max-time 1 "$URL/" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "bench: the server exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.05
  done
  curl -s -o /dev/null --max-time 1 "$URL/" || { echo "bench: the server did not answer" >&2; exit 1; }
  STARTUP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

# memory LABEL: RSS and heap used after a full GC, appended to $OUT/memory.txt as "LABEL rss_mb heap_used_mb".
memory() {
  jcmd "$SERVER_PID" GC.run >/dev/null
  local rss heap
  rss="$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status")"
  jcmd "$SERVER_PID" GC.heap_info >"$OUT/heap-$1.txt"
  heap="$(awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/,$/, "", v);
            n = v + 0; if (v ~ /K$/) n /= 1024; else if (v ~ /G$/) n *= 1024; printf "%.0f", n; exit } }' "$OUT/heap-$1.txt")"
  jcmd "$SERVER_PID" GC.class_histogram 2>/dev/null | head -23 >"$OUT/histogram-$1.txt" || true
  echo "$1 $rss $heap" | tee -a "$OUT/memory.txt" >&2
}

to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
wrk_line() { # "req/s p50_ms p99_ms non2xx" from a wrk --latency output
  local f="$1" bad
  bad="$(awk '/Non-2xx/ {print $5}' "$f")"
  echo "$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$f") $(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")" \
       "$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")") ${bad:-0}"
}
results="$OUT/results.txt"
: >"$results"
: >"$OUT/memory.txt"
# replay LABEL FILE CONNECTIONS: wrk round-robin over the signed requests in FILE (bench/replay/create.lua).
replay() {
  local t=2; [ "$3" -lt 2 ] && t=1
  SIGNED="$2" WRK_THREADS=$t wrk -t$t -c"$3" -d"${DURATION}"s --latency -s bench/replay/create.lua "$URL/" >"$OUT/wrk-$1.txt"
  echo "$1 $(wrk_line "$OUT/wrk-$1.txt")" | tee -a "$results" >&2
}

{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "start: $(date -u +%FT%TZ) load average: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt" >&2

echo "== 1. $REAL_N jobs run for real (--training-workers 2)" >&2
start_server "$OUT/server-real.log" "" --training-workers 2 --training-images "$IMAGES"
SB real "$URL" "$RPREFIX" "$REAL_N" | tee "$OUT/real.txt" >&2
stop_server

echo "== 2. $N jobs through the API (--training-workers 0)" >&2
jvm_opts="${SAGEBRUSH_JAVA_OPTS:-}"
if [ "${JFR:-0}" = 1 ]; then
  jvm_opts="$jvm_opts -XX:StartFlightRecording=filename=$OUT/server.jfr,settings=profile,dumponexit=true"
fi
start_server "$OUT/server.log" "$jvm_opts" --training-workers 0 --training-images "$IMAGES"
echo "startup-small $STARTUP_MS" >>"$results"
cpu0="$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")"
SB load "$URL" "$PREFIX" "$N" "$LOAD_THREADS" | tee "$OUT/load.txt" >&2
cpu1="$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")"
echo "load-cpu-ms $(( (cpu1 - cpu0) * 10 ))" >>"$results"
SB stop "$URL" "$PREFIX" "$N" "$STOP_EVERY" 8 2>&1 | tee "$OUT/stop.txt" >&2

echo "== 3. Search" >&2
SB verify "$URL" "$PREFIX" "$N" "$RPREFIX" "$REAL_N" "$STOP_EVERY" | tee "$OUT/verify.txt" >&2
memory loaded
SB search-time "$URL" "$PAGES" "$ROUNDS" "$WARMUP" | tee "$OUT/search-time.txt" >&2
SB sign-pages "$URL" search "$PAGES" "$OUT/search.tsv"
replay search-c1 "$OUT/search.tsv" 1
replay search-c"$SEARCH_CONNECTIONS" "$OUT/search.tsv" "$SEARCH_CONNECTIONS"

echo "== 4. Describe and List" >&2
SB sign-describe "$URL" "$PREFIX" "$N" 1000 "$OUT/describe.tsv"
replay describe "$OUT/describe.tsv" "$WRK_CONNECTIONS"
SB sign-pages "$URL" list 20 "$OUT/list.tsv"
replay list "$OUT/list.tsv" 8
SB sign-pages "$URL" list-filtered 20 "$OUT/list-filtered.tsv"
replay list-filtered "$OUT/list-filtered.tsv" 8
memory after-load
stop_server

echo "== 5. restart with $N jobs in the store" >&2
start_server "$OUT/server-restart.log" "${SAGEBRUSH_JAVA_OPTS:-}" --training-workers 0 --training-images "$IMAGES"
echo "startup-full $STARTUP_MS" | tee -a "$results" >&2
memory restarted
SB search-time "$URL" "$PAGES" "$((ROUNDS / 2))" "$WARMUP" | tee "$OUT/search-time-restarted.txt" >&2
SB sign-describe "$URL" "$PREFIX" "$N" 1000 "$OUT/describe.tsv"
replay describe-restarted "$OUT/describe.tsv" "$WRK_CONNECTIONS"
stop_server

if [ -n "${BEFORE:-}" ]; then
  echo "== 6. the same data with $BEFORE ($(git -C "$BEFORE" log -1 --format=%h 2>/dev/null || echo 'not a git checkout'))" >&2
  touch "$BEFORE/target/.built"
  SERVER_BIN="$BEFORE/bin/sagebrush" start_server "$OUT/server-before.log" "${SAGEBRUSH_JAVA_OPTS:-}" \
    --training-workers 0 --training-images "$IMAGES"
  echo "startup-before $STARTUP_MS" | tee -a "$results" >&2
  memory restarted-before
  SB search-time "$URL" "$PAGES" "$((ROUNDS / 2))" "$WARMUP" | tee "$OUT/search-time-before.txt" >&2
  SB sign-describe "$URL" "$PREFIX" "$N" 1000 "$OUT/describe.tsv"
  replay describe-before "$OUT/describe.tsv" "$WRK_CONNECTIONS"
  stop_server
fi
echo "end: $(date -u +%FT%TZ) load average: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt" >&2

# ---- summary
kv() { sed -E "s|.* $1=([^ ]+).*|\1|" "$2"; }
row() { printf '%-52s %10s %9s %9s %8s\n' "$@"; }
echo
cat "$OUT/machine.txt"
echo "store: $N bulk jobs + $REAL_N run for real ($(sed 's/.*: //' "$OUT/real.txt")); every ${STOP_EVERY}th bulk job stopped"
cat "$OUT/verify.txt"
echo
row "measurement" "req/s" "p50 ms" "p99 ms" "errors"
ld="$OUT/load.txt"
row "CreateTrainingJob load ($LOAD_THREADS client threads)" "$(kv 'req/s' "$ld")" "$(kv p50_ms "$ld")" "$(kv p99_ms "$ld")" "$(kv errors "$ld")"
st="$OUT/search-time.txt"
row "Search, 1 client, per page ($(kv pages "$st") pages)" "-" "$(kv p50_ms "$st")" "$(kv p99_ms "$st")" "0"
row "Search, 1 client, AWS SDK v2 (incl. unmarshalling)" "-" "$(kv sdk_p50_ms "$st")" "$(kv sdk_p99_ms "$st")" "0"
for m in search-c1 search-c"$SEARCH_CONNECTIONS" describe list list-filtered; do
  read -r _ rps p50 p99 bad < <(grep "^$m " "$results")
  case "$m" in
    search-c1) label="Search, wrk replay, 1 connection";;
    search-c*) label="Search, wrk replay, $SEARCH_CONNECTIONS connections";;
    describe) label="DescribeTrainingJob, wrk, $WRK_CONNECTIONS conn (1,000 jobs)";;
    list) label="ListTrainingJobs 100/page, no filter, wrk, 8 conn";;
    list-filtered) label="ListTrainingJobs 100/page, NameContains+Status, 8 conn";;
  esac
  row "$label" "$rps" "$p50" "$p99" "$bad"
done
st="$OUT/search-time-restarted.txt"
row "Search, 1 client, after restart" "-" "$(kv p50_ms "$st")" "$(kv p99_ms "$st")" "0"
read -r _ rps p50 p99 bad < <(grep "^describe-restarted " "$results")
row "DescribeTrainingJob after restart, $WRK_CONNECTIONS conn" "$rps" "$p50" "$p99" "$bad"
if [ -s "$OUT/search-time-before.txt" ]; then
  st="$OUT/search-time-before.txt"
  row "BEFORE: Search, 1 client, after restart" "-" "$(kv p50_ms "$st")" "$(kv p99_ms "$st")" "0"
  read -r _ rps p50 p99 bad < <(grep "^describe-before " "$results")
  row "BEFORE: DescribeTrainingJob, $WRK_CONNECTIONS conn" "$rps" "$p50" "$p99" "$bad"
fi
echo
echo "total hits of the combined Search: $(kv total_hits "$OUT/search-time.txt"); average page $(kv avg_page_bytes "$OUT/search-time.txt") bytes"
echo "create load: $N jobs in $(kv seconds "$ld") s, server CPU $(awk -v c="$(awk '/^load-cpu-ms/ {print $2}' "$results")" -v n="$N" 'BEGIN {printf "%.0f", c * 1000 / n}') us per Create"
echo "start-up (first answer): $(awk '/^startup-small/ {print $2}' "$results") ms with $REAL_N jobs, $(awk '/^startup-full/ {print $2}' "$results") ms with $((N + REAL_N)) jobs$(awk '/^startup-before/ {print "; BEFORE: " $2 " ms"}' "$results")"
printf '\n%-28s %10s %18s\n' "memory" "RSS MB" "heap used MB (GC)"
while read -r label rss heap; do printf '%-28s %10s %18s\n' "$label" "$rss" "$heap"; done <"$OUT/memory.txt"
