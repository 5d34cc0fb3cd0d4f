#!/usr/bin/env bash
# Every CPU figure of bench/RESULTS.md's issue-6 entry, side by side in one
# run: copy bandwidth, dlc's fused elementwise chains, SGEMM against
# OpenBLAS, the CNN's training step and inference through the public API,
# and the PyTorch anchor (Debian's python3-torch, 2 threads).
# usage: bench/cpu/run_all.sh [BUILD_DIR]   (default build/release)
set -uo pipefail
cd "$(dirname "$0")/../.."
B="${1:-build/release}"
echo "# $(date -u +%FT%TZ) $(uname -n) $(nproc) cores, build $B"
"$B/bench/cpu/copy_bench"
for m in chain chain_math; do
  DLC_PROFILE=1 "$B/bench/cpu/model_bench" "bench/cpu/$m.dl" --static --steps 10 2>&1 |
    awk -v m="$m" '/k0_/ {ms = (best == "" || $3 < best) ? $3 : best; best = ms}
                   /static_inference/ {print}
                   END {printf "{\"bench\": \"%s_kernel\", \"best_kernel_ms\": %s, \"GBps\": %.2f}\n", m, best, 134217728 / best / 1e6}'
done
if [[ -x "$B/bench/cpu/sgemm_bench" ]]; then "$B/bench/cpu/sgemm_bench" --reps 30; fi
"$B/bench/cpu/model_bench" examples/mnist_cnn.dl --steps 50
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  /usr/bin/python3 ../shared/anchors/torch_cnn.py 1 2 2>&1 | tail -2
fi
