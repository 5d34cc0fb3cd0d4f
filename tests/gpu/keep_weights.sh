#!/usr/bin/env bash
# CUDA training keeps its parameter updates on the device between steps
# (api/execute.h). This trains examples/mnist_cnn.dl for two short epochs
# (an evaluation at each epoch's end and a checkpoint every 3 steps read the
# weights back in between) with and without that (DLC_CUDA_KEEP_WEIGHTS=0),
# and checks that the saved weights agree to 1e-5.
#
# usage: tests/gpu/keep_weights.sh DLC [WORK_DIR]    (exit 0: same; 1: differ)
set -euo pipefail
DLC="$1"
WORK="${2:-$(mktemp -d)}"
mkdir -p "$WORK"
python3 - "$WORK" <<'PY'
import os, sys
import numpy as np
w = sys.argv[1]
rng = np.random.default_rng(0)
np.save(os.path.join(w, "X.npy"), rng.random((96, 28, 28, 1), dtype=np.float32))
np.save(os.path.join(w, "Y.npy"), rng.integers(0, 10, size=(96,), dtype=np.int32))
PY
root="$(cd "$(dirname "$0")/../.." && pwd)"
for keep in 1 0; do
  DLC_CUDA_KEEP_WEIGHTS=$keep "$DLC" train "$root/examples/mnist_cnn.dl" --data "npy:$WORK/X.npy,$WORK/Y.npy" \
    --target cuda --epochs 2 --batch-size 16 --seed 3 --progress lines --checkpoint "$WORK/ckpt$keep" \
    --checkpoint-every 3 --save "$WORK/weights$keep.safetensors" >"$WORK/train$keep.log" 2>&1
done
# Not byte for byte: cuDNN's fastest backward algorithms add with atomics,
# so two runs differ in the last bits. A stale or lost update would be off
# by a whole Adam step (~1e-3); summation order stays below 1e-5.
python3 - "$WORK/weights1.safetensors" "$WORK/weights0.safetensors" <<'PY'
import json, struct, sys
import numpy as np
def load(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__": continue
        begin, end = info["data_offsets"]
        dtype = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}[info["dtype"]]
        out[name] = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=dtype).astype(np.float64)
    return out
kept, returned = load(sys.argv[1]), load(sys.argv[2])
assert kept.keys() == returned.keys(), (sorted(kept), sorted(returned))
worst = max((float(np.max(np.abs(kept[k] - returned[k]))) if kept[k].size else 0.0, k) for k in kept)
if worst[0] > 1e-5:
    print(f"keep_weights: the weights differ: {worst[1]} by {worst[0]:.3g}")
    sys.exit(1)
print(f"keep_weights: the same weights with and without DLC_CUDA_KEEP_WEIGHTS (largest difference {worst[0]:.3g})")
PY
