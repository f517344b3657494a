#!/bin/sh
# The training "algorithm" of the multi-node tests (POSIX sh, no Python): reads the train channel (downloaded from
# the shared object store by whichever node runs it), works for SM_HP_SECONDS seconds (long enough to kill or stall
# its node mid-run), and writes a model holding what it read.
set -eu
seconds="${SM_HP_SECONDS:-0}"
echo "training for $seconds s"
i=0
while [ "$i" -lt "$seconds" ]; do
  sleep 1
  i=$((i + 1))
  echo "epoch=$i train:loss=0.$i"
done
cat "$SM_CHANNEL_TRAIN"/* > "$SM_MODEL_DIR/data-seen.txt"
echo "job=$TRAINING_JOB_NAME" > "$SM_MODEL_DIR/model.txt"
