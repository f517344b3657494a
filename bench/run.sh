#!/usr/bin/env bash
# Load benchmark for the SageMaker compilation job API: Describe and Create, replayed by wrk with pre-signed SigV4
# requests, and through the real AWS SDK for Java v2; plus DescribeTrainingJob replayed by wrk, with the server's CPU
# per request, and (first, on the cold server) its warm-up curve: Describe req/s second by second. Starts its own server (bin/sagebrush server, a temporary data
# directory, a free port on 127.0.0.1, durable commits as by default), runs everything, prints a summary, stops it.
#
#   bench/run.sh                       3 runs of each measurement, 10 s each (about 4-5 minutes in all)
#   RUNS=1 DURATION=5 bench/run.sh     a quick look
#
# Knobs (environment): RUNS (3), DURATION seconds per measurement (10), WRK_THREADS (2), WRK_CONNECTIONS (32),
# SDK_THREADS (8), CREATE_N pre-signed Creates per run (50000), COMPILE_WORKERS (0: an API-only node, so the jobs
# created stay STARTING and the figures are the API's alone), JFR=1 records a flight recording of the whole session
# to bench/out/server.jfr, OUT (bench/out), WARMUP_CURVE seconds of 1 s DescribeTrainingJob replays on the cold
# server (40; 0 skips), TARGET_DESCRIBE (30000: the curve reports when it is first reached), SERVER_BIN (bin/sagebrush;
# another checkout's bin/sagebrush, built there with mvn test-compile, measures that commit with these same clients).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

RUNS="${RUNS:-3}"
DURATION="${DURATION:-10}"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-32}"
SDK_THREADS="${SDK_THREADS:-8}"
CREATE_N="${CREATE_N:-50000}"
COMPILE_WORKERS="${COMPILE_WORKERS:-0}"
WARMUP_CURVE="${WARMUP_CURVE:-40}"
SERVER_BIN="${SERVER_BIN:-bin/sagebrush}"
[ "$SERVER_BIN" = bin/sagebrush ] || touch "$(dirname "$SERVER_BIN")/../target/.built"
TARGET_DESCRIBE="${TARGET_DESCRIBE:-30000}"
OUT="${OUT:-$here/bench/out}"
mkdir -p "$OUT"

for tool in wrk curl java mvn; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (Debian: apt-get install $tool)" >&2; exit 1; }
done

echo "== build" >&2
mvn -q -B -o test-compile >&2 2>/dev/null || mvn -q -B test-compile >&2
touch target/.built # classes are fresh: bin/sagebrush need not build again
CP="$here/target/test-classes:$here/target/classes:$(cat target/test-classpath.txt)"

free_port() {
  java -cp "$CP" dev.sagebrush.bench.FreePort 2>/dev/null || echo $((20000 + RANDOM % 20000))
}
PORT="$(free_port)"
URL="http://127.0.0.1:$PORT"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/sagebrush-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

jvm_opts="${SAGEBRUSH_JAVA_OPTS:-}"
if [ "${JFR:-0}" = 1 ]; then
  jvm_opts="$jvm_opts -XX:StartFlightRecording=filename=$OUT/server.jfr,settings=profile,dumponexit=true"
fi
echo "== start server on $URL (data $DATA, compile workers $COMPILE_WORKERS)" >&2
SAGEBRUSH_JAVA_OPTS="$jvm_opts" "$SERVER_BIN" server --host 127.0.0.1 --port "$PORT" --data-dir "$DATA" \
  --compile-workers "$COMPILE_WORKERS" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
  curl -s -o /dev/null --max-time 1 "$URL/" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "bench: the server exited:" >&2; cat "$OUT/server.log" >&2; exit 1; }
  sleep 0.25
done
curl -s -o /dev/null --max-time 1 "$URL/" || { echo "bench: the server did not answer" >&2; exit 1; }

