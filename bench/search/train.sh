#!/bin/sh
# The training "algorithm" of the Search benchmark's real jobs: reads its channel, prints the metrics its
# hyperparameters ask for (sim_auc), writes a model, or fails when mode=fail. POSIX sh, so the bench needs no Python.
set -eu
if [ "${SM_HP_MODE:-ok}" = fail ]; then
  printf 'ValueError: the mode hyperparameter asked this job to fail\n' > "$SM_OUTPUT_DIR/failure"
  exit 3
fi
rows=$(find "$SM_CHANNEL_TRAIN" -type f -exec cat {} + | wc -l | tr -d ' ')
echo "epoch=1 train:loss=0.4$rows validation:auc=0.5"
echo "epoch=2 train:loss=0.2$rows validation:auc=${SM_HP_SIM_AUC}"
echo "rows=$rows max_depth=${SM_HP_MAX_DEPTH:-}" > "$SM_MODEL_DIR/model.txt"
exit 0
