"""A training process for the log benchmark: prints RATE lines per second for SECONDS seconds, paced by the clock.

Lines go out in batches every 5 ms against an absolute schedule, so a reader that slows the pipe makes this process
late, and the lateness shows in its elapsed time. Each line carries its sequence number (the benchmark checks that
none is lost). The summary goes to stderr as the last line: elapsed=<s> lines=<n> max_behind_ms=<ms>.
Settings come from the environment as a training job's hyperparameters do: SM_HP_RATE, SM_HP_SECONDS.
"""
import os
import sys
import time

rate = int(os.environ.get("SM_HP_RATE", "200000"))
seconds = float(os.environ.get("SM_HP_SECONDS", "10"))
tick = 0.005
per_tick = max(1, int(rate * tick))
total = int(rate * seconds)
out = sys.stdout
start = time.monotonic()
n = 0
max_behind = 0.0
while n < total:
    due = start + (n / rate)
    now = time.monotonic()
    if now < due:
        time.sleep(due - now)
    else:
        max_behind = max(max_behind, now - due)
    k = min(per_tick, total - n)
    out.write("".join("%d step=%d loss=0.%06d some training output of a typical width\n" % (i, i // 100, i % 999983)
                      for i in range(n, n + k)))
    out.flush()
    n += k
elapsed = time.monotonic() - start
sys.stdout.flush()
sys.stderr.write("elapsed=%.3f lines=%d max_behind_ms=%.1f\n" % (elapsed, n, max_behind * 1000))
sys.stderr.flush()
