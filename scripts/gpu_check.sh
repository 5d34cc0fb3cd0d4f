#!/usr/bin/env bash
# The one prepared run on a GPU machine: every check that needs a GPU, each
# under a timeout, none stopping the others; logs and a summary in OUT_DIR.
#
# usage: scripts/gpu_check.sh [BUILD_DIR] [OUT_DIR]
#   BUILD_DIR  default build/gpu-carry: scripts/build_gpu_carry.sh's staging
#              folder BUILD_DIR/carry (bin/, shared/conformance) when it is
#              there, else a normal build tree (and ../shared)
#   OUT_DIR    default $OUT, else ./gpu-check-out
# Writes at most 8 files (what the run tool brings back): summary.txt,
# info.log, tests.log, gpu_bench.jsonl, dlc_bench.jsonl, conformance.log,
# sanitizer.log, torch_bench.jsonl. Steps' timeouts add up to 15 minutes;
# their budgets (what a step skips rather than start late) to about 8:
# the last run took 97 s before the model rows (3c, 6b), which are sized
# to about 2.5 minutes each.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BUILD="${1:-build/gpu-carry}"
OUTDIR="${2:-${OUT:-./gpu-check-out}}"
mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"
SUMMARY="$OUTDIR/summary.txt"
: >"$SUMMARY"
T0=$SECONDS

if [[ -d "$BUILD/carry/bin" ]]; then
  BIN="$BUILD/carry/bin"
  # build_gpu_carry.sh compresses the binaries (the carry limit): unpack them
  # next to the carried folder, which may be read-only.
  if compgen -G "$BIN/*.xz" >/dev/null; then
    UNPACKED="$(mktemp -d "${TMPDIR:-/tmp}/dlc_gpu_bin.XXXXXX")"
    for f in "$BIN"/*.xz; do  # Python's lzma: xz itself may not be installed there
      out="$UNPACKED/$(basename "$f" .xz)"
      python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$f" "$out" &&
        chmod +x "$out"
    done
    BIN="$UNPACKED"
  fi
  DLC="$BIN/dlc"; BENCH="$BIN/dlc_gpu_bench"
  SHARED="$BUILD/carry/shared"
else
  BIN=""
  DLC="$BUILD/tools/dlc/dlc"; BENCH="$BUILD/bench/gpu/dlc_gpu_bench"
  SHARED="../shared"
fi
DLC="$(realpath -m "$DLC")"; BENCH="$(realpath -m "$BENCH")"

# Make a skipped GPU test a failure here, and let the dlopen'd CUDA libraries
# be found in the toolkit and, failing that, in PyTorch's wheels.
export DLC_REQUIRE_GPU=1 PYTHONUNBUFFERED=1
extra_libs="/usr/local/cuda/lib64"
wheel_libs=$(timeout 20 python3 -c 'import glob, os, site
dirs = site.getsitepackages() + [site.getusersitepackages()]
print(":".join(sorted({os.path.dirname(p) for d in dirs for p in glob.glob(d + "/nvidia/**/lib*.so*", recursive=True)})))' 2>/dev/null)
[[ -n "$wheel_libs" ]] && extra_libs+=":$wheel_libs"
ORIG_LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}"  # PyTorch runs with its own libraries, not these
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$extra_libs"
SANITIZER=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)

# step NAME TIMEOUT_S LOG COMMAND...: runs, appends to LOG, records the result.
step() {
  local name=$1 limit=$2 log=$3
  shift 3
  local start=$SECONDS rc
  echo "=== $name: $*" >>"$log"
  timeout --kill-after=5 "$limit" "$@" >>"$log" 2>&1
  rc=$?
  local verdict=ok
  [[ $rc -ne 0 ]] && verdict="FAILED (exit $rc)"
  [[ $rc -eq 124 || $rc -eq 137 ]] && verdict="TIMED OUT after ${limit}s"
  printf '%-28s %-24s %4ss  (%s)\n' "$name" "$verdict" $((SECONDS - start)) "$(basename "$log")" >>"$SUMMARY"
  echo "=== $name: $verdict in $((SECONDS - start))s" >>"$log"
  return 0
}

