#!/bin/bash
# Benchmark: the ONNX compiler's artifact (model.ort, EXTENDED, shapes fixed) against the original model in ONNX
# Runtime Java 1.23.2, one intra-op thread. See docs/performance.md, "Compiled ONNX models".
#
#   bench/onnx/run.sh [WORK_DIR]          (from anywhere; WORK_DIR defaults to a new mktemp dir)
#
# Needs: JDK 17 + Maven (ONNX Runtime comes from the pom); /usr/bin/python3 with Debian python3-onnx for the two
# larger models generated at bench time (skipped with a note if absent). Every step runs under `timeout`; the whole
# run takes about 5-7 minutes. Nothing is written to the repository except Maven's target/.
#
# Environment knobs: ROUNDS (timing rounds, default 3), SECONDS_PER (seconds of timed calls per session per round,
# default 1.5), CASES (space-separated subset of: mlp convnet convnet224 mlp_wide; default all).
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/onnx"
WORK=${1:-$(mktemp -d /tmp/sagebrush-onnxbench.XXXXXX)}
mkdir -p "$WORK"
ROUNDS=${ROUNDS:-3}
SECONDS_PER=${SECONDS_PER:-1.5}
CASES=${CASES:-mlp convnet convnet224 mlp_wide}
FIX="$ROOT/src/test/resources/fixtures/onnx"
step() { echo; echo "== $*"; }

step "machine"
echo "work dir: $WORK"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(getconf _NPROCESSORS_ONLN) online CPUs"
echo "kernel: $(uname -r); java: $(java -version 2>&1 | head -1)"
echo "git: $(git -C "$ROOT" rev-parse --short HEAD) ($(git -C "$ROOT" rev-parse --abbrev-ref HEAD))"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

step "1. generate the larger models (convnet224 [batch,3,224,224], mlp_wide [N,256]) into $WORK/models"
if /usr/bin/python3 -c 'import onnx' 2>/dev/null; then
  timeout 120 /usr/bin/python3 "$HERE/make_bench_models.py" "$WORK/models"
else
  echo "python3-onnx not available: skipping convnet224 and mlp_wide"
  CASES=$(echo " $CASES " | sed 's/ convnet224 / /; s/ mlp_wide / /')
fi

step "2. build Sagebrush (test-compile)"
(cd "$ROOT" && timeout 600 mvn -q -B test-compile)
CP="$ROOT/target/classes:$ROOT/target/test-classes:$(cat "$ROOT/target/test-classpath.txt")"

# model file, input name, small shape, large shape
declare -A MODEL=([mlp]="$FIX/mlp.onnx" [convnet]="$FIX/convnet.onnx"
                  [convnet224]="$WORK/models/convnet224.onnx" [mlp_wide]="$WORK/models/mlp_wide.onnx")
declare -A INPUT=([mlp]=x [convnet]=image [convnet224]=image [mlp_wide]=x)
declare -A SHAPES=([mlp]="1,16 64,16" [convnet]="1,3,32,32 8,3,32,32"
                   [convnet224]="1,3,224,224 8,3,224,224" [mlp_wide]="1,256 64,256")

step "3. compile with the ONNX compiler's code and time sessions a, b, c, c0, d (ROUNDS=$ROUNDS, SECONDS_PER=$SECONDS_PER)"
: > "$WORK/results.tsv"
for c in $CASES; do
  for shape in ${SHAPES[$c]}; do
    b=${shape%%,*}
    timeout 900 java -cp "$CP" dev.sagebrush.bench.OnnxBench "${MODEL[$c]}" "${INPUT[$c]}" "$shape" \
        "$WORK/$c-b$b" "$ROUNDS" "$SECONDS_PER" 2> >(grep -v 'Serializing optimized model with Graph Optimization level greater' >&2) \
      | tee "$WORK/$c-b$b.log" | grep -v '^RESULT'
    grep '^RESULT' "$WORK/$c-b$b.log" | cut -f2- >> "$WORK/results.tsv"
  done
done

step "summary: median latency per call (wall clock, µs) and latency relative to (a) the original with default options"
echo "a = original .onnx, default SessionOptions (ALL online); b = original, NO_OPT; c = compiled model.ort, default"
echo "options; c0 = model.ort, NO_OPT; d = EXTENDED .onnx, default options. Thread CPU time ratio in brackets."
awk -F'\t' '
  { k = $1 " b=" $2; if (!(k in seen)) { seen[k] = 1; order[++n] = k }
    w[k, $3] = $4; r[k, $3] = $6; rc[k, $3] = $7; d[k, $3] = $9 }
  END {
    printf "%-18s %10s %10s %10s %10s %10s | %-15s %-15s %-15s %-15s | %s\n", "model", "a µs", "b µs", "c µs", "c0 µs", "d µs",
           "b/a", "c/a", "c0/a", "d/a", "max|diff| vs b"
    for (i = 1; i <= n; i++) { k = order[i]; m = 0
      split("a b c c0 d", ids, " "); for (j = 1; j <= 5; j++) if (d[k, ids[j]] + 0 > m) m = d[k, ids[j]] + 0
      printf "%-18s %10.2f %10.2f %10.2f %10.2f %10.2f | %5.2f [%5.2f]   %5.2f [%5.2f]   %5.2f [%5.2f]   %5.2f [%5.2f]   | %.2e\n", k,
        w[k, "a"], w[k, "b"], w[k, "c"], w[k, "c0"], w[k, "d"], r[k, "b"], rc[k, "b"], r[k, "c"], rc[k, "c"],
        r[k, "c0"], rc[k, "c0"], r[k, "d"], rc[k, "d"], m }
  }' "$WORK/results.tsv"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "logs and models: $WORK"
