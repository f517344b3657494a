#!/bin/bash
# TFLite through TVM: compile time per target device for the hand-written test models (a convnet and an MLP,
# fixtures/make_tflite_fixtures.py), rounds interleaved across devices, medians printed; and the Java reader's time.
#
#   bench/tflite/run.sh [WORK_DIR]        (from the repository root)
#
# Needs: JDK 17 + Maven, Debian flatbuffers-compiler, python3-flatbuffers, python3-numpy, gcc and the cross
# compilers. Knobs: ROUNDS (default 3), DEVICES (default ml_c5,rk3399,rk3288).
set -euo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-$(mktemp -d /tmp/sagebrush-tflitebench.XXXXXX)}
mkdir -p "$WORK"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(getconf _NPROCESSORS_ONLN) CPUs"
echo "git: $(git -C "$ROOT" rev-parse --short HEAD); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$ROOT" && timeout 600 mvn -q -B -o test-compile)
rm -rf "$WORK/classes" "$WORK/test-classes"
cp -r "$ROOT/target/classes" "$WORK/classes" && cp -r "$ROOT/target/test-classes" "$WORK/test-classes"
CP="$WORK/classes:$WORK/test-classes:$(cat "$ROOT/target/test-classpath.txt")"
(cd "$ROOT" && timeout 1800 java -cp "$CP" dev.sagebrush.bench.TfliteBench "$WORK/runs" "${DEVICES:-ml_c5,rk3399,rk3288}" \
    "${ROUNDS:-3}" "$WORK/cache") | grep -E "^(READ|COMPILE|MEDIAN)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
