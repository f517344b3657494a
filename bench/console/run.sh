#!/usr/bin/env bash
# Console page load and /metrics scrape with 100,000 training jobs in the store (dev.sagebrush.bench.ConsoleBench).
# Starts an in-process server (API-only: no training, compilation or notebook workers) on a temporary data directory,
# fills it through the API (16 client threads), then drives Debian's chromium (chromium + chromium-driver) headless.
#
#   bench/console/run.sh                    N=100000 jobs, 30 page loads, 2000 scrapes
#   N=5000 ROUNDS=10 bench/console/run.sh   a quick look
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"
mvn -B -q -o test-compile
SAGEBRUSH_ACCESS_LOG=OFF exec java -Xmx2g -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
    dev.sagebrush.bench.ConsoleBench
