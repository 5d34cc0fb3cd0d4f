#!/usr/bin/env bash
# Sets up a fresh machine, checks the formatting, builds the release preset
# and runs every test (GoogleTest units, lit suites, conformance, through
# ctest); then builds the asan preset (clang-19, AddressSanitizer + UBSan),
# runs the units and lit there (trimmed: see the asan test preset and
# docs/ARCHITECTURE.md, Testing), and the fuzzers of that build for 30 s
# each. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/format.sh --check
./scripts/build.sh release
ctest --preset release -j "$(nproc)"
# One sanitizer build serves the tests and the fuzzers.
./scripts/build.sh asan
ctest --preset asan -j "$(nproc)"
# The fuzzers (libFuzzer, ASan + UBSan) for a short, fixed time each.
./scripts/fuzz.sh 30
