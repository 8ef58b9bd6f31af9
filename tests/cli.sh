#!/usr/bin/env bash
# cli.sh — the clgan command line: help, devices, and bad input (missing or corrupt files, config
# typos, impossible shapes, unknown devices, kernels that fail to build, an existing run folder):
# each gives one clear message naming what and where, a non-zero exit, and destroys nothing.
# usage: cli.sh CLGAN_BINARY SOURCE_DIR SCRATCH
. "$(dirname "$0")/clitest.sh" cli "$@"

cfg=$src/configs/test_mlp.ini
expect 0 "commands:" -- "$clgan" --help
expect 0 "config keys:" -- "$clgan" train --help
expect 0 "usage: clgan devices" -- "$clgan" devices --help
expect 0 "log_every +read statistics back every N steps \(progress and NaN check; metrics.csv has a row per step\)" -- \
  "$clgan" train --help
# the README's usage block lists every option `clgan COMMAND --help` describes
for c in train sample interpolate bench tune; do
  usage=$(awk -v c="$c" '/^## Using it/ { f = 1 } f && /^```$/ { n++; if (n == 2) exit } f && n == 1 {
    if ($1 == "clgan") cur = $2; if (cur == c) print }' "$src/README.md")
  for o in $("$clgan" $c --help | grep -oE '^  +(--[a-z-]+|-[a-z])\b' | tr -d ' '); do
    printf '%s' "$usage" | grep -qe "$o\b" && ok || bad "README's usage of clgan $c lacks $o"
  done
