#!/usr/bin/env bash
# dlc's main job: set up, build, and train the seed's CNN
# (examples/mnist_cnn.dl) on Fashion-MNIST for one epoch, with Keras-like
# progress and the test-set metrics at the end. Arguments go to `dlc train`:
# `./scripts/main.sh --steps 50` is a quick run (the reference interpreter
# takes about 10 minutes for the whole epoch; see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh release dlc  # only what training needs, no tests
build/release/tools/dlc/dlc train examples/mnist_cnn.dl --epochs 1 "$@"
