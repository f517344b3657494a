#!/bin/bash
# Runs a Python script in the TVM compiler's own interpreter (TvmWorker: CPython 3.13 + TVM 0.18 embedded in a JVM),
# with the natives and the onnx stand-ins a bench/tvm/run.sh run unpacked into WORK_DIR. For looking inside the
# artifacts that run.sh compiled (profile_ops.py) and timing them against each other (ab_time.py).
#
#   bench/tvm/tvm_python.sh WORK_DIR script.py [args...]     (after bench/tvm/run.sh WORK_DIR)
#
# The script gets its arguments as a JSON list in the file named by sys.argv[1] (TvmWorker passes one file).
set -euo pipefail
WORK=$(cd "$1" && pwd); SCRIPT=$2; shift 2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ARGS=$(mktemp /tmp/tvm-python-args.XXXXXX.json)
trap 'rm -f "$ARGS"' EXIT
printf '%s\n' "$@" | /usr/bin/python3 -c 'import json, sys; json.dump(sys.stdin.read().splitlines(), open(sys.argv[1], "w"))' "$ARGS"
exec env PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python TOPHUB_LOCATION=NONE PYTHONDONTWRITEBYTECODE=1 \
    TVM_NUM_THREADS=1 OMP_NUM_THREADS=1 java -Xmx2g -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dorg.bytedeco.javacpp.cachedir="$WORK/cache/javacpp" -cp "$WORK/classes:$(cat "$ROOT/target/test-classpath.txt")" \
    dev.sagebrush.compilation.tvm.TvmWorker "$SCRIPT" "$ARGS" "$(ls -d "$WORK"/cache/tvm-python-* | head -1)" \
    2> >(grep -v -e apple-latest -e "do not match" >&2)
