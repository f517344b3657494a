#!/bin/bash
# What the sandboxes cost, side by side with running unsandboxed as before (dev.sagebrush.bench.SandboxBench):
# compiling a 120-tree XGBoost model for rk3399 (aarch64: cross-gcc, harness under qemu-user) and a training process
# start. Needs root, bubblewrap, gcc-aarch64-linux-gnu, qemu-user-static, /usr/bin/python3 with python3-xgboost.
#
#   bench/sandbox/run.sh [WORK_DIR]     knobs: TREES (120), ARCH (aarch64), COMPILE_RUNS (5), START_RUNS (50)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-$(mktemp -d /tmp/sagebrush-sandboxbench.XXXXXX)}
TREES=${TREES:-120}
ARCH=${ARCH:-aarch64}
echo "git: $(git -C "$ROOT" rev-parse --short HEAD); load average: $(cut -d' ' -f1-3 /proc/loadavg); work: $WORK"
timeout 300 /usr/bin/python3 "$ROOT/bench/xgboost/make_model.py" "$WORK" --trees "$TREES" --no-rows
(cd "$ROOT" && mvn -B -q -o test-compile)
cd "$ROOT"
timeout 1800 java -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" \
  dev.sagebrush.bench.SandboxBench "$WORK/model.json" "$ARCH" "$WORK/runs" "${COMPILE_RUNS:-5}" "${START_RUNS:-50}"
