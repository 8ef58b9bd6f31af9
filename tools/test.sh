#!/usr/bin/env bash
# test.sh — the whole test suite, as CI runs it, in three parts:
#   main      builds clgan and runs ctest: every test on PoCL, the kernel tests again on Oclgrind
#             (label oclgrind) and on Mesa's rusticl (label rusticl);
#   sanitize  tools/test_sanitize.sh: the suite again in an ASan+UBSan build;
#   fuzz      the libFuzzer harnesses (label fuzz) in a clang build with -DCLGAN_FUZZ=ON.
# Every part runs even when one before it failed; a time per part is printed at the end, and the
# exit status is non-zero if any part failed.
#
#   tools/test.sh [CTEST ARGS...]     passed to each part's ctest, e.g. -R kernels
#   CLGAN_BUILD, CLGAN_SANITIZE_BUILD, CLGAN_FUZZ_BUILD   build folders (build, build-sanitize,
#                                     build-fuzz); tools/test_intel.sh: the suite on Intel's runtime
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
build=${CLGAN_BUILD:-build} fuzz_build=${CLGAN_FUZZ_BUILD:-build-fuzz}
summary=() failed=0

# part NAME COMMAND...: runs COMMAND and records its time and result
part() {
  local name=$1 start=$SECONDS rc=0
  shift
  echo "=== $name"
  "$@" || rc=$?
  [ $rc -eq 0 ] || failed=1
  summary+=("$(printf '%-9s %5d s  %s' "$name" $((SECONDS - start)) "$([ $rc -eq 0 ] && echo passed || echo "FAILED (exit $rc)")")")
}
main() {
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release && cmake --build "$build" -j"$jobs" &&
    ctest --test-dir "$build" --output-on-failure -j"$jobs" "$@"
}
fuzz() {
  cmake -S . -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCLGAN_FUZZ=ON &&
    cmake --build "$fuzz_build" -j"$jobs" && ctest --test-dir "$fuzz_build" --output-on-failure -j"$jobs" -L fuzz "$@"
}

part main main "$@"
part sanitize bash tools/test_sanitize.sh "$@"
part fuzz fuzz "$@"

echo "=== summary ($jobs cores)"
printf '%s\n' "${summary[@]}"
printf '%-9s %5d s\n' total $SECONDS
exit $failed
