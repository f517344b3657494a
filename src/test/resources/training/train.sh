#!/bin/sh
# A tiny training "algorithm" for the end-to-end tests, in POSIX sh so the suite needs no Python. It follows the
# SageMaker container contract through the SM_* variables: reads its hyperparameters and the "train" channel, prints
# metrics, and writes a model. The "mode" hyperparameter picks how it ends.
set -eu
echo "arguments: $*"
echo "hyperparameters: $(cat "$SM_INPUT_CONFIG_DIR/hyperparameters.json")"
mode="${SM_HP_MODE:-ok}"
epochs="${SM_HP_EPOCHS:-1}"

case "$mode" in
  fail)
    printf 'ValueError: the mode hyperparameter asked this job to fail\n' > "$SM_OUTPUT_DIR/failure"
    echo "failing on purpose" >&2
    exit 3
    ;;
  sleep)
    # Saves a partial model when told to stop, as SageMaker asks algorithms to do in the SIGTERM grace period.
    trap 'echo "got SIGTERM"; echo partial > "$SM_MODEL_DIR/partial.txt"; exit 143' TERM
    echo "sleeping"
    sleep 60 &
    wait $!
    exit 0
    ;;
  hang)
    # Holds a training worker for the whole test class (the Search suite keeps other jobs queued behind it).
    trap 'echo "got SIGTERM"; exit 143' TERM
    echo "hanging"
    sleep 3600 &
    wait $!
    exit 0
    ;;
  ignore-term)
    trap '' TERM
    echo "sleeping and ignoring SIGTERM"
    sleep 60 &
    wait $!
    exit 0
    ;;
esac

rows=$(find "$SM_CHANNEL_TRAIN" -type f -exec cat {} + | wc -l | tr -d ' ')
i=1
while [ "$i" -le "$epochs" ]; do
  echo "epoch=$i train:loss=0.$((10 - i)) validation:auc=0.9$i"
  i=$((i + 1))
done
echo "a line that mentions train:loss=not-a-number" >&2
{
  echo "rows=$rows"
  echo "job=$TRAINING_JOB_NAME"
  echo "arn=$TRAINING_JOB_ARN"
  echo "my_var=${MY_VAR:-}"
  echo "channels=$SM_CHANNELS"
  echo "current_host=$SM_CURRENT_HOST"
  echo "files=$(cd "$SM_CHANNEL_TRAIN" && find . -type f | sort | tr '\n' ' ')"
} > "$SM_MODEL_DIR/model.txt"
mkdir -p "$SM_MODEL_DIR/sub"
echo nested > "$SM_MODEL_DIR/sub/weights.bin"
# Output data goes straight into SM_OUTPUT_DATA_DIR, which exists before the algorithm starts (no mkdir here).
if [ -n "${SM_HP_OUTPUT_DATA:-}" ]; then
  echo "rows=$rows" > "$SM_OUTPUT_DATA_DIR/$SM_HP_OUTPUT_DATA"
fi
exit 0
