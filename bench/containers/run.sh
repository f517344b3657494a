#!/bin/bash
# Container start overhead per training job vs the sandboxed process backend (dev.sagebrush.bench.ContainerStartBench):
# the same trivial job N times on each backend, interleaved, create -> Completed as a polling client sees it.
# Needs root, bubblewrap, podman + runc, mmdebstrap (the test image is built once per machine, cached by recipe hash).
#
#   bench/containers/run.sh [N]     (default 15 jobs per backend)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
echo "git: $(git -C "$ROOT" rev-parse --short HEAD); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$ROOT" && mvn -B -q -o test-compile)
cd "$ROOT"
timeout 1800 java -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" \
  dev.sagebrush.bench.ContainerStartBench "${1:-15}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
