#!/usr/bin/env bash
# Issue 16's figures as alternated rounds, for a machine whose speed moves
# between minutes: each round runs dlc and then its peers back to back, so
# that each ratio compares runs a minute apart. Four rounds of the CNN
# (dlc's model_bench; Keras+oneDNN, PyTorch eager and ONNX Runtime from
# ../shared/anchors/peers/run_all.sh) and of text_lstm (model_bench; the
# LSTM part of torch_seed_models.py); then VGG16 base and the transfer step
# (model_bench; torch_seed_models.py), the CNN's cold compile three times,
# the AVX2 schedule and SGEMM.
#   usage: bench/cpu/rounds.sh [BUILD_DIR]   (default build/release)
#   env: ROUNDS (4), PY (the anchors' venv python)
set -uo pipefail
cd "$(dirname "$0")/../.."
B="${1:-build/release}"
M="$B/bench/cpu/model_bench"
PEERS=../shared/anchors/peers
PY=${PY:-$HOME/.cache/dlc-anchors/bin/python}
OUT=$(mktemp -d)
echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD); cpu family" \
  "$(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2 | xargs);" \
  "avx512: $(grep -o 'avx512[a-z_]*' /proc/cpuinfo | sort -u | xargs || true)"
for round in $(seq "${ROUNDS:-4}"); do
  echo "## round $round $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  "$M" examples/mnist_cnn.dl --steps 100 --train-batches 64 --infer-batches 1,64
  OUTDIR="$OUT" ONLY="keras_onednn torch_eager ort" "$PEERS/run_all.sh" 2 100 2>&1 | grep -E "^(keras|torch|ort)"
  "$M" examples/text_lstm.dl --steps 30 --train-batches 32 --infer-batches ""
  # torch_seed_models.py up to its VGG16 part: PyTorch's text_lstm step.
  "$PY" - <<'PY'
import sys
sys.argv = ["torch_seed_models.py", "2", "20"]
src = open("../shared/anchors/peers/torch_seed_models.py").read()
exec(compile(src[:src.index("base = nn.Sequential")], "torch_seed_models.py", "exec"))
PY
done
echo "## vgg16 $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
"$M" examples/vgg16.dl --model vgg16_base --steps 3 --train-batches "" --infer-batches 8 --infer-reps 5
"$M" examples/transfer.dl --steps 3 --train-batches 8 --infer-batches ""
"$PY" "$PEERS/torch_seed_models.py" 2 20
echo "## cold compile (first step with an empty kernel cache) $(date -u +%T)"
for i in 1 2 3; do DLC_CACHE_DIR=$(mktemp -d) "$M" examples/mnist_cnn.dl --steps 2 --train-batches 64 --infer-batches ""; done
echo "## AVX2 schedule $(date -u +%T)"
"$M" examples/mnist_cnn.dl --steps 100 --train-batches 64 --infer-batches 1,64 --target cpu:x86-64-v3
echo "## sgemm"
"$B/bench/cpu/sgemm_bench" --reps 30
OPENBLAS_CORETYPE=Haswell "$B/bench/cpu/sgemm_bench" --reps 30 --target x86-64-v3
echo "# end $(date -u +%T)"