# 1. The machine (10 s).
INFO="$OUTDIR/info.log"
step nvidia-smi 10 "$INFO" bash -c 'nvidia-smi; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv'
{
  echo "=== environment"
  uname -a; ldd --version | head -1
  echo "BUILD=$BUILD BIN=${BIN:-<build tree>} SHARED=$SHARED"
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  echo "compute-sanitizer: ${SANITIZER:-not found}"
  ls /usr/local/cuda/lib64 2>/dev/null | grep -E 'nvrtc|cublas' | head
  for b in "$DLC" "$BENCH" ${BIN:+"$BIN"/*_tests}; do echo "--- ldd $b"; ldd "$b" 2>&1; done
} >>"$INFO" 2>&1

# 2. The tests labelled gpu (150 s, or 30 s a binary and 90 s for
# codegen_cuda_function_gpu_tests). ctest where the build tree is here with
# paths that resolve; otherwise (a carried staging folder) the binaries.
TESTS="$OUTDIR/tests.log"
if [[ -z "$BIN" && -f "$BUILD/CTestTestfile.cmake" ]] && command -v ctest >/dev/null &&
   [[ -d "$(sed -n 's/^# Build directory: //p' "$BUILD/CTestTestfile.cmake")" ]]; then
  step "ctest -L gpu" 150 "$TESTS" ctest --test-dir "$BUILD" -L gpu --output-on-failure
  step "ctest CudaNoGpu" 10 "$TESTS" ctest --test-dir "$BUILD" -R CudaNoGpu --output-on-failure
else
  for t in "${BIN:-$BUILD/tests/unit/runtime_cuda}"/*_tests; do
    # codegen_cuda_function_gpu_tests compiles whole models with NVRTC (an
    # empty kernel cache) and runs the reference interpreter: 90 s.
    limit=30; [[ "$(basename "$t")" == codegen_cuda_function_gpu_tests ]] && limit=120
    [[ -x "$t" ]] && step "$(basename "$t")" "$limit" "$TESTS" "$t"
  done
fi

# 2b. Training weights kept on the device match weights brought back every
# step (30 s; tests/gpu/keep_weights.sh).
step "keep weights on device" 30 "$TESTS" bash tests/gpu/keep_weights.sh "$DLC" /tmp/gpu_check_keep_weights

# 3. dlc_gpu_bench (60 s): JSON lines.
step dlc_gpu_bench 60 "$OUTDIR/gpu_bench.jsonl" "$BENCH"

# 3b. dlc itself (90 s; the script skips what would start after 70 s):
# DLC_PROFILE kernel times of three memory-bound models, CNN training
# throughput at batch 64 and 512, cold and warm compile of the train step.
# JSON lines and the commands' output in dlc_bench.jsonl; the step's own log
# goes to info.log.
step dlc_bench 150 "$INFO" env DLC_BENCH_BUDGET_S=120 bash bench/gpu/dlc_bench.sh "$(dirname "$DLC")" "$OUTDIR" cuda

# 3c. The tutorial's models with dlc, fp32 and bf16 (180 s; the script
# skips what would start after 150 s): the MNIST CNN's training at batch
# 512, VGG16's base inference and the transfer model's training step at 64,
# text_lstm's training at 32. Where --precision bf16 is not in this dlc yet
# it exits 3: logged as that row's error, the rest go on.
step "dlc_bench models" 180 "$INFO" env DLC_BENCH_BUDGET_S=150 DLC_BENCH_PARTS=models DLC_BENCH_CMD_TIMEOUT_S=90 \
  bash bench/gpu/dlc_bench.sh "$(dirname "$DLC")" "$OUTDIR" cuda

# 4. Conformance with --target cuda (40 s); a failure is logged, not fatal.
CONF="$OUTDIR/conformance.log"
if [[ -f "$SHARED/conformance/check.py" ]]; then
  step "conformance --target cuda" 40 "$CONF" python3 "$SHARED/conformance/check.py" --dlc "$DLC" --target cuda "$SHARED/conformance"
else
  echo "no $SHARED/conformance/check.py" >>"$CONF"; printf '%-28s %s\n' conformance "SKIPPED (no cases)" >>"$SUMMARY"
fi

# 5. compute-sanitizer memcheck (30 s + 40 s): one conformance case through
# dlc, and the runtime's own kernels, cuBLASLt included.
SAN="$OUTDIR/sanitizer.log"
if [[ -n "$SANITIZER" ]]; then
  case_dir="$SHARED/conformance/mnist_cnn_forward"
  if [[ -f "$case_dir/case.json" ]]; then
    mapfile -t run_args < <(python3 - "$case_dir" <<'PY'
import json, os, sys
d = sys.argv[1]; m = json.load(open(os.path.join(d, "case.json")))
print(os.path.join(d, m["model"])); print("--weights"); print(os.path.join(d, m["weights"]))
for k, v in m["inputs"].items(): print("--input"); print(f"{k}={os.path.join(d, v)}")
PY
)
    step "memcheck dlc run (cuda)" 30 "$SAN" "$SANITIZER" --tool memcheck --error-exitcode 86 \
      "$DLC" run "${run_args[@]}" --target cuda --output /tmp/gpu_check_out.npy
  fi
  # Only tests without deliberate API errors (those are reported as errors).
  gpu_tests="${BIN:-$BUILD/tests/unit/runtime_cuda}/runtime_cuda_tests"
  step "memcheck runtime_cuda_tests" 40 "$SAN" "$SANITIZER" --tool memcheck --error-exitcode 86 "$gpu_tests" \
    --gtest_filter='CudaDevice.CopyRoundTrip:CudaKernel.SaxpyFromNvrtc:CudaKernel.GraphCaptureAndReplay:*MatchesCpu/f32_bias_relu:*MatchesCpu/bf16_bias_relu'
else
  echo "compute-sanitizer not found" >>"$SAN"; printf '%-28s %s\n' memcheck "SKIPPED (no compute-sanitizer)" >>"$SUMMARY"
fi

# 6. PyTorch eager and torch.compile on the same card (60 s; the script
# skips what would start after 45 s).
step torch_bench 60 "$OUTDIR/torch_bench.jsonl" env LD_LIBRARY_PATH="$ORIG_LD_LIBRARY_PATH" \
  python3 bench/gpu/torch_bench.py --only chain,softmax,layernorm,cnn --budget 45

# 6b. PyTorch on the same models as 3c (200 s; skips what would start after
# 150 s): eager, torch.compile and its reduce-overhead mode, fp32 and
# autocast bf16, channels_last.
step "torch_bench models" 200 "$OUTDIR/torch_bench.jsonl" env LD_LIBRARY_PATH="$ORIG_LD_LIBRARY_PATH" \
  python3 bench/gpu/torch_bench.py --only models --budget 150

# 7. The comparisons in the summary: cuBLASLt against cuBLAS per GEMM
# (bf16's goal: at least 0.95), and each model row of dlc beside PyTorch's.
python3 bench/gpu/summarize.py "$OUTDIR" >>"$SUMMARY" 2>&1 || echo "summarize.py failed" >>"$SUMMARY"

echo "total ${SECONDS}s (started at ${T0}s)" >>"$SUMMARY"
cat "$SUMMARY"
