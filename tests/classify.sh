#!/bin/bash
# classify.sh — `clgan classify` on a subset of Fashion-MNIST (3000 train, 1000 test images, one
# epoch) must reach well above chance and write the shipped config's tensors under PyTorch's
# nn.Sequential names and shapes (the header checked against the list, the weights hash
# recomputed); an existing output is refused unless --overwrite. `clgan eval` with that
# classifier must rank 500 real test images far below uniform noise (Fréchet distance, classifier
# classes, recall) and write JSON. Real test images given as a [-1,1] .npy (the path samples take)
# must score as identical when they are the real set itself, near the real-versus-real floor when
# they are 1000 others (Fréchet distance below twice the floor's, precision and recall within
# 0.05 of its), and far from it when read with the wrong pixel range. Bad input (no classifier, a
# missing or non-classifier file, a .npy of the wrong shape) gives one message naming it and a
# non-zero exit.
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
[ -e "$dir/cls.safetensors.tmp" ] && fail "the temp file was left behind"
# tensor names and shapes as PyTorch's nn.Sequential state_dict of the shipped config (conv at 0
# and 2, dense at 5 and 7; relu and flatten hold none), F32, packed in order; the metadata's
# weights hash is FNV-1a 64 over the tensors' bytes in layer order
python3 - "$dir/cls.safetensors" <<'PY' || fail "classifier tensors are not those of the shipped config"
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
hdr = json.loads(raw[8:8 + n])
meta = hdr.pop("__metadata__")
want = [("classifier.0.weight", [32, 1, 5, 5]), ("classifier.0.bias", [32]),
        ("classifier.2.weight", [64, 32, 5, 5]), ("classifier.2.bias", [64]),
        ("classifier.5.weight", [128, 64 * 7 * 7]), ("classifier.5.bias", [128]),
        ("classifier.7.weight", [10, 128]), ("classifier.7.bias", [10])]
got = sorted((k, v["shape"]) for k, v in hdr.items())
if got != sorted(want):
    sys.exit("tensors %s, expected %s" % (got, sorted(want)))
for k, v in hdr.items():
    cnt = 1
    for d in v["shape"]: cnt *= d
    b, e = v["data_offsets"]
    if v["dtype"] != "F32" or e - b != 4 * cnt:
        sys.exit("%s: %s" % (k, v))
h = 0xcbf29ce484222325
for k, _ in want:
    b, e = hdr[k]["data_offsets"]
    for c in raw[8 + n + b:8 + n + e]:
        h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
if meta.get("weights_hash") != "fnv1a64:%016x" % h or meta.get("format") != "clgan-classifier-1" \
        or meta.get("image_shape") != "1,28,28" or "layer = dense units=10" not in meta.get("config", ""):
    sys.exit("metadata %s (weights hash fnv1a64:%016x)" % ({k: v[:60] for k, v in meta.items()}, h))
print("classifier tensors:", ", ".join("%s %s" % w for w in want))
PY
# an existing output is refused (and left as it was) unless --overwrite; a folder, or a path in no
# folder, is refused before training
sum0=$(sha256sum < "$dir/cls.safetensors")
sed -e 's/^limit = .*/limit = 256/' -e 's/^test_limit = .*/test_limit = 100/' "$dir/cls.ini" > "$dir/tiny.ini"
if "$clgan" classify "$dir/tiny.ini" -o "$dir/cls.safetensors" > "$dir/err.log" 2>&1; then fail "classify overwrote its output"; fi
grep -q "cls.safetensors already exists; pass --overwrite" "$dir/err.log" || { cat "$dir/err.log"; fail "refusal message"; }
[ "$(wc -l < "$dir/err.log")" = 1 ] || { cat "$dir/err.log"; fail "more than one line for an existing output"; }
[ "$(sha256sum < "$dir/cls.safetensors")" = "$sum0" ] || fail "the refused run changed the classifier"
cp "$dir/cls.safetensors" "$dir/over.safetensors"
"$clgan" classify "$dir/tiny.ini" -o "$dir/over.safetensors" --overwrite --quiet > "$dir/over.log" 2>&1 \
    || { cat "$dir/over.log"; fail "classify --overwrite"; }
[ "$(sha256sum < "$dir/over.safetensors")" != "$sum0" ] || fail "--overwrite left the old classifier"
[ -e "$dir/over.safetensors.tmp" ] && fail "the temp file was left behind"
mkdir -p "$dir/afolder"
for o in "$dir/afolder" "$dir/nofolder/x.safetensors"; do
    if "$clgan" classify "$dir/tiny.ini" -o "$o" > "$dir/err.log" 2>&1; then fail "classify -o $o succeeded"; fi
    grep -q "$o.*\(is a folder\|no folder\)" "$dir/err.log" || { cat "$dir/err.log"; fail "message for -o $o"; }
    grep -q "^epoch" "$dir/err.log" && fail "-o $o refused only after training"
