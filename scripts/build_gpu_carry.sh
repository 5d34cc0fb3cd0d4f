#!/usr/bin/env bash
# Builds the gpu-carry preset (static but for glibc: runs on the GPU machine,
# which has no Abseil or LLVM) and stages what scripts/gpu_check.sh needs in
# build/gpu-carry/carry: bin/ (dlc, dlc_gpu_bench, every test binary with the
# ctest label gpu, runtime_cuda_nogpu_tests) and shared/conformance (../shared
# does not travel to the GPU machine), the binaries compressed with xz.
# Prints the path to carry, its size,
# and what each binary needs from the loader.
#
# usage: scripts/build_gpu_carry.sh [-jN]     (DLC_GPU_TARGETS adds targets)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:--j2}"
build=build/gpu-carry
stage="$build/carry"

cmake --preset gpu-carry >/dev/null

# Test binaries labelled gpu, found in their CMakeLists (their tests are only
# discovered after they are built).
targets="dlc dlc_gpu_bench runtime_cuda_nogpu_tests ${DLC_GPU_TARGETS:-}"
for f in $(grep -rl "LABELS gpu" tests --include=CMakeLists.txt); do
  targets+=" $(grep -o 'gtest_discover_tests([A-Za-z0-9_]*' "$f" | sed 's/.*(//' | tr '\n' ' ')"
done
echo "building: $targets"
cmake --build "$build" "$jobs" --target $targets

rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/shared"
cp "$build"/tools/dlc/dlc "$stage/bin/"
cp "$build/bench/gpu/dlc_gpu_bench" "$stage/bin/"
cp "$build/tests/unit/runtime_cuda/runtime_cuda_nogpu_tests" "$stage/bin/"
# Every executable a gpu-labelled test runs.
ctest --test-dir "$build" -L gpu --show-only=json-v1 | python3 -c '
import json, sys
seen = set()
for t in json.load(sys.stdin).get("tests", []):
    exe = t.get("command", [None])[0]
    if exe and exe not in seen: seen.add(exe); print(exe)' | while read -r exe; do cp "$exe" "$stage/bin/"; done
if [[ -d ../shared/conformance ]]; then
  cp -r ../shared/conformance "$stage/shared/"
else
  echo "warning: ../shared/conformance not found; the conformance step will be skipped" >&2
fi

echo
echo "== what each binary needs from the loader (want: libc, libm, libdl, libpthread, ld-linux only)"
status=0
for b in "$stage"/bin/*; do
  extra=$(ldd "$b" | grep -v -E 'linux-vdso|ld-linux|lib(c|m|dl|pthread|rt)\.so' || true)
  if [[ -n "$extra" ]]; then echo "$b: NOT self-contained:"; echo "$extra"; status=1; else echo "$b: ok"; fi
done
# The run tool carries 64 MiB at most: dlc alone (LLVM inside) is ~47 MiB,
# so the binaries travel xz-compressed; scripts/gpu_check.sh unpacks them.
xz -T0 -6 "$stage"/bin/*
echo
echo "== carry (the run tool's carry argument), $(du -sh "$stage" | cut -f1) in all:"
du -sh "$stage"/bin/* "$stage/shared" | sed 's/^/  /'
echo "carry: [\"$stage\"]"
echo "then on the GPU machine: scripts/gpu_check.sh $build \$OUT"
exit $status
