#!/usr/bin/env bash
# report.sh — a short run's report.html opened in headless Chromium: the page must render its
# three SVG charts and load every sample image (the page's own self-check line says so).
# usage: report.sh CLGAN_BINARY SOURCE_DIR SCRATCH
set -u
clgan=$1 src=$2 scratch=$3
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "chromium is not installed (tools/setup.sh installs it)"; exit 1
fi
rm -rf "$scratch" && mkdir -p "$scratch"
"$clgan" train "$src/configs/test_mlp.ini" --out "$scratch/run" --set train.max_steps=200 --quiet >/dev/null || exit 1
[ -s "$scratch/run/report.html" ] || { echo "FAIL: no report.html"; exit 1; }
# a run folder path near the limit (1000 bytes) gets every file, the report too, in place; one
# over it is refused and nothing is made (such paths were once cut to 1023 bytes and written there)
near=$scratch
while [ ${#near} -lt 800 ]; do near=$near/$(printf 'd%.0s' $(seq 180)); done
mkdir -p "$near" || exit 1
"$clgan" train "$src/configs/test_mlp.ini" --out "$near/run" --set train.max_steps=5 --quiet >/dev/null || exit 1
[ -s "$near/run/report.html" ] || { echo "FAIL: no report.html in a run folder with a ${#near}-byte path"; exit 1; }
far=$near/$(printf 'e%.0s' $(seq 200))
mkdir -p "$far" || exit 1
if "$clgan" train "$src/configs/test_mlp.ini" --out "$far/run" --set train.max_steps=5 --quiet 2>"$scratch/err"; then
  echo "FAIL: a ${#far}-byte run folder path was accepted"; exit 1
fi
grep -q "too long" "$scratch/err" || { echo "FAIL: no 'too long' message: $(cat "$scratch/err")"; exit 1; }
[ ! -e "$far/run" ] || { echo "FAIL: the refused run folder was made"; exit 1; }
status=$(timeout 120 "$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=5000 \
  --dump-dom "file://$scratch/run/report.html" 2>/dev/null | grep -o 'id="status">rendered: [^<]*' | sed 's/.*>//')
echo "report: $status"
case "$status" in
  "rendered: 3 charts, 2 of 2 sample images loaded") echo "report: 1 passed, 0 failed" ;;
  *) echo "FAIL: expected 3 charts and 2 of 2 images"; echo "report: 0 passed, 1 failed"; exit 1 ;;
esac
