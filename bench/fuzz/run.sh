#!/usr/bin/env bash
# Hostile-input fuzz run (issue 8): at least 100,000 malformed or hostile requests — SageMaker JSON bodies, headers,
# signatures, S3 requests, HTTP framing lies, and hostile archives/models through CreateCompilationJob — against a real
# server, while a watcher sends a signed call every 200 ms. Exits non-zero on any 5xx, any unanswered signed call, or
# any compilation job failing as InternalServerError. The server runs in the fuzzer's JVM on a temporary data
# directory (or pass ENDPOINT=http://host:port for a running one, with KEY/SECRET).
#
#   bench/fuzz/run.sh                         100,000 requests, 8 threads, seed 1
#   REQUESTS=10000 bench/fuzz/run.sh          a quick look
#
# Knobs: REQUESTS (100000), THREADS (8), SEED (1), COMPILE_EVERY (2000: one model attack per 2000 requests),
# ENDPOINT, KEY (test), SECRET (test), OUT (bench/out/fuzz.md), ONLY (json|headers|s3|framing: one family).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"
REQUESTS="${REQUESTS:-100000}"
THREADS="${THREADS:-8}"
SEED="${SEED:-1}"
COMPILE_EVERY="${COMPILE_EVERY:-2000}"
OUT="${OUT:-$here/bench/out/fuzz.md}"
mkdir -p "$(dirname "$OUT")"

mvn -q -B -o test-compile >&2 2>/dev/null || mvn -q -B test-compile >&2
CP="$here/target/test-classes:$here/target/classes:$(cat target/test-classpath.txt)"
args=(--requests "$REQUESTS" --threads "$THREADS" --seed "$SEED" --compile-every "$COMPILE_EVERY" --out "$OUT"
      --key "${KEY:-test}" --secret "${SECRET:-test}")
[ -n "${ENDPOINT:-}" ] && args+=(--endpoint "$ENDPOINT")
exec java -Xmx2g -Dfuzz.only="${ONLY:-}" -Dlogback.configurationFile="$here/bench/fuzz/logback-quiet.xml" -cp "$CP" \
  dev.sagebrush.fuzz.HostileFuzzer "${args[@]}"
