#!/bin/bash
# classify.sh — `clgan classify` on a subset of Fashion-MNIST (3000 train, 1000 test images, one
# epoch) must reach well above chance; `clgan eval` with that classifier must rank 500 real test
# images far below uniform noise (Fréchet distance, classifier classes, recall) and write JSON;
# bad input (no classifier, a missing or non-classifier file, a .npy of the wrong shape) gives one
# message naming it and a non-zero exit.
# Usage: classify.sh CLGAN SCRATCH
set -u
clgan=$1 dir=$2
rm -rf "$dir" && mkdir -p "$dir"
fail() { echo "FAIL: $*"; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
sed -e 's/^epochs = .*/epochs = 1/' -e 's/^\[data\]/[data]\nlimit = 3000\ntest_limit = 1000/' \
    "$here/../configs/fmnist_classifier.ini" > "$dir/cls.ini"
"$clgan" classify "$dir/cls.ini" -o "$dir/cls.safetensors" > "$dir/classify.log" 2>&1 || { cat "$dir/classify.log"; fail "classify"; }
acc=$(sed -n 's/^test accuracy \([0-9.]*\).*/\1/p' "$dir/classify.log")
echo "classifier test accuracy $acc"
awk -v a="$acc" 'BEGIN { exit !(a >= 0.5) }' || fail "test accuracy $acc, expected >= 0.5 (chance 0.1)"
python3 "$here/make_noise_npy.py" "$dir/noise.npy" 500
"$clgan" eval "$dir/noise.npy" --classifier "$dir/cls.safetensors" -n 500 --json "$dir/noise.json" > "$dir/noise.log" 2>&1 \
    || { cat "$dir/noise.log"; fail "eval noise"; }
cat "$dir/noise.log"
fd() { sed -n "s/^Frechet distance *\([0-9.]*\) *\([0-9.]*\)/\\$2/p" "$1"; }
noise=$(fd "$dir/noise.log" 1) floor=$(fd "$dir/noise.log" 2)
awk -v n="$noise" -v f="$floor" 'BEGIN { exit !(n > 10 * f && f >= 0) }' || fail "FD of noise $noise not far above the real floor $floor"
grep -q '"real_vs_real": {"n": 500, "fd"' "$dir/noise.json" || fail "JSON lacks the floor"
grep -q '"scores": {"n": 500, "fd"' "$dir/noise.json" || fail "JSON lacks the scores"
# errors: one message naming what and where, non-zero exit
check_err() { # expected-text command...
    local want=$1; shift
    if "$@" > "$dir/err.log" 2>&1; then fail "$* succeeded"; fi
    grep -q -- "$want" "$dir/err.log" || { cat "$dir/err.log"; fail "$*: message lacks '$want'"; }
}
check_err "no --classifier given" "$clgan" eval "$dir/noise.npy"
check_err "$dir/none.safetensors" "$clgan" eval "$dir/noise.npy" --classifier "$dir/none.safetensors"
printf 'x' > "$dir/bad.npy"
check_err "$dir/bad.npy" "$clgan" eval "$dir/bad.npy" --classifier "$dir/cls.safetensors" -n 10
python3 - "$dir/wide.npy" <<'PY'
import struct, sys
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (8, 1, 32, 32), }"
hdr += " " * (64 - (10 + len(hdr) + 1) % 64) + "\n"
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + bytes(8 * 1024 * 4))
PY
check_err "wide.npy: expected at least 4 images of shape (n, 1, 28, 28)" "$clgan" eval "$dir/wide.npy" --classifier "$dir/cls.safetensors"
echo "classify/eval OK"