done
[ -e "$dir/nofolder" ] && fail "a refused run created a folder"
python3 "$here/make_npy.py" noise "$dir/noise.npy" 500
"$clgan" eval "$dir/noise.npy" --classifier "$dir/cls.safetensors" -n 500 --json "$dir/noise.json" > "$dir/noise.log" 2>&1 \
    || { cat "$dir/noise.log"; fail "eval noise"; }
cat "$dir/noise.log"
fd() { sed -n "s/^Frechet distance *\([0-9.]*\) *\([0-9.]*\)/\\$2/p" "$1"; }
noise=$(fd "$dir/noise.log" 1) floor=$(fd "$dir/noise.log" 2)
awk -v n="$noise" -v f="$floor" 'BEGIN { exit !(n > 10 * f && f >= 0) }' || fail "FD of noise $noise not far above the real floor $floor"
# real test images through the .npy path samples take ([-1,1] pixels, mapped to the classifier's
# [0,1]): the 500 real ones themselves score as identical; 1000 others (test images 5000..5999
# against the first 1000) score near the real-versus-real floor; read with the wrong pixel range
# they score far from it
col() { sed -n "s/^$2 *\([-0-9.]*\) *\([-0-9.]*\)\$/\\$3/p" "$1"; } # LOG LABEL COLUMN
test_images=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
python3 "$here/make_npy.py" idx "$dir/same.npy" $test_images 0 500
"$clgan" eval "$dir/same.npy" --classifier "$dir/cls.safetensors" -n 500 > "$dir/same.log" 2>&1 \
    || { cat "$dir/same.log"; fail "eval the real images themselves"; }
sfd=$(col "$dir/same.log" "Frechet distance" 1) sp=$(col "$dir/same.log" "precision (k=3)" 1)
sr=$(col "$dir/same.log" "recall (k=3)" 1)
echo "the real images as .npy: FD $sfd, precision $sp, recall $sr"
awk -v d="$sfd" -v p="$sp" -v r="$sr" 'BEGIN { exit !(d != "" && d * d < 1e-6 && p == 1 && r == 1) }' \
    || fail "the real images themselves as .npy: FD $sfd, precision $sp, recall $sr (expected 0, 1, 1)"
python3 "$here/make_npy.py" idx "$dir/real.npy" $test_images 5000 1000
"$clgan" eval "$dir/real.npy" --classifier "$dir/cls.safetensors" -n 1000 > "$dir/real.log" 2>&1 \
    || { cat "$dir/real.log"; fail "eval real"; }
cat "$dir/real.log"
rfd=$(col "$dir/real.log" "Frechet distance" 1) rfloor=$(col "$dir/real.log" "Frechet distance" 2)
rp=$(col "$dir/real.log" "precision (k=3)" 1) fp=$(col "$dir/real.log" "precision (k=3)" 2)
rr=$(col "$dir/real.log" "recall (k=3)" 1) fr=$(col "$dir/real.log" "recall (k=3)" 2)
echo "other real images as .npy: FD $rfd (floor $rfloor), precision $rp ($fp), recall $rr ($fr); noise FD $noise"
awk -v d="$rfd" -v f="$rfloor" -v n="$noise" 'BEGIN { exit !(d != "" && d < 2 * f && d > f / 5 && 10 * d < n) }' \
    || fail "FD of real images $rfd not within a factor 2 above (5 below) the floor $rfloor, or not far below noise's $noise"
awk -v a="$rp" -v b="$fp" -v c="$rr" -v d="$fr" 'BEGIN { exit !(a != "" && c != "" && a - b < 0.05 && b - a < 0.05 && c - d < 0.05 && d - c < 0.05) }' \
    || fail "precision $rp / recall $rr of real images not within 0.05 of the floor's $fp / $fr"
"$clgan" eval "$dir/same.npy" --classifier "$dir/cls.safetensors" -n 500 --range 0,1 > "$dir/wrong.log" 2>&1 \
    || { cat "$dir/wrong.log"; fail "eval real --range 0,1"; }
wfd=$(col "$dir/wrong.log" "Frechet distance" 1) wfloor=$(col "$dir/wrong.log" "Frechet distance" 2)
awk -v d="$wfd" -v f="$wfloor" 'BEGIN { exit !(d > 10 * f) }' || fail "FD of misread images $wfd near the floor $wfloor"
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
