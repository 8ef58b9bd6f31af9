#!/usr/bin/env bash
# ema.sh — the generator's weight average, TensorBoard logs and scores during training, through
# the CLI on configs/test_mlp.ini: a run with train.ema trains exactly as one without (same
# metrics and raw tensors) and stores generator_ema.* of the raw generator's names and shapes;
# 3 steps + a resume to 6 writes the same checkpoint bytes as 6 steps at once; `clgan sample`
# runs the average and `--raw` the raw weights (each checked against a NumPy forward of those
# tensors, PyTorch's Linear layout); TensorBoard's reader gets every metrics.csv value under its
# tag and step and the grid PNGs; eval_every writes eval.csv rows and the FD chart, and without
# eval_classifier the run is refused. VENV holds TensorBoard (tests/tb_venv.sh, a ctest fixture).
# Usage: ema.sh CLGAN VENV DIR
set -euo pipefail
clgan=$1 venv=$2 dir=$3 src=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "FAIL ema: $*" >&2; exit 1; }
rm -rf "$dir" && mkdir -p "$dir"
cfg=$src/configs/test_mlp.ini
run() { "$clgan" train "$cfg" --quiet --set train.log_every=2 --set train.sample_every=3 "$@" > "$dir/log" 2>&1 ||
          { cat "$dir/log"; fail "train $*"; }; }
run --out "$dir/a" --set train.max_steps=6 --set train.ema=0.9 --set train.tensorboard=1
run --out "$dir/plain" --set train.max_steps=6
run --out "$dir/b" --set train.max_steps=3 --set train.ema=0.9 --set train.tensorboard=1
"$clgan" train "$cfg" --resume "$dir/b" --quiet --set train.log_every=2 --set train.sample_every=3 \
    --set train.max_steps=6 --set train.ema=0.9 --set train.tensorboard=1 > "$dir/log" 2>&1 || { cat "$dir/log"; fail "resume"; }
cmp "$dir/a/metrics.csv" "$dir/plain/metrics.csv" || fail "the average changed training"
cmp "$dir/a/checkpoints/step_0000006.safetensors" "$dir/b/checkpoints/step_0000006.safetensors" ||
    fail "3 steps + resume to 6 differ from 6 steps"
