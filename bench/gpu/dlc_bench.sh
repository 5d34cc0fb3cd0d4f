#!/usr/bin/env bash
# dlc measured as a compiler, on the target it is given: kernel times of
# three memory-bound models (DLC_PROFILE=1), training throughput of
# examples/mnist_cnn.dl on synthetic data, and the cold and warm compile
# time of its train step (DLC_COMPILE_TIMES=1).
#
# usage: bench/gpu/dlc_bench.sh BIN_DIR OUT_DIR [cuda|cpu]
#   BIN_DIR  the folder holding the dlc binary
#   OUT_DIR  gets dlc_bench.jsonl (appended): JSON lines, and the raw output
#            of every command as lines starting with '#'
#   cpu      dry run on the CPU, with small sizes and step counts
# JSON lines (also on stdout):
#   {"bench": "elementwise_chain_8192x8192", "ms": ..., "gbps": ..., "bytes": ..., "steps": ..., "wall_s": ...}
#     ms, bytes: sums over the profiled steps; gbps = bytes / ms (a lower bound)
#   {"bench": "train_mnist_cnn_b64", "samples_per_s": ..., "ms_per_step": ..., ...}
#     from the wall time of an N-step run minus a 1-step run (compile removed)
#   {"bench": "compile_mnist_cnn_train_cold"|"..._warm", "line": "dlc compile-times: ...", ...}
# Every command runs under a timeout; a failure is logged and the rest go on.
# The whole script stays within DLC_BENCH_BUDGET_S seconds (default 75):
# what would start after that is skipped.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN_DIR="${1:?usage: dlc_bench.sh BIN_DIR OUT_DIR [cuda|cpu]}"
OUT_DIR="${2:?usage: dlc_bench.sh BIN_DIR OUT_DIR [cuda|cpu]}"
TARGET="${3:-cuda}"
BUDGET="${DLC_BENCH_BUDGET_S:-75}"
CMD_LIMIT="${DLC_BENCH_CMD_TIMEOUT_S:-60}"  # each command's timeout
DLC="$(realpath -m "$BIN_DIR/dlc")"
mkdir -p "$OUT_DIR"
JSONL="$(realpath -m "$OUT_DIR/dlc_bench.jsonl")"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/dlc_bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
START=$SECONDS
# CUDA's default lazy module loading, as users run it (EAGER would load every
# cuDNN and cuBLAS kernel when the library is opened: seconds).
unset CUDA_MODULE_LOADING
unset DLC_PROFILE DLC_COMPILE_TIMES

log() { printf '# %s\n' "$*" >>"$JSONL"; }
emit() { printf '%s\n' "$1" | tee -a "$JSONL"; }
over_budget() {
  if ((SECONDS - START >= BUDGET)); then
    log "skipped $1: past the budget of ${BUDGET}s"
    emit "{\"bench\": \"$1\", \"skipped\": \"budget\"}"
    return 0
  fi
  return 1
}
# timed LIMIT LOGFILE CMD...: runs CMD under timeout with stdout+stderr in
# LOGFILE, copies LOGFILE into the jsonl as comments; sets RC and WALL.
timed() {
  local limit=$1 out=$2
  shift 2
  local t0 t1
  t0=$(date +%s.%N)
  timeout --kill-after=5 "$limit" "$@" >"$out" 2>&1
  RC=$?
  t1=$(date +%s.%N)
  WALL=$(python3 -c "print(round($t1 - $t0, 3))")
  log "\$ $* -> exit $RC in ${WALL}s"
  # The profile prints a line per step: keep the head and the tail.
  if (($(wc -l <"$out") > 40)); then
    head -n 20 "$out" | sed 's/^/#   /' >>"$JSONL"
    log "  ... $(($(wc -l <"$out") - 40)) lines ..."
    tail -n 20 "$out" | sed 's/^/#   /' >>"$JSONL"
  else
    sed 's/^/#   /' "$out" >>"$JSONL"
  fi
}

log "dlc_bench: dlc=$DLC target=$TARGET work=$WORK budget=${BUDGET}s $(date -u +%FT%TZ)"
if [[ ! -x "$DLC" ]]; then
  log "no dlc binary at $DLC"
  emit "{\"bench\": \"setup\", \"error\": \"no dlc at $DLC\"}"
  exit 0
fi

# Sizes: the brief's on the GPU, small ones for a CPU dry run.
if [[ "$TARGET" == cpu ]]; then
  EW=(256 256); ROWS=(512 1024); NTRAIN=512; BATCHES=(64 128); STEPS_SMALL=3; STEPS_TARGET_S=2
else
  EW=(8192 8192); ROWS=(65536 1024); NTRAIN=16384; BATCHES=(64 512); STEPS_SMALL=200; STEPS_TARGET_S=6
fi

