#!/usr/bin/env bash
# test.sh — builds clgan and runs the whole test suite (ctest) on the default OpenCL device
# (PoCL when no GPU is present), Oclgrind-label tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
