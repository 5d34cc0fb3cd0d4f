#!/usr/bin/env bash
# Issue 16's figures side by side, in one run, on an idle machine: the CPU
# (model and AVX-512 flags), dlc's model_bench on every example model (the
# CNN for this CPU and, where it runs AVX-512, also for x86-64-v3 so that
# the AVX2 schedule is measured too), SGEMM against OpenBLAS, then the peers
# of ../shared/anchors/peers (run_all.sh: Keras/TF with and without oneDNN,
# XLA, JAX, PyTorch eager and torch.compile, ONNX Runtime; and
# torch_seed_models.py: PyTorch on text_lstm, VGG16 and transfer).
#   usage: bench/cpu/peers.sh [BUILD_DIR] [OUT_DIR]   (defaults build/release, bench/cpu/results)
#   env: THREADS (2), PEER_STEPS (100), SEED_STEPS (20), SKIP_PEERS=1 (dlc only)
set -uo pipefail
cd "$(dirname "$0")/../.."
B="${1:-build/release}" OUT="${2:-bench/cpu/results}"
T=${THREADS:-2}
mkdir -p "$OUT"
log="$OUT/peers-$(date -u +%Y%m%dT%H%M%SZ).log"
exec > >(tee "$log") 2>&1
echo "# $(date -u +%FT%TZ) $(uname -n), $(nproc) cores, build $B, threads $T"
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  "model $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2 | xargs);" \
  "avx512: $(grep -o 'avx512[a-z_]*' /proc/cpuinfo | sort -u | xargs || true)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
MB="$B/bench/cpu/model_bench"
targets=(cpu)
grep -q avx512f /proc/cpuinfo && targets+=(cpu:x86-64-v3)
for t in "${targets[@]}"; do
  "$MB" examples/mnist_cnn.dl --steps 50 --target "$t"
done
"$MB" examples/text_lstm.dl --steps 20 --train-batches 32 --infer-batches 32 --infer-reps 20
"$MB" examples/vgg16.dl --model vgg16_base --steps 3 --train-batches "" --infer-batches 8 --infer-reps 3
"$MB" examples/transfer.dl --steps 3 --train-batches 8 --infer-batches ""
if [[ -x "$B/bench/cpu/sgemm_bench" ]]; then "$B/bench/cpu/sgemm_bench" --reps 30; fi
if [[ -z "${SKIP_PEERS:-}" ]]; then
  PEERS=../shared/anchors/peers
  OUTDIR="$OUT" "$PEERS/run_all.sh" "$T" "${PEER_STEPS:-100}"
  "${PY:-$HOME/.cache/dlc-anchors/bin/python}" "$PEERS/summarize.py" "$(ls -t "$OUT"/anchors_*.jsonl | head -1)"
  "${PY:-$HOME/.cache/dlc-anchors/bin/python}" "$PEERS/torch_seed_models.py" "$T" "${SEED_STEPS:-20}"
fi
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
