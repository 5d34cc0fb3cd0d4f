#!/usr/bin/env bash
# Sets up a fresh machine, checks the formatting, builds the release preset
# and runs every test (GoogleTest units, lit suites, conformance, through
# ctest) and the fuzzers for 30 s each. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/format.sh --check
./scripts/build.sh release
ctest --preset release -j "$(nproc)"
# The fuzzers (libFuzzer, ASan + UBSan) for a short, fixed time each.
./scripts/fuzz.sh 30
