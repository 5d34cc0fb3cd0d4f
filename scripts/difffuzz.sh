#!/usr/bin/env bash
# A differential-fuzzing campaign: builds dlc-difffuzz (release preset) if
# needed, generates N random models from SEED on, compares every target
# (cpu, and cuda when a GPU is present) with the reference interpreter, and
# writes a minimized reproduction of each finding to OUT/finding-SEED.dl.
# Prints a summary; exits 1 when there are findings.
#
#   scripts/difffuzz.sh N SEED [OUT]     (OUT defaults to build/difffuzz/findings)
#   DIFFFUZZ_JOBS=8 scripts/difffuzz.sh 20000 1
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -lt 2 || ! "$1" =~ ^[0-9]+$ || ! "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/difffuzz.sh N SEED [OUT]" >&2
  exit 2
fi
count="$1" seed="$2" out="${3:-build/difffuzz/findings}"
jobs="${DIFFFUZZ_JOBS:-$(nproc)}"
bin=build/release/tools/difffuzz/dlc-difffuzz
if [[ ! -f build/release/build.ninja ]]; then
  cmake --preset release >/dev/null
fi
cmake --build build/release --target dlc-difffuzz
mkdir -p "$out"
log="$out/campaign-$seed-$count.log"
echo "== dlc-difffuzz: $count models from seed $seed, $jobs jobs; log $log"
status=0
"$bin" --count "$count" --seed "$seed" --jobs "$jobs" --out "$out" | tee "$log" || status=$?
if [[ "$status" -ne 0 ]]; then
  echo "findings: $(ls "$out"/finding-*.dl 2>/dev/null | wc -l) reproductions in $out"
fi
exit "$status"
