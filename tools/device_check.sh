#!/usr/bin/env bash
# device_check.sh — clgan on an NVIDIA GPU, in one command: installs what it needs (Debian
# packages: build tools, the OpenCL ICD loader and headers, CLBlast, NVIDIA's OpenCL ICD when the
# driver's is missing), builds in build-gpu, runs the kernel and layer tests on the GPU through
# NVIDIA's OpenCL driver (the GPU's default GEMM back end, CLBlast), runs `clgan bench` beside
# PyTorch on CUDA (tools/bench_vs_torch.sh with TORCH_DEVICE=cuda), and prints one summary.
# usage: tools/device_check.sh [--steps N] [--models mlp,dcgan,...] [--no-install]
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
steps=20 models="mlp,dcgan,keras_dcgan,maxout,upsample,flower" install=1 build=build-gpu
while [ $# -gt 0 ]; do
  case $1 in
    --steps) steps=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    *) echo "device_check.sh: unknown option $1 (see the usage line at the top)" >&2; exit 2 ;;
  esac
done
log=$build/device_check.log
mkdir -p "$build"
: > "$log"
say() { printf '%s\n' "$*" | tee -a "$log"; }
fail() { say "device_check.sh: $*"; exit 1; }

command -v nvidia-smi >/dev/null 2>&1 || fail "no nvidia-smi: this script needs a machine with an NVIDIA GPU and driver"
gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)
say "GPU: $gpu"

if [ "$install" = 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >>"$log" 2>&1 || fail "apt-get update failed (see $log)"
  apt-get install -y -qq build-essential cmake pkg-config ocl-icd-libopencl1 ocl-icd-opencl-dev \
    opencl-headers libclblast-dev clinfo python3-venv zlib1g-dev >>"$log" 2>&1 ||
    fail "apt-get install failed (see $log)"
  # NVIDIA's OpenCL ICD ships with the driver; register it when the loader does not list it
  if ! ls /etc/OpenCL/vendors/nvidia*.icd >/dev/null 2>&1; then
    lib=$(ldconfig -p | awk '/libnvidia-opencl\.so\.1/ { print $NF; exit }')
    [ -n "$lib" ] || apt-get install -y -qq nvidia-opencl-icd >>"$log" 2>&1 || true
    lib=$(ldconfig -p | awk '/libnvidia-opencl\.so\.1/ { print $NF; exit }')
    [ -n "$lib" ] || fail "no libnvidia-opencl.so.1: install the OpenCL part of NVIDIA's driver"
    mkdir -p /etc/OpenCL/vendors && echo "$lib" > /etc/OpenCL/vendors/nvidia.icd
  fi
fi

platforms=$(clinfo -l 2>/dev/null || true)
printf '%s\n' "$platforms" >>"$log"
grep -qi nvidia <<<"$platforms" || fail "the OpenCL loader lists no NVIDIA platform (clinfo -l in $log)"

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >>"$log" 2>&1 || fail "cmake configure failed (see $log)"
cmake --build "$build" -j"$(nproc)" >>"$log" 2>&1 || fail "build failed (see $log)"
./"$build"/clgan devices | tee -a "$log"

# the kernel, layer and gradient tests on the GPU: the unlabelled tests follow CLGAN_TEST_DEVICE
cmake -S . -B "$build" -DCLGAN_TEST_DEVICE=NVIDIA >>"$log" 2>&1 || fail "cmake reconfigure failed (see $log)"
tests_out=$build/device_check_ctest.txt
ctest --test-dir "$build" -LE 'oclgrind|rusticl|package|fuzz|mpi' -R 'ops|conv|bn|maxout|grad|train|step_alloc|bench' \
  --output-on-failure >"$tests_out" 2>&1
test_rc=$?
test_line=$(grep -E 'tests passed' "$tests_out" | tail -1)
failed=$(grep -E '^\s+[0-9]+ - ' "$tests_out" | sed 's/^ *//' | tr '\n' ';')

bench_out=$build/device_check_bench.txt
TORCH_DEVICE=cuda tools/bench_vs_torch.sh --threads "$(nproc)" --steps "$steps" --device gpu --models "$models" \
  --build "$build" >"$bench_out" 2>&1
bench_rc=$?

say ""
say "== device_check summary =="
say "GPU: $gpu"
say "clgan device: $(./"$build"/clgan devices 2>/dev/null | grep -i nvidia | head -1)"
say "tests on the GPU: ${test_line:-no result} (exit $test_rc)${failed:+; failed: $failed}"
say "clgan vs PyTorch on CUDA (step time ratio; target: <= 1/0.7 = 1.43, i.e. >= 0.7x PyTorch's throughput):"
tee -a "$log" < "$bench_out"
say "logs: $log, $tests_out, $bench_out"
[ "$test_rc" = 0 ] && [ "$bench_rc" = 0 ]
