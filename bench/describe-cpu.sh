#!/usr/bin/env bash
# DescribeTrainingJob by signed replay (wrk), the CPU it costs on each side, and the same harness against bare
# Undertow: issue 11's hot-path figure, measured so that the share wrk itself takes of this machine's cores is visible.
#
#   bench/describe-cpu.sh                          this checkout and bare Undertow, 3 interleaved runs of 10 s each
#   BASE=/path/to/other/checkout bench/describe-cpu.sh   also that checkout's server (built there: mvn test-compile)
#
# Every server is started cold on its own free port and temporary data directory (SQLite, --compile-workers 0, as
# bench/run.sh), gets its warm-up curve (WARMUP_CURVE one-second wrk runs, 30; the first second at >= 90 % of the
# last 10 s is printed, and the first at >= TARGET_DESCRIBE), then RUNS rounds of DURATION seconds run every server
# once per round, in turn, so that the machine's noise falls on all of them alike. For each run: req/s, the server
# process's CPU (user + system, /proc/PID/stat) per request, and wrk's own CPU (/usr/bin/time) per request.
# Knobs: RUNS (3), DURATION (10), WRK_THREADS (2), WRK_CONNECTIONS (32), WARMUP_CURVE (30), TARGET_DESCRIBE (30000),
# SAGEBRUSH_JAVA_OPTS (both servers), OUT (bench/out/describe-cpu).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

