#!/bin/bash
# mpi.sh CLGAN MPIRUN SRC SCRATCH CASE: data-parallel training under MPI (2 ranks) on the MLP GAN
# (50 steps, 2048 images of Fashion-MNIST). Cases:
#   match     2 ranks against 1 process: metrics and final parameters within 1e-5; the run folder
#             holds only what a 1-process run writes (rank 0 is the only writer)
#   bad_device  a device that does not exist on rank 1 only: both ranks stop within seconds, a
#             non-zero exit and rank 1's message, nothing written
#   resume    a 2-rank run stopped at step 20 and resumed on 2 ranks equals the uninterrupted 2-rank
#             run byte for byte; its step-20 checkpoint resumed on 1 rank matches within 1e-5
set -u
CLGAN=$1 MPIRUN=$2 SRC=$3 SCRATCH=$4 CASE=$5
CFG=$SRC/configs/mlp_gan.ini
RUN=(--set train.seed=7 --set data.limit=2048 --set train.log_every=5 --set train.checkpoint_every=20 --quiet)
MPI=("$MPIRUN" --oversubscribe --allow-run-as-root -np 2)
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" || exit 1
cmp_runs() { python3 "$SRC/tests/mpi_compare.py" "$@" || fail "runs differ: $*"; }
files() { (cd "$1" && find . | sort); }

case $CASE in
match)
    "$CLGAN" train "$CFG" --out "$SCRATCH/one" --set train.max_steps=50 "${RUN[@]}" > /dev/null || fail "1 process"
    "${MPI[@]}" "$CLGAN" train "$CFG" --out "$SCRATCH/two" --set train.max_steps=50 "${RUN[@]}" > "$SCRATCH/two.log" ||
        fail "2 ranks: $(cat "$SCRATCH/two.log")"
    cmp_runs "$SCRATCH/one" "$SCRATCH/two" 1e-5
    [ "$(files "$SCRATCH/one")" = "$(files "$SCRATCH/two")" ] ||
        fail "the 2-rank run folder holds other files: $(diff <(files "$SCRATCH/one") <(files "$SCRATCH/two"))"
    [ "$(grep -c '^writing to' "$SCRATCH/two.log")" = 1 ] || fail "more than one rank logged: $(cat "$SCRATCH/two.log")"
    ;;
bad_device)
    start=$(date +%s)
    timeout 60 "${MPI[@]}" "$CLGAN" train "$CFG" --out "$SCRATCH/bad" --set train.max_steps=50 "${RUN[@]}" \
        --device "Portable Computing Language,no-such-device-xyz" > "$SCRATCH/bad.log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    [ $rc = 124 ] && fail "the ranks hung (killed after 60 s)"
    [ $rc != 0 ] || fail "exit status 0 with a bad device on rank 1"
    grep -q "rank 1: .*no-such-device-xyz" "$SCRATCH/bad.log" || fail "no message of rank 1: $(cat "$SCRATCH/bad.log")"
    [ $took -le 30 ] || fail "took $took s to stop"
    [ ! -e "$SCRATCH/bad/metrics.csv" ] || fail "a failed start wrote metrics.csv"
    ;;
resume)
    "${MPI[@]}" "$CLGAN" train "$CFG" --out "$SCRATCH/full" --set train.max_steps=50 "${RUN[@]}" > /dev/null || fail "2 ranks"
    "${MPI[@]}" "$CLGAN" train "$CFG" --out "$SCRATCH/part" --set train.max_steps=20 "${RUN[@]}" > /dev/null || fail "2 ranks, 20 steps"
    cp -r "$SCRATCH/part" "$SCRATCH/part1"
    "${MPI[@]}" "$CLGAN" train "$CFG" --resume "$SCRATCH/part" --set train.max_steps=50 "${RUN[@]}" > /dev/null ||
        fail "2-rank resume"
    cmp_runs "$SCRATCH/full" "$SCRATCH/part" 0
    "$CLGAN" train "$CFG" --resume "$SCRATCH/part1" --set train.max_steps=50 "${RUN[@]}" > /dev/null || fail "1-rank resume"
    cmp_runs "$SCRATCH/full" "$SCRATCH/part1" 1e-5
    ;;
*) fail "unknown case $CASE" ;;
esac
echo "mpi $CASE: ok"
