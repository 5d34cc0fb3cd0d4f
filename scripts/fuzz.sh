#!/usr/bin/env bash
# Builds the libFuzzer targets (in the `asan` preset: clang-19 with ASan and
# UBSan) and runs each for SECONDS (default 60) on a copy of its seed corpus
# in tests/fuzz/corpus/, with its dictionary (tests/fuzz/*.dict). Fails on
# any finding: a crash, a sanitizer report, a leak, an input slower than 2 s,
# printed IR that does not read back the same, or an artifact or tensor file
# that does not round-trip. Reproducers are left in build/asan/findings/
# (rerun one: build/asan/tests/fuzz/NAME FILE).
#
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS]" >&2
  exit 2
fi

fuzzers=(frontend_fuzzer ir_parser_fuzzer kernel_ir_parser_fuzzer artifact_fuzzer tensor_file_fuzzer)
cmake --preset asan >/dev/null
cmake --build --preset asan --target "${fuzzers[@]}"

work=build/asan/fuzzing
findings=build/asan/findings
rm -rf "$work" "$findings"
mkdir -p "$findings"
status=0
run() {
  local fuzzer="$1" corpus="$2" dict="$3"
  mkdir -p "$work/$fuzzer"
  cp "tests/fuzz/corpus/$corpus"/* "$work/$fuzzer/"
  echo "== $fuzzer: ${seconds}s on $(ls "$work/$fuzzer" | wc -l) seed inputs"
  # UBSan findings abort (and so count) instead of printing and going on.
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      "build/asan/tests/fuzz/$fuzzer" "$work/$fuzzer" \
      -dict="tests/fuzz/$dict" -max_total_time="$seconds" -max_len=4096 -timeout=2 \
      -rss_limit_mb=2048 -artifact_prefix="$findings/$fuzzer-" -print_final_stats=1 2>"$work/$fuzzer.log"; then
    status=1
    echo "!! $fuzzer found a problem; the end of its log ($work/$fuzzer.log):"
    tail -n 40 "$work/$fuzzer.log"
  else
    grep -E "^stat::(number_of_executed_units|new_units_added)" "$work/$fuzzer.log" || true
  fi
}
run frontend_fuzzer frontend frontend.dict
run ir_parser_fuzzer ir ir.dict
run kernel_ir_parser_fuzzer kernel_ir kernel_ir.dict
run artifact_fuzzer artifact artifact.dict
run tensor_file_fuzzer tensor_file tensor_file.dict
if [ "$status" -ne 0 ]; then
  echo "fuzzing found problems; reproducers: $(ls "$findings")"
fi
exit "$status"
