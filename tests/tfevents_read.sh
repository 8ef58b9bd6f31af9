#!/usr/bin/env bash
# tfevents_read.sh — reads the event file that test_tfevents left in DIR/tb with TensorBoard's own
# reader (EventAccumulator, which also checks both CRCs of every record) and checks the tags,
# steps, values, the file version and the image's size and bytes. VENV holds TensorBoard
# (tests/tb_venv.sh makes it, as a ctest fixture).
# Usage: tfevents_read.sh VENV DIR
set -euo pipefail
venv=$1 dir=$2
[ -d "$dir/tb" ] || { echo "tfevents_read: no $dir/tb (test_tfevents writes it first)" >&2; exit 1; }
"$venv/bin/python" - "$dir" <<'PY'
import sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

d = sys.argv[1]
ea = EventAccumulator(d + "/tb", size_guidance={"scalars": 0, "images": 0})
ea.Reload()
problems = []
def want(cond, msg):
    if not cond:
        problems.append(msg)

tags = ea.Tags()
want(sorted(tags["scalars"]) == ["fd", "loss/d"], f"scalar tags {tags['scalars']}")
want(tags["images"] == ["samples"], f"image tags {tags['images']}")
want(ea.file_version == 2.0, f"file version {ea.file_version}")
if "loss/d" in tags["scalars"]:
    got = [(e.step, e.value) for e in ea.Scalars("loss/d")]
    want(got == [(i, 0.25 * i - 1) for i in range(10)], f"loss/d {got}")
if "fd" in tags["scalars"]:
    got = [(e.step, e.value) for e in ea.Scalars("fd")]
    want(got == [(0, 123.5), (5, 42.25)], f"fd {got}")
if "samples" in tags["images"]:
    im = ea.Images("samples")
    png = open(d + "/expected.png", "rb").read()
    want(len(im) == 1 and im[0].step == 3, f"images {[(e.step) for e in im]}")
    want(im and (im[0].height, im[0].width) == (5, 7), f"image size {[(e.height, e.width) for e in im]}")
    want(im and im[0].encoded_image_string == png, "image bytes differ from the PNG written")
for p in problems:
    print("FAIL tfevents_read:", p)
print(f"tfevents_read: {'%d problem(s)' % len(problems) if problems else 'TensorBoard reads every tag, step, value and the image'}")
sys.exit(1 if problems else 0)
PY
