#!/bin/bash
# Quantized TFLite through TVM against Arm NN (the server's reference): how many quantization steps apart the outputs
# of the quantized test models (fixtures/make_tflite_fixtures.py: quant_u8, quant_s8) are over N random inputs, with
# TVM 0.18's own lowering and with the server's tflite_rounding.apply (quantized AVERAGE_POOL_2D/MEAN rounded as
# TFLite rounds them). Accuracy, not speed: the figures do not depend on the machine's load.
#
#   bench/tflite/quant_accuracy.sh [WORK_DIR]        (from anywhere; N=20 by default)
#
# Needs: JDK 17 + Maven, Debian python3-pyarmnn, python3-numpy, python3-flatbuffers, flatbuffers-compiler.
set -euo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-$(mktemp -d /tmp/sagebrush-quantacc.XXXXXX)}
N=${N:-20}
mkdir -p "$WORK/fixtures" "$WORK/pkg"
echo "git: $(git -C "$ROOT" rev-parse --short HEAD); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$ROOT" && timeout 600 mvn -q -B -o compile)
/usr/bin/python3 "$ROOT/fixtures/make_tflite_fixtures.py" "$WORK/fixtures"
for m in quant_u8 quant_s8; do
    /usr/bin/python3 "$ROOT/bench/tflite/armnn_outputs.py" "$WORK/fixtures/$m.tflite" "$WORK/$m" "$N" 2>/dev/null \
        | grep '^ARMNN'
done
# the tflite package TVM's frontend imports, made as the server makes it (TflitePackage): flatc on our schema
flatc --python -o "$WORK/pkg" "$ROOT/src/main/resources/dev/sagebrush/compilation/tvm/tflite/schema.fbs"
(cd "$WORK/pkg/tflite" && for f in *.py; do echo "from .${f%.py} import ${f%.py}"; done > __init__.py)
cp -r /usr/lib/python3/dist-packages/flatbuffers "$WORK/pkg/"
cat > "$WORK/request.json" <<JSON
{"fixtures": "$WORK/fixtures", "work": "$WORK",
 "resources": "$ROOT/src/main/resources/dev/sagebrush/compilation/tvm",
 "models": [["quant_u8", 1.0], ["quant_s8", $(cat "$WORK/fixtures/quant_s8.step")]]}
JSON
CP="$ROOT/target/classes:$(cat "$ROOT/target/runtime-classpath.txt")"
timeout 1800 env TOPHUB_LOCATION=NONE TVM_NUM_THREADS=1 OMP_NUM_THREADS=1 java -Xmx384m \
    -Dorg.bytedeco.javacpp.cachedir="$WORK/javacpp" -cp "$CP" dev.sagebrush.compilation.tvm.TvmWorker \
    "$ROOT/bench/tflite/tvm_outputs.py" "$WORK/request.json" "$WORK/pkg" 2>&1 | grep '^STEPS'
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
