#!/usr/bin/env bash
# Notebook start-up benchmark: bench/notebooks/run.sh [instances=10] [RootAccess=Disabled|Enabled]
# Builds the main classes, then runs NotebookStartBench.java (a single-file Java program) on the runtime classpath.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
(cd "$here" && mvn -q -B -DskipTests compile)
exec java -Xlog:disable -cp "$here/target/classes:$(cat "$here/target/runtime-classpath.txt")" \
  "$here/bench/notebooks/NotebookStartBench.java" "$@" 2>&1 | grep -v ' INFO \| DEBUG '
