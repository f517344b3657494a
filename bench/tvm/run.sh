#!/bin/bash
# Benchmark of the TVM tier: compile time per target device, and x86_64 latency of the compiled artifact (TVM's graph
# executor, one thread) against the original model in ONNX Runtime 1.23.2 with default SessionOptions and one
# intra-op thread, in one process on one thread, interleaved batch by batch (TvmVsOrt: wall and thread CPU time).
#
#   bench/tvm/run.sh [WORK_DIR]        (from the repository root)
#
# Needs: JDK 17 + Maven, /usr/bin/python3 with Debian python3-onnx (convnet224/mlp_wide, bench/onnx/make_bench_models.py)
# and python3-torch + python3-torchvision (resnet18/mobilenet_v2, make_torchvision_models.py), gcc and the cross
# compilers. Knobs: BATCHES (timed batches per side, default 21), DEVICES (default ml_c5,rk3399,rk3288), CASES
# (default "mlp mlp_wide convnet convnet224 resnet18 mobilenet_v2"), BASELINE (a git revision: its compiler also
# builds the x86_64 artifact, timed in the same process as "before"; e.g. BASELINE=main).
set -euo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-$(mktemp -d /tmp/sagebrush-tvmbench.XXXXXX)}
mkdir -p "$WORK"
BATCHES=${BATCHES:-21}
DEVICES=${DEVICES:-ml_c5,rk3399,rk3288}
CASES=${CASES:-mlp mlp_wide convnet convnet224 resnet18 mobilenet_v2}
FIX="$ROOT/src/test/resources/fixtures/onnx"
X86=${DEVICES%%,*}
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(getconf _NPROCESSORS_ONLN) CPUs"
echo "git: $(git -C "$ROOT" rev-parse --short HEAD); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
timeout 120 /usr/bin/python3 "$ROOT/bench/onnx/make_bench_models.py" "$WORK/models"
case " $CASES " in *" resnet18 "*|*" mobilenet_v2 "*)
  timeout 600 /usr/bin/python3 "$ROOT/bench/tvm/make_torchvision_models.py" "$WORK/models" ;;
esac
(cd "$ROOT" && timeout 600 mvn -q -B -o test-compile)
# A snapshot of the classes, so a rebuild in the repository during the run cannot pull them away.
rm -rf "$WORK/classes" "$WORK/test-classes"
cp -r "$ROOT/target/classes" "$WORK/classes" && cp -r "$ROOT/target/test-classes" "$WORK/test-classes"
DEPS=$(cat "$ROOT/target/test-classpath.txt")
CP="$WORK/classes:$WORK/test-classes:$DEPS"
if [ -n "${BASELINE:-}" ]; then
  # The baseline's own compiler (its classes first on the class path), driven by this tree's TvmBench.
  rm -rf "$WORK/baseline" && mkdir -p "$WORK/baseline"
  git -C "$ROOT" archive "$BASELINE" | tar -x -C "$WORK/baseline"
  (cd "$WORK/baseline" && timeout 900 mvn -q -B -o compile)
  BASE_CP="$WORK/baseline/target/classes:$WORK/test-classes:$DEPS"
fi
for c in $CASES; do
  case $c in
    mlp) args=("$FIX/mlp.onnx" x 1,16) ;;
    convnet) args=("$FIX/convnet.onnx" image 1,3,32,32) ;;
    mlp_wide) args=("$WORK/models/mlp_wide.onnx" x 1,256) ;;
    *) args=("$WORK/models/$c.onnx" image 1,3,224,224) ;;
  esac
  echo "== $c"
  timeout 3600 java -cp "$CP" dev.sagebrush.bench.TvmBench "${args[@]}" "$WORK/$c" "$DEVICES" 0 "$WORK/cache" \
    | grep -E "^COMPILE"
  sides=("after=$WORK/$c/$X86/artifact")
  if [ -n "${BASELINE:-}" ]; then
    timeout 1800 java -cp "$BASE_CP" dev.sagebrush.bench.TvmBench "${args[@]}" "$WORK/$c-baseline" "$X86" 0 \
        "$WORK/cache" | grep -E "^COMPILE" | sed 's/^COMPILE/COMPILE_BASELINE/'
    sides=("before=$WORK/$c-baseline/$X86/artifact" "${sides[@]}")
  fi
  timeout 1800 java -cp "$CP" dev.sagebrush.bench.TvmVsOrt "${args[@]}" "$WORK/cache" "$BATCHES" "${sides[@]}" \
    2> >(grep -v apple-latest >&2) | grep -E "^LATENCY|maxdiff"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
