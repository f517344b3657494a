#!/usr/bin/env bash
# Framework image build times and sizes: each image built from scratch RUNS times (--force), then once from the cache
# (what CI pays on a machine that already has them). Prints the CLI's own timing lines and `images list`.
#   bench/images/run.sh [RUNS] [FRAMEWORK...]      e.g. bench/images/run.sh 3 sklearn
# Needs root, mmdebstrap, podman and a reachable Debian mirror. Record `uptime` with the figures: the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-1}"; shift || true
frameworks=("${@:-sklearn pytorch xgboost}")
uptime
for fw in ${frameworks[@]}; do
  for i in $(seq "$runs"); do
    bin/sagebrush images build --force "$fw" | grep -E ': built in|: up to date'
  done
  start=$(date +%s.%N)
  bin/sagebrush images build "$fw" | grep -E ': built in|: up to date'
  echo "$fw: cached check (whole CLI run, JVM start included) $(awk "BEGIN {print $(date +%s.%N) - $start}") s"
done
bin/sagebrush images list
uptime