{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "start: $(date -u +%FT%TZ) load average: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt" >&2

# wrk prints latencies as 812.00us / 3.45ms / 1.02s; this turns one into milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

# Parses a wrk --latency output into "req/s p50_ms p99_ms non2xx".
wrk_line() {
  local f="$1" rps p50 p99 bad
  rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$f")"
  p50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")"
  bad="$(awk '/Non-2xx/ {print $5}' "$f")"
  echo "$rps $p50 $p99 ${bad:-0}"
}

results="$OUT/results.txt"
: >"$results"

run_wrk_describe() { # $1 = label, $2 = seconds
  SIGNED="$OUT/describe.tsv" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$2"s --latency \
    -s bench/replay/describe.lua "$URL/" >"$OUT/wrk-$1.txt"
}
run_wrk_create() { # $1 = label, $2 = seconds
  java -cp "$CP" dev.sagebrush.bench.Presign create "$URL" "wrk-$1-$RANDOM" "$CREATE_N" "$OUT/create.tsv" 2>/dev/null
  SIGNED="$OUT/create.tsv" WRK_THREADS="$WRK_THREADS" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$2"s --latency \
    -s bench/replay/create.lua "$URL/" >"$OUT/wrk-$1.txt"
}

echo "== sign one Describe (creates the job bench-describe)" >&2
java -cp "$CP" dev.sagebrush.bench.Presign describe "$URL" bench-describe "$OUT/describe.tsv" >"$OUT/describe-signed-headers.txt"
cat "$OUT/describe-signed-headers.txt" >&2

echo "== sign one DescribeTrainingJob (creates the training job bench-describe-training)" >&2
java -cp "$CP" dev.sagebrush.bench.Presign describe-training "$URL" bench-describe-training "$OUT/describe-training.tsv" \
  >"$OUT/describe-training-signed-headers.txt"

# Server CPU (user + system, clock ticks of 10 ms) of the server process.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
# run_wrk_training LABEL SECONDS: replays the signed DescribeTrainingJob; appends "us_per_req" of server CPU to the output.
run_wrk_training() {
  local c0 c1 n
  c0="$(cpu_ticks)"
  SIGNED="$OUT/describe-training.tsv" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$2"s --latency \
    -s bench/replay/describe.lua "$URL/" >"$OUT/wrk-$1.txt"
  c1="$(cpu_ticks)"
  n="$(awk '/requests in/ {print $1}' "$OUT/wrk-$1.txt")"
  echo "server_cpu_us_per_request $(awk -v t=$((c1 - c0)) -v n="$n" 'BEGIN { printf "%.1f", (n > 0 ? t * 10000 / n : 0) }')" \
    >>"$OUT/wrk-$1.txt"
}

if [ "$WARMUP_CURVE" -gt 0 ]; then
  echo "== warm-up curve: DescribeTrainingJob replay, $WARMUP_CURVE x 1 s on the cold server" >&2
  : >"$OUT/warmup-curve.txt"
  for s in $(seq 1 "$WARMUP_CURVE"); do
    run_wrk_training "curve-$s" 1
    echo "$s $(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/wrk-curve-$s.txt") $(awk '/^server_cpu/ {print $2}' "$OUT/wrk-curve-$s.txt")" \
      | tee -a "$OUT/warmup-curve.txt" >&2
  done
fi

echo "== warm-up (discarded): wrk Describe 5 s, wrk Create 5 s, SDK Describe and Create 3 s" >&2
run_wrk_describe warmup-describe 5
run_wrk_create warmup-create 5
java -cp "$CP" dev.sagebrush.bench.SdkLoad "$URL" describe "$SDK_THREADS" 3 1 >/dev/null 2>&1
java -cp "$CP" dev.sagebrush.bench.SdkLoad "$URL" create "$SDK_THREADS" 3 1 >/dev/null 2>&1

