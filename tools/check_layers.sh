#!/usr/bin/env bash
# check_layers.sh — the parts of src/ import downwards only. Reads every `#include "..."` in src/
# and fails when a file includes a header of a higher part, when two parts of one level include
# each other, or when files include each other in a loop. The order, top to bottom:
#   cli → train → eval → model → layers → runtime | io | config | data → base → include (clgan/clgan.h)
# Usage: tools/check_layers.sh [SRC_DIR]   (default: src/ of this checkout)
set -euo pipefail
src=${1:-"$(cd "$(dirname "$0")/.." && pwd)/src"}
[ -d "$src" ] || { echo "check_layers: no folder $src" >&2; exit 2; }

python3 - "$src" <<'PY'
import os, re, sys

src = sys.argv[1]
rank = {"cli": 7, "train": 6, "eval": 5, "model": 4, "layers": 3,
        "runtime": 2, "io": 2, "config": 2, "data": 2, "base": 1, "clgan": 0}
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
problems = []
edges = {}          # file -> set of files it includes (both relative to src/, or clgan/...)
part_edges = set()  # (part, part) for same-level pairs

files = []
for root, _, names in os.walk(src):
    for n in names:
        if n.endswith((".c", ".h")):
            files.append(os.path.relpath(os.path.join(root, n), src))
for f in sorted(files):
    part = f.split(os.sep)[0]
    if part not in rank:
        problems.append(f"src/{f}: part '{part}' has no place in the order; add it to tools/check_layers.sh")
        continue
    text = open(os.path.join(src, f), encoding="utf-8", errors="replace").read()
    for m in inc.finditer(text):
        target = m.group(1)
        line = text.count("\n", 0, m.start()) + 1
        if "/" not in target:   # a header beside the file
            target = os.path.join(os.path.dirname(f), target)
        tpart = target.split("/")[0]
        if tpart not in rank:
            continue            # not one of ours (e.g. a generated file)
        edges.setdefault(f, set()).add(target)
        if tpart == part:
            continue
        if rank[tpart] > rank[part]:
            problems.append(f"src/{f}:{line}: {part} includes {target}, a higher part ({tpart})")
        elif rank[tpart] == rank[part]:
            part_edges.add((part, tpart))

for a, b in sorted(part_edges):
    if a < b and (b, a) in part_edges:
        problems.append(f"parts {a} and {b} include each other (one level: one of them must not)")

# include loops between files (a header that includes a header that includes it again)
state, stack = {}, []
def visit(f):
    state[f] = 1
    stack.append(f)
    for t in sorted(edges.get(f, ())):
        if state.get(t) == 1:
            loop = stack[stack.index(t):] + [t]
            problems.append("include loop: " + " -> ".join(loop))
        elif t not in state:
            visit(t)
    stack.pop()
    state[f] = 2
for f in sorted(edges):
    if f not in state:
        visit(f)

if problems:
    for p in problems:
        print(p)
    print(f"check_layers: {len(problems)} problem(s)")
    sys.exit(1)
print(f"check_layers: {len(files)} files, every include goes downwards")
PY