# Inputs and models.
timed "$CMD_LIMIT" "$WORK/gen.log" python3 - "$WORK" "${EW[0]}" "${EW[1]}" "${ROWS[0]}" "${ROWS[1]}" "$NTRAIN" <<'PY'
import os, sys
import numpy as np
w = sys.argv[1]; e0, e1, r0, r1, n = map(int, sys.argv[2:])
rng = np.random.default_rng(0)
np.save(os.path.join(w, "ew.npy"), rng.standard_normal((e0, e1), dtype=np.float32))
np.save(os.path.join(w, "rows.npy"), rng.standard_normal((r0, r1), dtype=np.float32))
np.save(os.path.join(w, "X.npy"), rng.integers(0, 256, size=(n, 28, 28, 1)).astype(np.float32) / 255)
np.save(os.path.join(w, "Y.npy"), rng.integers(0, 10, size=(n,), dtype=np.int32))
with open(os.path.join(w, "ew.dl"), "w") as f:
    f.write(f"""model elementwise_chain(x: f32[{e0}, {e1}]) {{
  a = x * 2 + 1
  b = relu(a)
  c = tanh(b)
  d = sigmoid(c)
  e = add(d, x)
  return e * 0.5 - 0.25
}}
""")
with open(os.path.join(w, "softmax.dl"), "w") as f:
    f.write(f"model row_softmax(x: f32[{r0}, {r1}]) {{\n  softmax(axis=-1)\n}}\n")
with open(os.path.join(w, "layernorm.dl"), "w") as f:
    f.write(f"model row_layernorm(x: f32[{r0}, {r1}]) {{\n  layernorm(axis=-1)\n}}\n")
print("inputs and models written to", w)
PY
if ((RC != 0)); then
  emit "{\"bench\": \"setup\", \"error\": \"generating inputs failed (exit $RC)\"}"
  exit 0
fi

# A fresh kernel cache for this run: (e) needs it cold, the rest reuse it.
export DLC_CACHE_DIR="$WORK/cache"

# (e) first, while the cache is empty: the CNN's train step cold, then warm.
TRAIN_ARGS=(train examples/mnist_cnn.dl --data "npy:$WORK/X.npy,$WORK/Y.npy" --target "$TARGET" --progress lines
  --epochs 100000)
for kind in cold warm; do
  over_budget "compile_mnist_cnn_train_$kind" && continue
  timed "$CMD_LIMIT" "$WORK/compile_$kind.log" env DLC_COMPILE_TIMES=1 "$DLC" "${TRAIN_ARGS[@]}" --steps 1 --batch-size 64
  lines=$(grep '^dlc compile-times:' "$WORK/compile_$kind.log" | python3 -c 'import json,sys; print(json.dumps([l.rstrip("\n") for l in sys.stdin]))')
  emit "{\"bench\": \"compile_mnist_cnn_train_$kind\", \"rc\": $RC, \"wall_s\": $WALL, \"lines\": $lines}"
done

# (a)-(c) kernel times under DLC_PROFILE=1 (one line per step; the executor
# warms up once before the timed pass).
for spec in "elementwise_chain_${EW[0]}x${EW[1]}:ew.dl:ew.npy" "softmax_${ROWS[0]}x${ROWS[1]}:softmax.dl:rows.npy" \
            "layernorm_${ROWS[0]}x${ROWS[1]}:layernorm.dl:rows.npy"; do
  IFS=: read -r name model input <<<"$spec"
  over_budget "$name" && continue
  timed "$CMD_LIMIT" "$WORK/$name.log" env DLC_PROFILE=1 "$DLC" run "$WORK/$model" --input "$WORK/$input" \
    --target "$TARGET" --output "0=$WORK/$name.out.npy"
  python3 - "$name" "$RC" "$WALL" "$WORK/$name.log" <<'PY' | tee -a "$JSONL"
import json, re, sys
name, rc, wall, path = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
# CUDA: "dlc profile: MS ms NAME BYTES bytes GBPS GB/s"; CPU: "dlc profile: MS ms NAME".
pat = re.compile(r"^dlc profile:\s+([0-9.eE+-]+) ms\s+(\S+)(?:\s+(\d+) bytes\s+([0-9.eE+-]+) GB/s)?")
steps = [m for m in map(pat.match, open(path, errors="replace")) if m]
rec = {"bench": name, "rc": rc, "wall_s": wall, "steps": len(steps)}
if steps:
    ms = sum(float(m[1]) for m in steps)
    nbytes = sum(int(m[3]) for m in steps) if all(m[3] for m in steps) else None
    rec.update(ms=round(ms, 4), bytes=nbytes,
               gbps=round(nbytes / ms / 1e6, 1) if nbytes is not None and ms > 0 else None,
               kernels=[[m[2], float(m[1])] + ([round(float(m[4]), 1)] if m[4] else []) for m in steps[:8]])
else:
    rec.update(ms=None, bytes=None, gbps=None, note="no 'dlc profile:' lines")
print(json.dumps(rec))
PY
done

