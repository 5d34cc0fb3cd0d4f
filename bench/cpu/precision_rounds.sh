#!/usr/bin/env bash
# Issue 17's CPU rows: what each --precision costs or gains, in alternated
# rounds beside the peers (a machine whose speed moves between minutes): per
# round, dlc's model_bench on the CNN (training at 64, inference at 64) and on
# text_lstm (training at 32) in fp32, bf16 and fp16; PyTorch eager in fp32 and
# under torch.autocast (torch_autocast.py); Keras+oneDNN's CNN
# (../shared/anchors/peers/run_all.sh).
#   usage: bench/cpu/precision_rounds.sh [BUILD_DIR]   (default build/release)
#   env: ROUNDS (3), PY (the anchors' venv python)
set -uo pipefail
cd "$(dirname "$0")/../.."
B="${1:-build/release}"
M="$B/bench/cpu/model_bench"
PEERS=../shared/anchors/peers
PY=${PY:-$HOME/.cache/dlc-anchors/bin/python}
OUT=$(mktemp -d)
echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "cpu family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2 | xargs);" \
  "flags: $(grep -o -w 'avx2\|f16c\|avx512[a-z_0-9]*\|amx[a-z_0-9]*' /proc/cpuinfo | sort -u | xargs || true)"
for round in $(seq "${ROUNDS:-3}"); do
  echo "## round $round $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  for p in fp32 bf16 fp16; do
    "$M" examples/mnist_cnn.dl --precision "$p" --steps 100 --train-batches 64 --infer-batches 64 --infer-reps 50
    "$M" examples/text_lstm.dl --precision "$p" --steps 30 --train-batches 32 --infer-batches ""
  done
  "$PY" bench/cpu/torch_autocast.py 2 50
  OUTDIR="$OUT" ONLY="keras_onednn" "$PEERS/run_all.sh" 2 100 2>&1 | grep -E "^keras"
done
echo "# end $(date -u +%T)"
