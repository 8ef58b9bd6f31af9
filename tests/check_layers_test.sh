#!/usr/bin/env bash
# check_layers_test.sh — tools/check_layers.sh on crafted trees: a clean tree passes; an upward
# include, two same-level parts including each other, a header loop and an unknown part each
# fail with a message naming the file and line (or the loop).
# Usage: check_layers_test.sh SOURCE_DIR SCRATCH
src=$1 scratch=$2
. "$(dirname "$0")/clitest.sh" check_layers_test "$src/tools/check_layers.sh" "$src" "$scratch"
check="$src/tools/check_layers.sh"

# tree NAME FILE=TEXT...: a src/ tree under scratch with the given files ("\n" allowed)
tree() {
  local t="$scratch/$1"; shift
  mkdir -p "$t"
  for spec in "$@"; do
    mkdir -p "$t/$(dirname "${spec%%=*}")"
    printf '%b\n' "${spec#*=}" > "$t/${spec%%=*}"
  done
  echo "$t"
}

clean=$(tree clean 'base/err.h=#include "clgan/clgan.h"' 'runtime/a.c=#include "runtime/a.h"\n#include "base/err.h"' \
  'runtime/a.h=#include "base/err.h"' 'layers/l.c=#include "runtime/a.h"' 'cli/main.c=#include "train/t.h"' \
  'train/t.h=#include "model/n.h"' 'model/n.h=#include "layers/l.h"' 'layers/l.h=' 'data/d.c=#include "config/c.h"' \
  'config/c.h=')
expect 0 'every include goes downwards' -- bash "$check" "$clean"

up=$(tree up 'layers/conv.c=#include <stdio.h>\n#include "model/network.h"' 'model/network.h=')
expect 1 'src/layers/conv.c:2: layers includes model/network.h, a higher part \(model\)' -- bash "$check" "$up"

base=$(tree base 'base/err.h=#include "runtime/runtime.h"' 'runtime/runtime.h=')
expect 1 'src/base/err.h:1: base includes runtime/runtime.h' -- bash "$check" "$base"

mutual=$(tree mutual 'data/d.c=#include "config/c.h"' 'config/c.c=#include "data/d.h"' 'config/c.h=' 'data/d.h=')
expect 1 'parts config and data include each other' -- bash "$check" "$mutual"

loop=$(tree loop 'model/a.h=#include "model/b.h"' 'model/b.h=#include "model/c.h"' 'model/c.h=#include "model/a.h"')
expect 1 'include loop: model/a.h -> model/b.h -> model/c.h -> model/a.h' -- bash "$check" "$loop"

unknown=$(tree unknown 'extras/x.c=#include "base/err.h"' 'base/err.h=')
expect 1 "src/extras/x.c: part 'extras' has no place in the order" -- bash "$check" "$unknown"

expect 2 'no folder' -- bash "$check" "$scratch/missing"
finish
