#!/usr/bin/env bash
# Issue 13's figures on this machine, one run: compiled artifacts against the
# JIT and against ONNX Runtime (the deployment peer), compile-time caching and
# sizes. Prints JSON lines (and the CPU) to stdout.
#
# usage: bench/cpu/artifact_bench.sh [BUILD_DIR] [ORT_VENV]
#   BUILD_DIR  default build/release (dlc, artifact_bench, dlc_run_artifact)
#   ORT_VENV   default ~/.cache/dlc-ort, created with onnxruntime 1.32.0 if absent
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
VENV=${2:-$HOME/.cache/dlc-ort}
DLC=$BUILD/tools/dlc/dlc
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export DLC_CACHE_DIR=$WORK/cache

echo "{\"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\", \"cores\": $(nproc), \"avx512\": \"$(grep -o 'avx512[a-z]*' /proc/cpuinfo | sort -u | tr '\n' ' ')\"}"

# Median wall milliseconds of a command run N times.
wall_ms() {
  local n=$1; shift
  python3 - "$n" "$@" <<'PY'
import subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(n):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1e3)
times.sort()
print(f"{times[len(times) // 2]:.1f}")
PY
}

# The CNN as an artifact at batch 1, its size and what is in it.
$DLC compile examples/mnist_cnn.dl -o "$WORK/mnist_cnn.dlx"
echo "{\"bench\": \"artifact_size\", \"mnist_cnn_dlx_bytes\": $(stat -c %s "$WORK/mnist_cnn.dlx")}"
python3 bench/cpu/make_input.py "$WORK/x.npy" 1,28,28,1

# In-process: load + first inference (runtime), first inference (JIT, cold and warm cache).
rm -rf "$DLC_CACHE_DIR"
"$BUILD/bench/cpu/artifact_bench" examples/mnist_cnn.dl "$WORK/mnist_cnn.dlx"

# Process start to the first result.
echo "{\"bench\": \"process_first_result\", \"dlc_run_dlx_ms\": $(wall_ms 11 "$DLC" run "$WORK/mnist_cnn.dlx" --input "$WORK/x.npy"), \"runtime_host_ms\": $(wall_ms 11 "$BUILD/examples/host/dlc_run_artifact" "$WORK/mnist_cnn.dlx"), \"dlc_run_dl_warm_cache_ms\": $(wall_ms 11 "$DLC" run examples/mnist_cnn.dl --target cpu --input "$WORK/x.npy")}"

# Compile work of a second `dlc run MODEL.dl` (warm cache) and of the first.
rm -rf "$DLC_CACHE_DIR"
for run in cold warm; do
  line=$(DLC_COMPILE_TIMES=1 "$DLC" run examples/mnist_cnn.dl --target cpu --input "$WORK/x.npy" 2>&1 >/dev/null | grep '^dlc compile-times')
  echo "{\"bench\": \"dlc_run_compile_work\", \"cache\": \"$run\", \"line\": \"$line\"}"
done

# Sizes of a host built on the runtime alone (stripped), and of the runtime library.
strip -o "$WORK/host" "$BUILD/examples/host/dlc_run_artifact"
runtime_so=$(ls "$BUILD"/lib/libdlc_runtime.so.*.*.* 2>/dev/null | head -1 || true)
so_bytes=0
if [ -n "$runtime_so" ]; then strip -o "$WORK/rt.so" "$runtime_so"; so_bytes=$(stat -c %s "$WORK/rt.so"); fi
llvm_symbols=$(nm -C "$BUILD/examples/host/dlc_run_artifact" | grep -c -E 'llvm::|nvrtc' || true)
echo "{\"bench\": \"runtime_host_size\", \"host_stripped_bytes\": $(stat -c %s "$WORK/host"), \"libdlc_runtime_so_stripped_bytes\": $so_bytes, \"llvm_or_nvrtc_symbols\": $llvm_symbols}"

# The peer: ONNX Runtime, session from an .onnx file + first run, 2 threads and default.
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q onnxruntime==1.32.0 onnx==1.23.2 numpy
fi
"$VENV/bin/python" bench/cpu/ort_first_inference.py --threads 2 --onnx "$WORK/cnn_b1.onnx"
"$VENV/bin/python" bench/cpu/ort_first_inference.py --threads 2 --onnx "$WORK/cnn_b1.onnx"
echo "{\"bench\": \"process_first_result_peer\", \"ort_python_ms\": $(wall_ms 5 "$VENV/bin/python" bench/cpu/ort_first_inference.py --threads 2 --runs 1 --onnx "$WORK/cnn_b1.onnx")}"
