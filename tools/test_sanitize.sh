#!/usr/bin/env bash
# test_sanitize.sh — builds clgan with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DCLGAN_SANITIZE=ON) in a build folder of its own and runs the test suite under it, less the
# Oclgrind, rusticl, fuzz and mpi labels (Open MPI's start-up keeps hundreds of allocations that
# LeakSanitizer reports, many in components it has unloaded again, so no suppression can name
# them). Any memory error, leak of clgan's memory (tests/lsan.supp lists the driver leaks that are
# ignored) or undefined behaviour fails the test that hit it.
#
#   tools/test_sanitize.sh [CTEST ARGS...]     e.g. -R idx
#   CC=gcc tools/test_sanitize.sh              gcc instead of clang (the default when installed)
#   CLGAN_SANITIZE_BUILD=DIR                   build folder (default build-sanitize)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${CLGAN_SANITIZE_BUILD:-build-sanitize}
cc=${CC:-$(command -v clang || command -v gcc)}
jobs=$(nproc)
start=$(date +%s)
report() { echo "test_sanitize.sh: $1 after $(($(date +%s) - start)) s (build folder $build, $cc)"; }
trap 'report failed' ERR
# TensorBoard's reader: the main build's venv (tools/test.sh builds it first), installed once
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER="$cc" -DCLGAN_SANITIZE=ON -DCLGAN_FUZZ=OFF \
  -DCLGAN_TB_VENV="$PWD/${CLGAN_BUILD:-build}/tb-venv"
cmake --build "$build" -j"$jobs"
report built
ctest --test-dir "$build" --output-on-failure -j"$jobs" -LE 'oclgrind|rusticl|fuzz|mpi' "$@"
trap - ERR
report passed
