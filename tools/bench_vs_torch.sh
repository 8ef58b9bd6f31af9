#!/usr/bin/env bash
# bench_vs_torch.sh — clgan's training step beside PyTorch's on the same machine, in one run:
# `clgan bench` for the seed models and a PyTorch step script (default: ../shared/peers/
# torch_gan_step.py, or $TORCH_STEP) with the same thread count; prints the ratio per model
# (clgan ms / PyTorch ms: below 1 means clgan is faster) and the machine's load at the start.
# PyTorch: $PYTHON if set, else a venv in the build folder with torch from PyPI (installed on the
# first run; Debian's python3-torch uses a slow reference BLAS and is not a fair yardstick).
# $TORCH_DEVICE=cuda runs the PyTorch steps on the GPU (the step script's tensors and modules are
# created there; one synchronisation ends the timed steps).
# usage: tools/bench_vs_torch.sh [--threads N] [--steps N] [--device D] [--models mlp,dcgan,...]
#        [--build DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=$(nproc) steps=10 device="" models="mlp,dcgan,keras_dcgan,maxout,upsample,flower" build=build
while [ $# -gt 0 ]; do
  case $1 in
    --threads) threads=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "bench_vs_torch.sh: unknown option $1 (see the usage line at the top)" >&2; exit 2 ;;
  esac
done
peer=${TORCH_STEP:-../shared/peers/torch_gan_step.py}
[ -f "$peer" ] || { echo "bench_vs_torch.sh: no PyTorch step script at $peer (set TORCH_STEP)" >&2; exit 2; }
[ -x "$build/clgan" ] || { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
                           cmake --build "$build" -j"$(nproc)" --target clgan-cli >/dev/null; }
py=${PYTHON:-}
if [ -z "$py" ]; then
  py=$build/torch-venv/bin/python
  if ! "$py" -c 'import torch' 2>/dev/null; then
    echo "installing PyTorch from PyPI into $build/torch-venv (once)" >&2
    python3 -m venv "$build/torch-venv"
    "$build/torch-venv/bin/pip" install -q torch numpy
  fi
fi
export POCL_MAX_PTHREAD_COUNT=$threads
declare -A cfg=([mlp]=configs/mlp_gan.ini [dcgan]=configs/dcgan.ini [keras_dcgan]=configs/keras_dcgan.ini
                [maxout]=configs/maxout_gan.ini [upsample]=configs/upsample_gan.ini [flower]=configs/flower_gan.ini)
for m in ${models//,/ }; do
  [ -n "${cfg[$m]:-}" ] || { echo "bench_vs_torch.sh: unknown model $m (--models: ${!cfg[*]})" >&2; exit 2; }
done
out=$(mktemp -d)
echo "load at start: $(uptime)"
if [ "${TORCH_DEVICE:-cpu}" = cpu ]; then
  torch_json=$("$py" "$peer" --threads "$threads" --steps "$steps" --models "$models")
else
  # the step script builds everything with torch's factory functions and nn modules, so the
  # default device moves it; the timer it reads after the steps waits for the device first
  torch_json=$("$py" - "$peer" "${TORCH_DEVICE}" --threads "$threads" --steps "$steps" --models "$models" <<'EOF'
import runpy, sys, time, torch
peer, dev = sys.argv[1], sys.argv[2]
torch.set_default_device(dev)
clock = time.perf_counter
def synced():
    torch.cuda.synchronize() if dev.startswith("cuda") else None
    return clock()
time.perf_counter = synced
sys.argv = [peer] + sys.argv[3:]
runpy.run_path(peer, run_name="__main__")
EOF
)
fi
printf '%-12s %8s %12s %12s %8s\n' model batch "clgan ms" "torch ms" ratio
for m in ${models//,/ }; do
  "$build/clgan" bench "${cfg[$m]}" --steps "$steps" --threads "$threads" ${device:+--device "$device"} \
    --json "$out/$m.json" > "$out/$m.txt"
  c=$(grep -o '"ms_median":[0-9.]*' "$out/$m.json" | cut -d: -f2)
  b=$(grep -o '"batch":[0-9]*' "$out/$m.json" | head -1 | cut -d: -f2)
  t=$(printf '%s\n' "$torch_json" | grep "\"model\": \"$m\"" | grep -o '"ms_per_step": [0-9.]*' | cut -d' ' -f2)
  printf '%-12s %8s %12.2f %12.2f %8.2f\n' "$m" "$b" "$c" "$t" "$(awk -v c="$c" -v t="$t" 'BEGIN { print c / t }')"
done
echo "load at end: $(uptime)"
echo "(clgan per-layer tables: $out/*.txt)"
