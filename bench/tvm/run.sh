#!/bin/bash
# Benchmark of the TVM tier: compile time per target device, and x86_64 latency of the compiled artifact (TVM's graph
# executor, one thread) against the original model in ONNX Runtime 1.23.2 with default SessionOptions and one
# intra-op thread, same machine, interleaved rounds.
#
#   bench/tvm/run.sh [WORK_DIR]        (from the repository root)
#
# Needs: JDK 17 + Maven, /usr/bin/python3 with Debian python3-onnx (to generate convnet224/mlp_wide with
# bench/onnx/make_bench_models.py), gcc and the cross compilers. Knobs: ROUNDS (default 3), DEVICES (default
# ml_c5,rk3399,rk3288), CASES (default "mlp convnet convnet224 mlp_wide").
set -euo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-$(mktemp -d /tmp/sagebrush-tvmbench.XXXXXX)}
mkdir -p "$WORK"
ROUNDS=${ROUNDS:-3}
DEVICES=${DEVICES:-ml_c5,rk3399,rk3288}
CASES=${CASES:-mlp convnet convnet224 mlp_wide}
FIX="$ROOT/src/test/resources/fixtures/onnx"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(getconf _NPROCESSORS_ONLN) CPUs"
echo "git: $(git -C "$ROOT" rev-parse --short HEAD); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
timeout 120 /usr/bin/python3 "$ROOT/bench/onnx/make_bench_models.py" "$WORK/models"
(cd "$ROOT" && timeout 600 mvn -q -B -o test-compile)
# A snapshot of the classes, so a rebuild in the repository during the run cannot pull them away.
rm -rf "$WORK/classes" "$WORK/test-classes"
cp -r "$ROOT/target/classes" "$WORK/classes" && cp -r "$ROOT/target/test-classes" "$WORK/test-classes"
CP="$WORK/classes:$WORK/test-classes:$(cat "$ROOT/target/test-classpath.txt")"
for c in $CASES; do
  case $c in
    mlp) args=("$FIX/mlp.onnx" x 1,16) ;;
    convnet) args=("$FIX/convnet.onnx" image 1,3,32,32) ;;
    convnet224) args=("$WORK/models/convnet224.onnx" image 1,3,224,224) ;;
    mlp_wide) args=("$WORK/models/mlp_wide.onnx" x 1,256) ;;
  esac
  echo "== $c"
  (cd "$ROOT" && timeout 1800 java -cp "$CP" dev.sagebrush.bench.TvmBench "${args[@]}" "$WORK/$c" "$DEVICES" \
      "$ROUNDS" "$WORK/cache") | grep -E "^(COMPILE|ROUND|LATENCY)"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
