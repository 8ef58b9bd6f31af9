#!/usr/bin/env bash
# train.sh — builds clgan and trains a config (default: configs/mlp_gan.ini, seed 000's MLP GAN
# on Fashion-MNIST); extra arguments go to `clgan train`.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
config=${1:-configs/mlp_gan.ini}
shift || true
exec build/clgan train "$config" "$@"
