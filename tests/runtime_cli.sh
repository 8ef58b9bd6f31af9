#!/usr/bin/env bash
# runtime_cli.sh — the CLI's device and device-memory messages: an unknown --device or
# $CLGAN_DEVICE lists the devices there are; a data set or a memory plan larger than the device
# allows (limits lowered through $CLGAN_TEST_MAX_ALLOC / $CLGAN_TEST_GLOBAL_MEM) names the sizes
# and what to change, exits non-zero and writes nothing.
# usage: runtime_cli.sh CLGAN_BINARY SOURCE_DIR SCRATCH
. "$(dirname "$0")/clitest.sh" runtime_cli "$@"

# expect_fail PATTERN -- command...: a non-zero exit, output matching PATTERN, no run folder
expect_fail() {
  expect nonzero "$@"
  [ ! -e "$scratch/r0" ] && ok || bad "$*: a failed start created $scratch/r0"
}

cfg=$src/configs/test_mlp.ini
first=$("$clgan" devices | awk '/^[0-9]+:[0-9]+ / { print $1 " " $2; exit }')
[ -n "$first" ] && ok || bad "clgan devices lists nothing"
expect_fail "no OpenCL device matches \"nosuchdevice\" \(--device\); available: .*$first" -- \
  "$clgan" train "$cfg" --device nosuchdevice --out "$scratch/r0"
expect_fail "no OpenCL device 9:9 \(\\\$CLGAN_DEVICE\); available: .*$first" -- \
  env CLGAN_DEVICE=9:9 "$clgan" train "$cfg" --out "$scratch/r0"
if ! "$clgan" devices | grep -q "type: GPU"; then
  expect_fail "no OpenCL GPU device \(--device = gpu\); available: " -- "$clgan" train "$cfg" --device gpu --out "$scratch/r0"
fi

# the data set: 6400 images of 784 bytes = 4.8 MiB in one buffer, against a 1 MiB limit
expect_fail "out of device memory: the 6400 images \(784 bytes each\) of .*train-images-idx3-ubyte.gz take 4.8 MiB in one buffer but .* allows at most 1.0 MiB per buffer \(CL_DEVICE_MAX_MEM_ALLOC_SIZE\): set data.limit below 6400" -- \
  env CLGAN_TEST_MAX_ALLOC=1048576 "$clgan" train "$cfg" --out "$scratch/r0"
# a batch whose memory plan exceeds 64 MiB of global memory
expect_fail "out of device memory: the generator's memory plan at batch 20000 \(.*activations [0-9.]+ MiB.*\) needs [0-9.]+ MiB but .* has 64.0 MiB of global memory \(CL_DEVICE_GLOBAL_MEM_SIZE\): lower train.batch \(now 20000\)" -- \
  env CLGAN_TEST_GLOBAL_MEM=67108864 "$clgan" train "$cfg" --set train.batch=20000 --out "$scratch/r0"
# the data set after the generator's plan: the room left is what counts
expect_fail "out of device memory: the 6400 images .* needs 4.8 MiB but .* has 6.0 MiB of global memory \(CL_DEVICE_GLOBAL_MEM_SIZE, [0-9.]+ MiB of it already planned\): set data.limit below 6400" -- \
  env CLGAN_TEST_GLOBAL_MEM=6291456 "$clgan" train "$cfg" --out "$scratch/r0"

finish