# (d) training throughput at each batch size: a 1-step run to fill the cache
# (discarded; not for batch 64, which (e) compiled), a 1-step run (t1), a short run to size the long one, and an
# N-step run of about STEPS_TARGET_S seconds (tN).
# samples/s = (N - 1) * B / (tN - t1).
for b in "${BATCHES[@]}"; do
  name="train_mnist_cnn_b$b"
  over_budget "$name" && continue
  # (e) has filled the cache for batch 64 already.
  [[ $b != 64 ]] && timed "$CMD_LIMIT" "$WORK/${name}_warm.log" "$DLC" "${TRAIN_ARGS[@]}" --steps 1 --batch-size "$b"
  timed "$CMD_LIMIT" "$WORK/${name}_1.log" "$DLC" "${TRAIN_ARGS[@]}" --steps 1 --batch-size "$b"
  rc1=$RC; t1=$WALL
  timed "$CMD_LIMIT" "$WORK/${name}_s.log" "$DLC" "${TRAIN_ARGS[@]}" --steps "$STEPS_SMALL" --batch-size "$b"
  rcs=$RC; ts=$WALL
  if ((rc1 != 0 || rcs != 0)); then
    emit "{\"bench\": \"$name\", \"error\": \"a short run failed (exit $rc1, $rcs)\", \"t1_s\": $t1, \"t_small_s\": $ts}"
    continue
  fi
  n=$(python3 -c "
per = max(($ts - $t1) / ($STEPS_SMALL - 1), 1e-3)
left = max($BUDGET - ($SECONDS - $START) - 5, 1)
print(int(max($STEPS_SMALL, min(20000, min($STEPS_TARGET_S, left / 2) / per))))")
  timed "$CMD_LIMIT" "$WORK/${name}_n.log" "$DLC" "${TRAIN_ARGS[@]}" --steps "$n" --batch-size "$b" \
    --metrics-out "$WORK/${name}_metrics.jsonl"
  python3 - "$name" "$b" "$n" "$RC" "$t1" "$WALL" "$STEPS_SMALL" "$ts" "$WORK/${name}_metrics.jsonl" <<'PY' | tee -a "$JSONL"
import json, sys
name, b, n, rc, t1, tn, ns, ts, metrics = sys.argv[1:]
b, n, rc, ns = int(b), int(n), int(rc), int(ns)
t1, tn, ts = float(t1), float(tn), float(ts)
rec = {"bench": name, "batch": b, "steps": n, "rc": rc, "t1_s": t1, "tN_s": tn}
if rc == 0 and tn > t1 and n > 1:
    rec["ms_per_step"] = round((tn - t1) / (n - 1) * 1e3, 3)
    rec["samples_per_s"] = round((n - 1) * b / (tn - t1), 1)
else:
    # The short run, if the long one failed.
    if ts > t1 and ns > 1:
        rec["samples_per_s_short_run"] = round((ns - 1) * b / (ts - t1), 1)
try:
    last = [json.loads(l) for l in open(metrics) if l.strip()][-1]
    rec["trainer_samples_per_s"] = last.get("samples_per_s")  # includes the first step's compile
    rec["loss"] = last.get("loss")
except Exception as e:
    rec["metrics_error"] = str(e)[:100]
print(json.dumps(rec))
PY
done

# (f) where a training step's time goes: DLC_PROFILE=1 over 3 steps, the
# last step's ten slowest steps (kernels and library calls).
for b in "${BATCHES[@]}"; do
if ! over_budget "profile_train_b$b"; then
  timed "$CMD_LIMIT" "$WORK/profile_b$b.log" env DLC_PROFILE=1 "$DLC" "${TRAIN_ARGS[@]}" --steps 3 --batch-size "$b"
  python3 - "profile_train_mnist_cnn_b$b" "$RC" "$WORK/profile_b$b.log" <<'PY' | tee -a "$JSONL"
import json, re, sys
name, rc, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# CUDA: "dlc profile: MS ms NAME... BYTES bytes GBPS GB/s" (library calls have
# spaces in their names); a run ends with "dlc profile-total: MS ms N steps".
runs, current = [], []
for line in open(path, errors="replace"):
    if line.startswith("dlc profile-total:"):
        runs.append(current); current = []
        continue
    m = re.match(r"^dlc profile:\s+([0-9.eE+-]+) ms\s+(.*?)(?:\s+(\d+) bytes\s+([0-9.eE+-]+) GB/s)?$", line.rstrip())
    if m: current.append((float(m[1]), m[2]))
rec = {"bench": name, "rc": rc, "runs": len(runs)}
if runs:
    last = runs[-1]
    rec["total_ms"] = round(sum(ms for ms, _ in last), 4)
    rec["steps"] = len(last)
    rec["slowest"] = [[n, round(ms, 4)] for ms, n in sorted(last, reverse=True)[:10]]
print(json.dumps(rec))
PY
fi
done

log "dlc_bench done in $((SECONDS - START))s"
exit 0
