#!/usr/bin/env bash
# CloudWatch Logs benchmark: ingest (a training process printing RATE lines/s for DURATION s is not slowed and loses no
# line) and read (GetLogEvents pages of 10,000 events from an EVENTS-event stream). See LogsBench.java.
#
#   bench/logs/run.sh                          200,000 lines/s for 10 s; 1,000,000 events, 200 pages
#   RATE=50000 DURATION=3 EVENTS=100000 bench/logs/run.sh      a quick look
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"
RATE="${RATE:-200000}"
DURATION="${DURATION:-10}"
EVENTS="${EVENTS:-1000000}"
ROUNDS="${ROUNDS:-200}"
[ -x /usr/bin/python3 ] || { echo "bench: /usr/bin/python3 is needed (Debian: apt-get install python3)" >&2; exit 1; }
mvn -q -B -o test-compile >&2 2>/dev/null || mvn -q -B test-compile >&2
CP="$here/target/test-classes:$here/target/classes:$(cat target/test-classpath.txt)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load $(cut -d' ' -f1-3 /proc/loadavg)"
java ${BENCH_JAVA_OPTS:-} -cp "$CP" dev.sagebrush.bench.LogsBench ingest "$here/bench/logs/printer.py" "$RATE" "$DURATION" 2> >(grep -v ' INFO ' >&2)
java ${BENCH_JAVA_OPTS:-} -cp "$CP" dev.sagebrush.bench.LogsBench read "$EVENTS" "$ROUNDS" 2> >(grep -v ' INFO ' >&2)