"$venv/bin/python" - "$dir/z.npy" <<'PY'
import sys, numpy as np
np.save(sys.argv[1], np.random.default_rng(3).standard_normal((5, 100)).astype(np.float32))
PY
"$clgan" sample "$dir/a" --noise "$dir/z.npy" --out-npy "$dir/ema.npy" -o - > /dev/null || fail "sample"
"$clgan" sample "$dir/a" --raw --noise "$dir/z.npy" --out-npy "$dir/raw.npy" -o - > /dev/null || fail "sample --raw"
"$venv/bin/python" - "$dir" <<'PY' || fail "checkpoint tensors, sample or TensorBoard"
import sys, json, struct, csv, numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
d = sys.argv[1]
def tensors(path):
    b = open(path, "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
    return {k: np.frombuffer(b[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], np.float32).reshape(v["shape"])
            for k, v in h.items() if k != "__metadata__"}
a, p = tensors(d + "/a/checkpoints/step_0000006.safetensors"), tensors(d + "/plain/checkpoints/step_0000006.safetensors")
bad = []
raw = {k: v for k, v in a.items() if k.startswith("generator.")}
ema = {k: v for k, v in a.items() if k.startswith("generator_ema.")}
if sorted(k.split(".", 1)[1] for k in ema) != sorted(k.split(".", 1)[1] for k in raw): bad.append("ema names")
for k, v in raw.items():
    if not np.array_equal(v, p[k]): bad.append("raw %s differs from the run without ema" % k)
    e = ema.get("generator_ema." + k.split(".", 1)[1])
    if e is None or e.shape != v.shape or np.array_equal(e, v): bad.append("ema of %s" % k)
z = np.load(d + "/z.npy")
def forward(t, pre):  # dense, leaky_relu 0.2, dense, tanh: y = x W^T + b as torch.nn.Linear
    h = z @ t[pre + ".0.weight"].T + t[pre + ".0.bias"]; h = np.where(h > 0, h, 0.2 * h)
    return np.tanh(h @ t[pre + ".2.weight"].T + t[pre + ".2.bias"])
for name, pre in (("ema", "generator_ema"), ("raw", "generator")):
    got = np.load(d + "/%s.npy" % name).reshape(len(z), -1)
    err = np.abs(got - forward(a, pre)).max()
    if not err < 1e-5: bad.append("sample %s: %g from the NumPy forward of %s.*" % (name, err, pre))
ea = EventAccumulator(d + "/a/tb", size_guidance={"scalars": 0, "images": 0}); ea.Reload()
rows = list(csv.DictReader(open(d + "/a/metrics.csv")))
for col in ("d_loss", "g_loss", "d_real", "d_fake", "acc_real", "acc_fake"):
    got = [(e.step, e.value) for e in ea.Scalars("train/" + col)] if "train/" + col in ea.Tags()["scalars"] else []
    want = [(int(r["step"]), float(np.float32(r[col]))) for r in rows]
    if [s for s, _ in got] != [s for s, _ in want] or any(abs(g - w) > 1e-6 * max(1, abs(w)) for (_, g), (_, w) in zip(got, want)):
        bad.append("train/%s: %s vs %s" % (col, got, want))
ims = ea.Images("samples") if "samples" in ea.Tags()["images"] else []
png = open(d + "/a/samples/step_0000003.png", "rb").read()
w, h = struct.unpack(">II", png[16:24])
if [e.step for e in ims][:1] != [3] or ims[0].encoded_image_string != png or (ims[0].width, ims[0].height) != (w, h):
    bad.append("images %s" % [(e.step, e.width, e.height) for e in ims])
for b in bad: print("FAIL ema:", b)
sys.exit(1 if bad else 0)
PY
# scores during training: refused without a classifier, then eval.csv and the report's chart
if "$clgan" train "$cfg" --out "$dir/c" --set train.max_steps=2 --set train.eval_every=1 > "$dir/err" 2>&1; then
  fail "eval_every without eval_classifier was accepted"; fi
grep -q "eval_every = 1 needs eval_classifier" "$dir/err" || { cat "$dir/err"; fail "message"; }
[ -e "$dir/c" ] && fail "the refused run wrote $dir/c"
sed -e 's/^epochs = .*/epochs = 1/' -e 's/^\[data\]/[data]\nlimit = 256\ntest_limit = 100/' \
    "$src/configs/fmnist_classifier.ini" > "$dir/cls.ini"
"$clgan" classify "$dir/cls.ini" -o "$dir/cls.safetensors" --quiet > "$dir/log" 2>&1 || { cat "$dir/log"; fail "classify"; }
"$clgan" train "$cfg" --out "$dir/e" --quiet --set data.limit=640 --set train.epochs=2 --set train.ema=0.9 \
    --set train.eval_every=1 --set train.eval_classifier="$dir/cls.safetensors" > "$dir/log" 2>&1 || { cat "$dir/log"; fail "eval run"; }
[ "$(wc -l < "$dir/e/eval.csv")" = 3 ] || { cat "$dir/e/eval.csv"; fail "eval.csv rows"; }
awk -F, 'NR > 1 && !($3 > 0) { exit 1 }' "$dir/e/eval.csv" || fail "FD not positive"
grep -q "FD of 2,000 samples" "$dir/e/report.html" || fail "no FD chart in the report"
# a run that ends before its first eval_every epoch is scored at its end, once
"$clgan" train "$cfg" --out "$dir/f" --quiet --set data.limit=640 --set train.epochs=2 \
    --set train.eval_every=5 --set train.eval_classifier="$dir/cls.safetensors" > "$dir/log" 2>&1 || { cat "$dir/log"; fail "short eval run"; }
[ "$(wc -l < "$dir/f/eval.csv")" = 2 ] && [ "$(tail -1 "$dir/f/eval.csv" | cut -d, -f1)" = 2 ] ||
  { cat "$dir/f/eval.csv"; fail "a 2-epoch run with eval_every = 5 was not scored once at its end"; }
echo "ema: ok"