RUNS="${RUNS:-3}"
DURATION="${DURATION:-10}"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-32}"
WARMUP_CURVE="${WARMUP_CURVE:-30}"
TARGET_DESCRIBE="${TARGET_DESCRIBE:-30000}"
OUT="${OUT:-$here/bench/out/describe-cpu}"
BASE="${BASE:-}"
mkdir -p "$OUT"
for tool in wrk curl java mvn /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (Debian: apt-get install ${tool##*/})" >&2; exit 1; }
done

echo "== build" >&2
mvn -q -B -o test-compile >&2 2>/dev/null || mvn -q -B test-compile >&2
touch target/.built
CP="$here/target/test-classes:$here/target/classes:$(cat target/test-classpath.txt)"
if [ -n "$BASE" ]; then touch "$BASE/target/.built"; fi

free_port() { java -cp "$CP" dev.sagebrush.bench.FreePort 2>/dev/null || echo $((20000 + RANDOM % 20000)); }

declare -A PID URL DATA
NAMES=()
cleanup() {
  for n in "${NAMES[@]}"; do
    p="${PID[$n]:-}"
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
      kill "$p" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$p" 2>/dev/null || true
    fi
    [ -n "${DATA[$n]:-}" ] && rm -rf "${DATA[$n]}"
  done
}
trap cleanup EXIT INT TERM

wait_up() { # name
  for _ in $(seq 1 240); do
    curl -s -o /dev/null --max-time 1 "${URL[$1]}/" && return 0
    kill -0 "${PID[$1]}" 2>/dev/null || { echo "bench: $1 exited:" >&2; cat "$OUT/$1.log" >&2; exit 1; }
    sleep 0.25
  done
  echo "bench: $1 did not answer" >&2; exit 1
}

start_sagebrush() { # name bin
  local port; port="$(free_port)"
  NAMES+=("$1")
  URL[$1]="http://127.0.0.1:$port"
  DATA[$1]="$(mktemp -d "${TMPDIR:-/tmp}/sagebrush-bench.XXXXXX")"
  "$2" server --host 127.0.0.1 --port "$port" --data-dir "${DATA[$1]}" --compile-workers 0 >"$OUT/$1.log" 2>&1 &
  PID[$1]=$!
  wait_up "$1"
  java -cp "$CP" dev.sagebrush.bench.Presign describe-training "${URL[$1]}" bench-describe-training \
    "$OUT/$1.tsv" >/dev/null
}

# Replays the signed request once with curl: the answer's body is what bare Undertow sends.
answer_of() { # tsv
  local args=() body
  body="$(head -1 "$1" | cut -f1)"
  while IFS= read -r h; do args+=(-H "$h"); done < <(head -1 "$1" | cut -f2- | tr '\t' '\n')
  curl -s -X POST "${args[@]}" --data-binary "$body" "${URL[sagebrush]}/"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run NAME LABEL SECONDS -> prints "req/s server_us_per_req wrk_us_per_req p50_ms p99_ms non2xx"
run() {
  local c0 c1 n f="$OUT/wrk-$2.txt"
  c0="$(cpu_ticks "${PID[$1]}")"
  SIGNED="$OUT/$1.tsv" /usr/bin/time -f "wrk_cpu %U %S" -o "$f.time" \
    wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$3"s --latency -s bench/replay/describe.lua "${URL[$1]}/" >"$f"
  c1="$(cpu_ticks "${PID[$1]}")"
  n="$(awk '/requests in/ {print $1}' "$f")"
  awk -v t=$((c1 - c0)) -v n="$n" -v rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$f")" \
      -v w="$(awk '/^wrk_cpu/ {print $2 + $3}' "$f.time")" \
      -v p50="$(awk '$1 == "50%" {print $2}' "$f")" -v p99="$(awk '$1 == "99%" {print $2}' "$f")" \
      -v bad="$(awk '/Non-2xx/ {print $5}' "$f")" \
      'BEGIN { printf "%s %.1f %.1f %s %s %s\n", rps, (n > 0 ? t * 10000 / n : 0), (n > 0 ? w * 1e6 / n : 0), p50, p99, (bad == "" ? 0 : bad) }'
}

{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "start: $(date -u +%FT%TZ) load average: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt" >&2

echo "== start servers (cold)" >&2
start_sagebrush sagebrush bin/sagebrush
[ -n "$BASE" ] && start_sagebrush base "$BASE/bin/sagebrush"
answer_of "$OUT/sagebrush.tsv" >"$OUT/answer.json"
[ -s "$OUT/answer.json" ] || { echo "bench: no answer to the signed Describe" >&2; exit 1; }
port="$(free_port)"
NAMES+=(bare)
URL[bare]="http://127.0.0.1:$port"
java -cp "$CP" dev.sagebrush.bench.BareUndertow "$port" "$OUT/answer.json" >"$OUT/bare.log" 2>&1 &
PID[bare]=$!
wait_up bare
cp "$OUT/sagebrush.tsv" "$OUT/bare.tsv"

targets=(sagebrush)
[ -n "$BASE" ] && targets+=(base)
targets+=(bare)
: >"$OUT/results.txt"
for n in "${targets[@]}"; do
  if [ "$WARMUP_CURVE" -gt 0 ] && [ "$n" != bare ]; then
    echo "== $n: warm-up curve, $WARMUP_CURVE x 1 s from cold" >&2
    : >"$OUT/curve-$n.txt"
    for s in $(seq 1 "$WARMUP_CURVE"); do
      echo "$s $(run "$n" "curve-$n-$s" 1)" | tee -a "$OUT/curve-$n.txt" >&2
    done
  else
    run "$n" "warmup-$n" 10 >/dev/null
  fi
done
for r in $(seq 1 "$RUNS"); do
  for n in "${targets[@]}"; do
    echo "$n $r $(run "$n" "$n-$r" "$DURATION") $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/results.txt" >&2
  done
done
echo "end: $(date -u +%FT%TZ) load average: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt" >&2

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print a[int((NR + 1) / 2)] }'; }
echo
cat "$OUT/machine.txt"
echo "wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${DURATION}s, signed DescribeTrainingJob replay; medians of $RUNS interleaved runs"
printf '%-10s %9s %14s %12s %14s %9s %9s %7s   %s\n' target req/s server-us/req wrk-us/req "sum us/req" p50 p99 non2xx "runs req/s (load)"
for n in "${targets[@]}"; do
  rows="$(awk -v n="$n" '$1 == n' "$OUT/results.txt")"
  col() { echo "$rows" | awk -v c="$1" '{print $c}' | median; }
  s="$(col 4)"; w="$(col 5)"
  printf '%-10s %9s %14s %12s %14s %9s %9s %7s   %s\n' "$n" "$(col 3)" "$s" "$w" "$(awk -v a="$s" -v b="$w" 'BEGIN {printf "%.1f", a + b}')" \
    "$(col 6)" "$(col 7)" "$(echo "$rows" | awk '{s += $8} END {print s + 0}')" "$(echo "$rows" | awk '{printf "%s (%s) ", $3, $9}')"
done
for n in "${targets[@]}"; do
  [ -s "$OUT/curve-$n.txt" ] || continue
  m="$(tail -10 "$OUT/curve-$n.txt" | awk '{print $2}' | median)"
  echo "$n warm-up: req/s by second: $(awk '{printf "%s ", $2}' "$OUT/curve-$n.txt")"
  echo "$n warm-up: first second at >= 90% of the last 10 s median ($m): $(awk -v m="$m" '$2 >= 0.9 * m {print $1; f = 1; exit} END {if (!f) print "never"}' "$OUT/curve-$n.txt");" \
    "first at >= $TARGET_DESCRIBE: $(awk -v t="$TARGET_DESCRIBE" '$2 >= t {print $1; f = 1; exit} END {if (!f) print "never"}' "$OUT/curve-$n.txt")"
done
echo "two cores = 2,000,000 us of CPU per second: at (server + wrk) us per request, the ceiling is 2e6 / sum req/s"
