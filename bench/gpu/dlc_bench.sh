#!/usr/bin/env bash
# dlc measured as a compiler, on the target it is given: kernel times of
# three memory-bound models (DLC_PROFILE=1), training throughput of
# examples/mnist_cnn.dl on synthetic data, and the cold and warm compile
# time of its train step (DLC_COMPILE_TIMES=1); with the part `models`, the
# tutorial's models in fp32 and bf16 (--precision bf16): the MNIST CNN's
# training at batch 512, VGG16's base inference and the transfer model's
# training step (frozen base) at batch 64, text_lstm's training at batch 32.
#
# usage: bench/gpu/dlc_bench.sh BIN_DIR OUT_DIR [cuda|cpu]
#   BIN_DIR  the folder holding the dlc binary
#   OUT_DIR  gets dlc_bench.jsonl (appended): JSON lines, and the raw output
#            of every command as lines starting with '#'
#   cpu      dry run on the CPU, with small sizes and step counts
# DLC_BENCH_PARTS: which parts run, of `kernels` (a-c), `cnn` (d-f) and
#   `models` (g) [kernels cnn]
# JSON lines (also on stdout):
#   {"bench": "elementwise_chain_8192x8192", "ms": ..., "gbps": ..., "bytes": ..., "steps": ..., "wall_s": ...}
#     ms, bytes: sums over the profiled steps; gbps = bytes / ms (a lower bound)
#   {"bench": "train_mnist_cnn_b64", "samples_per_s": ..., "ms_per_step": ..., ...}
#     from the wall time of an N-step run minus a 1-step run (compile removed)
#   {"bench": "compile_mnist_cnn_train_cold"|"..._warm", "line": "dlc compile-times: ...", ...}
#   {"bench": "train_transfer_b64", "precision": "bf16", "samples_per_s": ..., ...} (the same method),
#   {"bench": "infer_vgg16_base_b64", "precision": "fp32", "kernel_ms": ...} (DLC_PROFILE's
#     profile-total of one warm run: the sum of its steps, each timed alone)
#   A precision this dlc does not take yet (exit 3) gives {"error": ..., "rc": 3} and the rest go on.
# Every command runs under a timeout; a failure is logged and the rest go on.
# The whole script stays within DLC_BENCH_BUDGET_S seconds (default 75):
# what would start after that is skipped.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
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
PARTS="${DLC_BENCH_PARTS:-kernels cnn}"
want() { [[ " $PARTS " == *" $1 "* ]]; }

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
want kernels || { EW=(8 8); ROWS=(8 8); }  # not measured: tiny files

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

if want cnn; then
# (e) first, while the cache is empty: the CNN's train step cold, then warm.
TRAIN_ARGS=(train examples/mnist_cnn.dl --data "npy:$WORK/X.npy,$WORK/Y.npy" --target "$TARGET" --progress lines
  --epochs 100000)
for kind in cold warm; do
  over_budget "compile_mnist_cnn_train_$kind" && continue
  timed "$CMD_LIMIT" "$WORK/compile_$kind.log" env DLC_COMPILE_TIMES=1 "$DLC" "${TRAIN_ARGS[@]}" --steps 1 --batch-size 64
  lines=$(grep '^dlc compile-times:' "$WORK/compile_$kind.log" | python3 -c 'import json,sys; print(json.dumps([l.rstrip("\n") for l in sys.stdin]))')
  emit "{\"bench\": \"compile_mnist_cnn_train_$kind\", \"rc\": $RC, \"wall_s\": $WALL, \"lines\": $lines}"
done

fi

if want kernels; then
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

fi

if want cnn; then
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

fi

if want models; then
# (g) The tutorial's other models in fp32 and bf16, as torch_bench.py's
# `models` rows measure PyTorch: training throughput by the 1-step/N-step
# method of (d) (the first run compiles and fills the cache, discarded), and
# VGG16's base inference as the profile total of a warm `dlc run`.
if [[ "$TARGET" == cpu ]]; then
  NIMG=4; IMG_B=2; CNN_B=64; LSTM_B=32; NTOK=64; STEPS_IMG=2; STEPS_SEQ=4
else
  NIMG=128; IMG_B=64; CNN_B=512; LSTM_B=32; NTOK=4096; STEPS_IMG=20; STEPS_SEQ=200
fi
timed "$CMD_LIMIT" "$WORK/gen_models.log" python3 - "$WORK" "$NIMG" "$IMG_B" "$NTOK" "$CNN_B" <<'PY'
import os, sys
import numpy as np
w = sys.argv[1]; nimg, img_b, ntok, cnn_b = map(int, sys.argv[2:])
rng = np.random.default_rng(1)
np.save(os.path.join(w, "img.npy"), rng.random((nimg, 224, 224, 3), dtype=np.float32))
np.save(os.path.join(w, "img_y.npy"), rng.integers(0, 10, size=(nimg,), dtype=np.int32))
np.save(os.path.join(w, "img_infer.npy"), rng.random((img_b, 224, 224, 3), dtype=np.float32))
np.save(os.path.join(w, "tok.npy"), rng.integers(0, 1000, size=(ntok, 20), dtype=np.int32))
np.save(os.path.join(w, "tok_y.npy"), rng.integers(0, 1000, size=(ntok,), dtype=np.int32))
n = 4 * cnn_b  # the MNIST CNN's rows at its batch
np.save(os.path.join(w, "cnn_x.npy"), rng.integers(0, 256, size=(n, 28, 28, 1)).astype(np.float32) / 255)
np.save(os.path.join(w, "cnn_y.npy"), rng.integers(0, 10, size=(n,), dtype=np.int32))
print("model inputs written to", w)
PY