for run in $(seq 1 "$RUNS"); do
  echo "== run $run/$RUNS (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  run_wrk_describe "describe-$run" "$DURATION"
  echo "replay-describe $run $(wrk_line "$OUT/wrk-describe-$run.txt")" | tee -a "$results" >&2
  run_wrk_training "describe-training-$run" "$DURATION"
  echo "replay-describe-training $run $(wrk_line "$OUT/wrk-describe-training-$run.txt") $(awk '/^server_cpu/ {print $2}' "$OUT/wrk-describe-training-$run.txt")" \
    | tee -a "$results" >&2
  run_wrk_create "create-$run" "$DURATION"
  echo "replay-create $run $(wrk_line "$OUT/wrk-create-$run.txt")" | tee -a "$results" >&2
  for op in describe create; do
    line="$(java -cp "$CP" dev.sagebrush.bench.SdkLoad "$URL" "$op" "$SDK_THREADS" "$DURATION" 2 2>/dev/null | grep '^sdk ')"
    # sdk describe threads=8 req/s=1350 p50_ms=4.98 p99_ms=20.79 ok=6752 errors=0
    echo "sdk-$op $run $(echo "$line" | sed -E 's/.*req\/s=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+) .*errors=([0-9]+).*/\1 \2 \3 \4/')" \
      | tee -a "$results" >&2
  done
done
echo "end: $(date -u +%FT%TZ) load average: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt" >&2

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo
cat "$OUT/machine.txt"
echo "server: $SERVER_BIN server --compile-workers $COMPILE_WORKERS (SQLite WAL, synchronous=FULL: every commit fsynced)"
echo "wrk: -t$WRK_THREADS -c$WRK_CONNECTIONS -d${DURATION}s; SDK: $SDK_THREADS threads, closed loop; medians of $RUNS runs"
printf '\n%-24s %10s %10s %10s %10s   %s\n' "measurement" "req/s" "p50 ms" "p99 ms" "errors" "runs (req/s)"
for m in replay-describe replay-describe-training replay-create sdk-describe sdk-create; do
  rows="$(awk -v m="$m" '$1 == m' "$results")"
  rps="$(echo "$rows" | awk '{print $3}' | median)"
  p50="$(echo "$rows" | awk '{print $4}' | median)"
  p99="$(echo "$rows" | awk '{print $5}' | median)"
  err="$(echo "$rows" | awk '{s += $6} END {print s + 0}')"
  all="$(echo "$rows" | awk '{printf "%s ", $3}')"
  label="$m"
  case "$m" in
    replay-describe) label="Describe (wrk replay)";;
    replay-describe-training) label="DescribeTraining (wrk)";;
    replay-create) label="Create (wrk replay)";;
    sdk-describe) label="Describe (SDK, $SDK_THREADS thr)";;
    sdk-create) label="Create (SDK, $SDK_THREADS thr)";;
  esac
  printf '%-24s %10s %10s %10s %10s   %s\n' "$label" "$rps" "$p50" "$p99" "$err" "$all"
done
echo
echo "server CPU per DescribeTrainingJob (us, per run): $(awk '$1 == "replay-describe-training" {printf "%s ", $7}' "$results")"
if [ -s "$OUT/warmup-curve.txt" ]; then
  echo "warm-up curve (second req/s us-cpu-per-req): $(awk '{printf "%s:%s ", $1, $2}' "$OUT/warmup-curve.txt")"
  echo "first second at >= $TARGET_DESCRIBE req/s: $(awk -v t="$TARGET_DESCRIBE" '$2 >= t {print $1; f = 1; exit} END {if (!f) print "never"}' "$OUT/warmup-curve.txt");" \
    "first second at >= 90% of the last 10 s median: $(sort -n -k1 "$OUT/warmup-curve.txt" | tail -10 | awk '{print $2}' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}' \
      | { read -r m; awk -v m="$m" '$2 >= 0.9 * m {print $1 " (median " m ")"; exit}' "$OUT/warmup-curve.txt"; })"
fi
echo "targets: Describe >= 15000 req/s (replay), Create >= 2000 req/s (replay, durable commits), DescribeTrainingJob >= $TARGET_DESCRIBE req/s"
