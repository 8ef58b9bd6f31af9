#!/usr/bin/env bash
# test_intel.sh — runs the test suite on Intel's CPU OpenCL runtime (a fourth CPU implementation,
# beside PoCL, Oclgrind and rusticl). Installs the runtime from PyPI into a virtual environment,
# registers it with the ICD loader through a private vendors folder (nothing system-wide), builds
# clgan in a build folder of its own with the tests pointed at Intel's device, and runs ctest less
# the oclgrind, rusticl and fuzz labels.
#
#   tools/test_intel.sh [CTEST ARGS...]     e.g. -R kernels
#   CLGAN_INTEL_BUILD=DIR                   build folder (default build-intel; the venv is DIR/venv)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${CLGAN_INTEL_BUILD:-build-intel}
venv=$build/venv
start=$(date +%s)
report() { echo "test_intel.sh: $1 after $(($(date +%s) - start)) s (build folder $build)"; }
trap 'report failed' ERR

find_runtime() { find "$PWD/$venv" -name libintelocl.so -print -quit 2>/dev/null || true; }
lib=$(find_runtime)
if [ -z "$lib" ]; then
  python3 -c 'import ensurepip' 2>/dev/null ||
    { echo "test_intel.sh: python3 cannot make a venv: install python3-venv (apt-get install python3-venv)" >&2; exit 1; }
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q intel-opencl-rt intel-cmplr-lib-rt
  lib=$(find_runtime)
fi
[ -n "$lib" ] || { echo "test_intel.sh: libintelocl.so not found under $venv after pip install intel-opencl-rt" >&2; exit 1; }
mkdir -p "$build/vendors"
echo "$lib" > "$build/vendors/intel.icd"
# The loader sees Intel's runtime alone. No LD_LIBRARY_PATH: the runtime finds TBB and the compiler
# libraries beside itself (RUNPATH $ORIGIN), and the venv's own libOpenCL.so.1 must not replace
# the system's ICD loader.
export OCL_ICD_VENDORS=$PWD/$build/vendors
if command -v clinfo >/dev/null; then clinfo -l; fi
report "runtime ready ($lib)"

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCLGAN_TEST_DEVICE=Intel
cmake --build "$build" -j"$(nproc)"
report built
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" -LE 'oclgrind|rusticl|fuzz' "$@"
trap - ERR
report passed
