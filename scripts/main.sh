#!/usr/bin/env bash
# dlc's main job, as far as it exists: set up, build, and take the seed's CNN
# (examples/mnist_cnn.dl) through the front end and the pass pipeline,
# printing the optimized graph IR.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh release
build/release/tools/dlc/dlc compile examples/mnist_cnn.dl --emit opt-ir
