#!/usr/bin/env bash
# Configures and builds one preset (default: release) into build/<preset>:
# every target, or only the targets named after the preset
# (`scripts/build.sh release dlc`).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" "${targets[@]}"