# note_rc RC PRECISION: what a failed run's exit code says.
note_rc() {
  if (($1 == 3)); then echo "--precision $2 is not supported by this dlc yet (exit 3)"; else echo "exit $1"; fi
}

# train_rate NAME MODEL X Y BATCH PRECISION STEPS
train_rate() {
  local name=$1 model=$2 x=$3 y=$4 b=$5 prec=$6 n=$7
  local args=(train "$model" --data "npy:$WORK/$x,$WORK/$y" --target "$TARGET" --progress lines --epochs 100000
    --batch-size "$b" --precision "$prec")
  over_budget "${name}_$prec" && return
  timed "$CMD_LIMIT" "$WORK/${name}_${prec}_warm.log" "$DLC" "${args[@]}" --steps 1
  if ((RC != 0)); then
    log "${name} $prec: $(note_rc "$RC" "$prec"); going on"
    emit "{\"bench\": \"$name\", \"precision\": \"$prec\", \"batch\": $b, \"rc\": $RC, \"error\": \"$(note_rc "$RC" "$prec")\"}"
    return
  fi
  local warm=$WALL
  timed "$CMD_LIMIT" "$WORK/${name}_${prec}_1.log" "$DLC" "${args[@]}" --steps 1
  local rc1=$RC t1=$WALL
  timed "$CMD_LIMIT" "$WORK/${name}_${prec}_n.log" "$DLC" "${args[@]}" --steps "$n"
  python3 - "$name" "$prec" "$b" "$n" "$rc1" "$RC" "$warm" "$t1" "$WALL" <<'PY' | tee -a "$JSONL"
import json, sys
name, prec, b, n, rc1, rc, warm, t1, tn = sys.argv[1:]
b, n, rc1, rc = int(b), int(n), int(rc1), int(rc)
warm, t1, tn = float(warm), float(t1), float(tn)
rec = {"bench": name, "precision": prec, "batch": b, "steps": n, "rc": max(rc1, rc), "first_run_s": warm,
       "t1_s": t1, "tN_s": tn}
if rc1 == 0 and rc == 0 and tn > t1 and n > 1:
    rec["ms_per_step"] = round((tn - t1) / (n - 1) * 1e3, 3)
    rec["samples_per_s"] = round((n - 1) * b / (tn - t1), 1)
print(json.dumps(rec))
PY
}

train_rate train_mnist_cnn_b$CNN_B examples/mnist_cnn.dl cnn_x.npy cnn_y.npy "$CNN_B" fp32 "$STEPS_SEQ"
train_rate train_mnist_cnn_b$CNN_B examples/mnist_cnn.dl cnn_x.npy cnn_y.npy "$CNN_B" bf16 "$STEPS_SEQ"
train_rate train_text_lstm_b$LSTM_B examples/text_lstm.dl tok.npy tok_y.npy "$LSTM_B" fp32 "$STEPS_SEQ"
train_rate train_text_lstm_b$LSTM_B examples/text_lstm.dl tok.npy tok_y.npy "$LSTM_B" bf16 "$STEPS_SEQ"
for prec in fp32 bf16; do
  name="infer_vgg16_base_b$IMG_B"
  over_budget "${name}_$prec" && continue
  infer=("$DLC" run examples/vgg16.dl --model vgg16_base --input "$WORK/img_infer.npy" --target "$TARGET"
    --precision "$prec" --output "0=$WORK/$name.out.npy")
  timed "$CMD_LIMIT" "$WORK/${name}_${prec}_cold.log" "${infer[@]}"
  if ((RC != 0)); then
    log "$name $prec: $(note_rc "$RC" "$prec"); going on"
    emit "{\"bench\": \"$name\", \"precision\": \"$prec\", \"rc\": $RC, \"error\": \"$(note_rc "$RC" "$prec")\"}"
    continue
  fi
  cold=$WALL
  timed "$CMD_LIMIT" "$WORK/${name}_${prec}.log" env DLC_PROFILE=1 "${infer[@]}"
  python3 - "$name" "$prec" "$IMG_B" "$RC" "$cold" "$WALL" "$WORK/${name}_${prec}.log" <<'PY' | tee -a "$JSONL"
import json, re, sys
name, prec, b, rc, cold, wall, path = sys.argv[1:]
rec = {"bench": name, "precision": prec, "batch": int(b), "rc": int(rc), "first_run_s": float(cold),
       "warm_run_s": float(wall)}
# CUDA: "dlc profile-total: MS ms N steps"; CPU: "dlc profile: run of N kernels: MS ms".
pat = re.compile(r"^dlc profile(?:-total:\s+([0-9.eE+-]+) ms|: run of \d+ kernels: ([0-9.eE+-]+) ms)")
totals = [float(m[1] or m[2]) for m in map(pat.match, open(path, errors="replace")) if m]
if totals:
    rec["kernel_ms"] = totals[-1]  # the sum of the steps' times, each step alone
    rec["images_per_s"] = round(int(b) * 1e3 / totals[-1], 1)
print(json.dumps(rec))
PY
done
train_rate train_transfer_b$IMG_B examples/transfer.dl img.npy img_y.npy "$IMG_B" fp32 "$STEPS_IMG"
train_rate train_transfer_b$IMG_B examples/transfer.dl img.npy img_y.npy "$IMG_B" bf16 "$STEPS_IMG"
fi

log "dlc_bench done in $((SECONDS - START))s"
exit 0
