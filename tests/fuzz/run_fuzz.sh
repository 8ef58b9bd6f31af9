#!/usr/bin/env bash
# run_fuzz.sh — one fuzz test: runs a libFuzzer harness for SECONDS on a scratch copy of its
# committed seed corpus (so the repository is not modified), with its dictionary. Fails, naming
# the saved input, when the harness crashes, leaks or breaks a property.
#   run_fuzz.sh HARNESS CORPUS_DIR DICT SCRATCH_DIR SECONDS
set -euo pipefail
harness=$1 corpus=$2 dict=$3 scratch=$4 seconds=$5
rm -rf "$scratch"
mkdir -p "$scratch/corpus" "$scratch/crashes"
cp "$corpus"/* "$scratch/corpus/"
args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
      -artifact_prefix="$scratch/crashes/")
[ -f "$dict" ] && args+=(-dict="$dict")
if ! "$harness" "${args[@]}" "$scratch/corpus"; then
    echo "fuzz: $(basename "$harness") failed; reproduce with: $harness $scratch/crashes/<file>" >&2
    ls -l "$scratch/crashes" >&2
    exit 1
fi
