#!/usr/bin/env bash
# bench_vs_torch.sh — clgan's training step beside PyTorch's on the same machine, in one run:
# `clgan bench` for the seed models and a PyTorch step script (default: ../shared/peers/
# torch_gan_step.py, or $TORCH_STEP) with the same thread count; prints the ratio per model
# (clgan ms / PyTorch ms: below 1 means clgan is faster). $PYTHON picks the interpreter with
# torch (default /usr/bin/python3: Debian's python3-torch, whose reference BLAS is slow; a pip
# install of torch 2.x with MKL/oneDNN is the fair yardstick).
# usage: tools/bench_vs_torch.sh [--threads N] [--steps N] [--device D] [--models mlp,dcgan,...]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=$(nproc) steps=10 device="" models="mlp,dcgan,keras_dcgan,maxout"
while [ $# -gt 0 ]; do
  case $1 in
    --threads) threads=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
peer=${TORCH_STEP:-../shared/peers/torch_gan_step.py}
[ -x build/clgan ] || { cmake -S . -B build >/dev/null && cmake --build build -j"$(nproc)" >/dev/null; }
export POCL_MAX_PTHREAD_COUNT=$threads
declare -A cfg=([mlp]=configs/mlp_gan.ini [dcgan]=configs/dcgan.ini [keras_dcgan]=configs/keras_dcgan.ini
                [maxout]=configs/maxout_gan.ini)
out=$(mktemp -d)
torch_json=$("${PYTHON:-/usr/bin/python3}" "$peer" --threads "$threads" --steps "$steps" --models "$models")
printf '%-12s %8s %12s %12s %8s\n' model batch "clgan ms" "torch ms" ratio
for m in ${models//,/ }; do
  build/clgan bench "${cfg[$m]}" --steps "$steps" --threads "$threads" ${device:+--device "$device"} --json "$out/$m.json" > "$out/$m.txt"
  c=$(grep -o '"ms_median":[0-9.]*' "$out/$m.json" | cut -d: -f2)
  b=$(grep -o '"batch":[0-9]*' "$out/$m.json" | head -1 | cut -d: -f2)
  t=$(printf '%s\n' "$torch_json" | grep "\"model\": \"$m\"" | grep -o '"ms_per_step": [0-9.]*' | cut -d' ' -f2)
  printf '%-12s %8s %12.2f %12.2f %8.2f\n' "$m" "$b" "$c" "$t" "$(awk -v c="$c" -v t="$t" 'BEGIN { print c / t }')"
done
echo "(clgan per-layer tables: $out/*.txt)"
