#!/usr/bin/env bash
# Sets up a fresh machine, builds the release preset and runs every test
# (GoogleTest units and the lit suites, through ctest). CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh release
ctest --preset release -j "$(nproc)"