done
# the index, as `clgan devices` prints it, of the device this test runs on ($CLGAN_TEST_DEVICE, a
# name or platform substring; other OpenCL platforms may come first)
expect 0 "^[0-9]+:[0-9]+ " -- "$clgan" devices
want=${CLGAN_TEST_DEVICE:-Portable Computing Language}
dev=$("$clgan" devices | awk -v w="$want" 'BEGIN { w = tolower(w) }
  /^[0-9]+:[0-9]+ / { idx = $1; if (index(tolower($0), w)) { print idx; exit } }
  /platform: / { if (index(tolower($0), w)) { print idx; exit } }')
[ -n "$dev" ] && ok || bad "clgan devices lists no device matching \"$want\""
expect nonzero "unknown command \"trian\"" -- "$clgan" trian
expect nonzero "no config given" -- "$clgan" train
expect nonzero "unknown option or missing value: --bogus" -- "$clgan" train "$cfg" --bogus
expect nonzero "/nonexistent.ini: cannot open config" -- "$clgan" train /nonexistent.ini
expect nonzero "no OpenCL device matches \"nosuchdevice\"" -- "$clgan" train "$cfg" --device nosuchdevice --out "$scratch/r0"
expect nonzero "no OpenCL device 7:3" -- "$clgan" train "$cfg" --device 7:3 --out "$scratch/r0"
expect nonzero "--set train.epoch=1: unknown key 'epoch' in \[train\] \(did you mean 'epochs'\?\)" -- \
  "$clgan" train "$cfg" --set train.epoch=1
expect nonzero "/nonexistent/images.gz: cannot open" -- "$clgan" train "$cfg" --set data.path=/nonexistent/images.gz --out "$scratch/r0"
head -c 3000 /dev/urandom > "$scratch/garbage.gz"
expect nonzero "garbage.gz: not an IDX file" -- "$clgan" train "$cfg" --set data.path="$scratch/garbage.gz" --out "$scratch/r0"

# config files with shape errors name file:line
sed 's/^layer = dense units=784$/layer = dense units=700/' "$cfg" > "$scratch/shape.ini"
expect nonzero "generator makes 700x1x1 .* but the images are 1x28x28" -- "$clgan" train "$scratch/shape.ini" --out "$scratch/r0"
sed 's/^layer = leaky_relu slope=0.2$/layer = leaky_relo slope=0.2/' "$cfg" > "$scratch/type.ini"
line=$(grep -n leaky_relo "$scratch/type.ini" | head -1 | cut -d: -f1)
expect nonzero "type.ini:$line: unknown layer type \"leaky_relo\"" -- "$clgan" train "$scratch/type.ini" --out "$scratch/r0"
sed 's/^layer = dense units=128$/layer = dense units=128 unit=3/' "$cfg" > "$scratch/opt.ini"
line=$(grep -n "unit=3" "$scratch/opt.ini" | head -1 | cut -d: -f1)
expect nonzero "opt.ini:$line: layer dense has no option 'unit'" -- "$clgan" train "$scratch/opt.ini" --out "$scratch/r0"
sed 's/^layer = flatten$/layer = reshape c=2 h=28 w=28/' "$cfg" > "$scratch/reshape.ini"
line=$(grep -n "reshape" "$scratch/reshape.ini" | head -1 | cut -d: -f1)
expect nonzero "reshape.ini:$line: .*cannot reshape 1x28x28" -- "$clgan" train "$scratch/reshape.ini" --out "$scratch/r0"
sed 's/^layer = flatten$//' "$cfg" > "$scratch/flat.ini"
expect nonzero "needs a flat input but gets 1x28x28: add \`layer = flatten\`" -- "$clgan" train "$scratch/flat.ini" --out "$scratch/r0"
sed 's/^layer = dense units=128$/layer = dense units=30000000/' "$cfg" > "$scratch/huge.ini"
expect nonzero "out of device memory: the generator.* [0-9.]+ MiB" -- "$clgan" train "$scratch/huge.ini" --out "$scratch/r0"
[ ! -e "$scratch/r0/metrics.csv" ] && ok || bad "a failed start wrote $scratch/r0/metrics.csv"

# a kernel that fails to build: the build log is shown
mkdir -p "$scratch/cl" && cp "$src"/cl/*.cl "$scratch/cl/"
printf '\n__kernel void broken(__global float *x) { x[0] = undefined_name; }\n' >> "$scratch/cl/activation.cl"
expect nonzero "cl/activation.cl failed to build.*undefined_name" -- env CLGAN_CL_DIR="$scratch/cl" CLGAN_NO_CACHE=1 \
  "$clgan" train "$cfg" --out "$scratch/r0"

# a short run works, and its folder is not overwritten by accident
expect 0 "done: " -- "$clgan" train "$cfg" --out "$scratch/run" --set train.max_steps=20 --set train.log_every=10 --quiet
[ "$(wc -l < "$scratch/run/metrics.csv")" -eq 21 ] && ok || bad "metrics.csv should have 21 lines"
[ -s "$scratch/run/samples/epoch_001.png" ] && ok || bad "no sample grid written"
sum=$(md5sum < "$scratch/run/metrics.csv")
expect nonzero "already holds a run" -- "$clgan" train "$cfg" --out "$scratch/run" --set train.max_steps=5
[ "$(md5sum < "$scratch/run/metrics.csv")" = "$sum" ] && ok || bad "an existing metrics.csv was changed"

# an image folder with one unreadable file: the warning counts it, in the singular
mkdir -p "$scratch/imgs"
{ printf 'P5\n28 28\n255\n'; head -c 784 /dev/zero; } > "$scratch/imgs/a.pgm"
echo "not an image" > "$scratch/imgs/b.png"
expect 0 "warning: .*imgs: skipped 1 file that is not a readable image \(first: .*b.png" -- "$clgan" train "$cfg" \
  --out "$scratch/imgrun" --set data.path="$scratch/imgs" --set data.size=28 --set data.channels=1 \
  --set train.batch=1 --set train.max_steps=1 --quiet

# sampling from the run's checkpoint
expect 0 "wrote 9 images of 1x28x28" -- "$clgan" sample "$scratch/run" -n 9 -o "$scratch/s.png" --out-npy "$scratch/s.npy"
[ -s "$scratch/s.png" ] && [ -s "$scratch/s.npy" ] && ok || bad "sample wrote no files"
expect 0 "wrote 2 rows of 5 steps" -- "$clgan" interpolate "$scratch/run" --rows 2 --steps 5 -o "$scratch/w.png"
expect nonzero "s.npy: expected latent vectors of shape \(n, 100\)" -- "$clgan" sample "$scratch/run" --noise "$scratch/s.npy"
# a checkpoint path too long for clgan's buffers is refused, not cut to name another file
longck=$scratch/$(printf 'c%.0s' $(seq 250))/$(printf 'c%.0s' $(seq 250))/$(printf 'c%.0s' $(seq 250))/$(printf 'c%.0s' $(seq 250))/$(printf 'c%.0s' $(seq 250))
expect nonzero "checkpoint path of [0-9]+ bytes is too long" -- "$clgan" sample "$longck/x.safetensors" -n 1 -o "$scratch/l.png"
expect nonzero "/nonexistent: cannot open" -- "$clgan" sample /nonexistent
expect nonzero "garbage.gz: not a valid safetensors file" -- "$clgan" sample "$scratch/garbage.gz"
# --noise: a float32 .npy of latent vectors, written here as zeros of shape (N, NZ)
mknpy() {
  local h="{'descr': '<f4', 'fortran_order': False, 'shape': ($2, $3), }"
  local pad=$(( (64 - (10 + ${#h} + 1) % 64) % 64 )) hl
  hl=$(( ${#h} + pad + 1 ))
  { printf '\x93NUMPY\x01\x00'; printf "\\x$(printf %02x $((hl % 256)))\\x$(printf %02x $((hl / 256)))"
    printf '%s%*s\n' "$h" $pad ''; head -c $(($2 * $3 * 4)) /dev/zero; } > "$1"
}
mknpy "$scratch/z.npy" 5 100
expect 0 "wrote 5 images" -- "$clgan" sample "$scratch/run" --noise "$scratch/z.npy" -o -
# a NaN in the noise file is reported there, not as a broken checkpoint
cp "$scratch/z.npy" "$scratch/znan.npy"
printf '\x00\x00\xc0\x7f' | dd of="$scratch/znan.npy" bs=1 seek=$((128 + (2 * 100 + 3) * 4)) conv=notrunc 2>/dev/null
expect nonzero "znan.npy: non-finite value at \[2,3\]" -- "$clgan" sample "$scratch/run" --noise "$scratch/znan.npy" -o -
# -n and --seed choose latent vectors too: with --noise they are refused, not ignored
expect nonzero "sample: -n and --noise .*z.npy" -- "$clgan" sample "$scratch/run" --noise "$scratch/z.npy" -n 3 -o "$scratch/n3.png"
expect nonzero "sample: --seed and --noise .*z.npy" -- "$clgan" sample "$scratch/run" --seed 2 --noise "$scratch/z.npy" -o "$scratch/n3.png"
[ ! -e "$scratch/n3.png" ] && ok || bad "a refused --noise combination wrote an image"
expect nonzero "sample: --device \"\": empty device" -- "$clgan" sample "$scratch/run" --device "" -o "$scratch/n3.png"
expect nonzero "interpolate: --device \"\": empty device" -- "$clgan" interpolate "$scratch/run" --device "" -o "$scratch/n3.png"
expect nonzero "bench: --device \"\": empty device" -- "$clgan" bench "$cfg" --device ""
expect nonzero "train: --device \"\": empty device" -- "$clgan" train "$cfg" --device "" --out "$scratch/r0"
expect nonzero "interpolate: unknown option or missing value: -n \(see \`clgan interpolate --help\`\)" -- \
  "$clgan" interpolate "$scratch/run" -n 5 -o "$scratch/n3.png"
expect nonzero "sample: -n \+5: not an integer" -- "$clgan" sample "$scratch/run" -n +5 -o "$scratch/n3.png"
expect nonzero "sample: -n  5: not an integer" -- "$clgan" sample "$scratch/run" -n " 5" -o "$scratch/n3.png"
[ ! -e "$scratch/n3.png" ] && ok || bad "a refused option wrote an image"
expect 0 "usage: clgan sample" -- "$clgan" sample --help
expect 0 "usage: clgan interpolate" -- "$clgan" interpolate --help

# numeric options: out of range or malformed values are refused before anything runs, naming
# the option and the allowed range
expect nonzero "interpolate: --rows 65536: out of range \(allowed: 1 to 1000\)" -- \
  "$clgan" interpolate "$scratch/run" --rows 65536 --steps 65536 -o "$scratch/big.png"
expect nonzero "--rows 1000 x --steps 1000 = 1000000 images; the limit is 100000" -- \
  "$clgan" interpolate "$scratch/run" --rows 1000 --steps 1000 -o "$scratch/big.png"
expect nonzero "interpolate: --steps 1: out of range \(allowed: 2 to 1000\)" -- "$clgan" interpolate "$scratch/run" --steps 1
expect nonzero "interpolate: --seed -1: out of range" -- "$clgan" interpolate "$scratch/run" --seed -1
expect nonzero "sample: -n 0: out of range \(allowed: 1 to 100000\)" -- "$clgan" sample "$scratch/run" -n 0
expect nonzero "sample: -n 4294967297: out of range" -- "$clgan" sample "$scratch/run" -n 4294967297
expect nonzero "sample: -n 9x: not an integer" -- "$clgan" sample "$scratch/run" -n 9x
expect nonzero "sample: --seed 99999999999999999999: out of range \(allowed: 0 to 9223372036854775807\)" -- \
  "$clgan" sample "$scratch/run" --seed 99999999999999999999
expect nonzero "train: --seed 1e5: not an integer" -- "$clgan" train "$cfg" --seed 1e5 --out "$scratch/r0"
expect nonzero "train: --threads 0: out of range \(allowed: 1 to 1024\)" -- "$clgan" train "$cfg" --threads 0 --out "$scratch/r0"
expect nonzero "bench: --steps 0: out of range \(allowed: 1 to 100000\)" -- "$clgan" bench "$cfg" --steps 0
expect nonzero "bench: --warmup 100001: out of range" -- "$clgan" bench "$cfg" --warmup 100001
expect nonzero "bench: --threads 4096: out of range" -- "$clgan" bench "$cfg" --threads 4096
[ ! -e "$scratch/big.png" ] && [ ! -e "$scratch/r0/metrics.csv" ] && ok || bad "a refused option wrote files"
# a seed above 100000 is a seed, not an error; sampling is deterministic in it
expect 0 "wrote 4 images" -- "$clgan" sample "$scratch/run" -n 4 --seed 9223372036854775807 -o - --out-npy "$scratch/a.npy"
expect 0 "wrote 4 images" -- "$clgan" sample "$scratch/run" -n 4 --seed 9223372036854775807 -o - --out-npy "$scratch/b.npy"
cmp -s "$scratch/a.npy" "$scratch/b.npy" && ok || bad "the same --seed gave different samples"

# a data.path of ~400 characters with '#', ';', '=' and spaces survives config.ini and the
# checkpoint's stored config: the run folder's config.ini trains, and its checkpoint samples
long="$scratch/data #1 ;x=y  $(printf 'a%.0s' $(seq 150))/more ; #= $(printf 'b%.0s' $(seq 150))"
mkdir -p "$long" && ln -sf /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz "$long/images ;#=.gz"
expect 0 "done: " -- "$clgan" train "$cfg" --out "$scratch/longpath" --set "data.path=$long/images ;#=.gz" \
  --set data.limit=256 --set train.max_steps=2 --quiet
expect 0 "wrote 4 images" -- "$clgan" sample "$scratch/longpath" -n 4 -o "$scratch/lp.png"
expect 0 "done: " -- "$clgan" train "$scratch/longpath/config.ini" --out "$scratch/longpath2" --set train.max_steps=2 --quiet
cmp -s "$scratch/longpath/config.ini" "$scratch/longpath2/config.ini" && ok || bad "config.ini changed when read back"
# a comment longer than any line buffer cannot set a key
{ cat "$cfg"; printf '[train]\n; %s seed = 99\n' "$(printf 'c%.0s' $(seq 250))"; } > "$scratch/comment.ini"
expect 0 "done: " -- "$clgan" train "$scratch/comment.ini" --out "$scratch/comment" --set train.max_steps=1 --quiet
grep -qx "seed = 99" "$scratch/comment/config.ini" && bad "a long comment set the seed" || ok
# a device chosen by the index `clgan devices` gave for it
[ -n "$dev" ] && expect 0 "wrote 1 images" -- "$clgan" sample "$scratch/run" -n 1 -o - --device "$dev"

# killing the process during training (and so, at times, during a checkpoint write) leaves a
# loadable latest checkpoint
for delay in 0.7 1.3 1.9 2.6; do
  "$clgan" train "$cfg" --out "$scratch/kill" --overwrite --set train.checkpoint_every=1 --set train.max_steps=100000 \
    --quiet >/dev/null 2>&1 &
  pid=$!
  sleep $delay
  kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  if [ -e "$scratch/kill/checkpoints/latest.safetensors" ]; then
    expect 0 "wrote 4 images" -- "$clgan" sample "$scratch/kill" -n 4 -o "$scratch/k.png"
  fi
done
[ -e "$scratch/kill/checkpoints/latest.safetensors" ] && ok || bad "no checkpoint was written before the kills"

finish
