#!/bin/bash
# mpi.sh CLGAN MPIRUN SRC SCRATCH CASE: data-parallel training under MPI (2 ranks) on the MLP GAN
# (50 steps, 2048 images of Fashion-MNIST) unless said otherwise. Cases:
#   match     2 ranks against 1 process: metrics and final parameters within 1e-5; the run folder
#             holds only what a 1-process run writes (rank 0 is the only writer)
#   dropout   the same on configs/test_mlp.ini (20 steps), whose discriminator has dropout: the
#             masks are keyed by the sample's index in the whole batch
#   sync_bn   the DCGAN (configs/test_dcgan.ini) with train.sync_bn = 1 against 1 process within
#             1e-5 over 3 steps, running statistics included, with Adam's eps at 1e-4: at 1e-8 the
#             weights whose gradient is near eps move by amounts that rounding decides (2e-6 after
#             step 1), which the network amplifies past 1e-5 by step 2 (one process with CLBlast
#             against the own GEMM drifts alike). Without sync_bn (each rank's own statistics,
#             1e-3 off at step 1) 60 steps run and learn
#   bad_device  a device that does not exist on rank 1 only: both ranks stop within seconds, a
#             non-zero exit and rank 1's message, nothing written
#   resume    a 2-rank run stopped at step 20 and resumed on 2 ranks equals the uninterrupted 2-rank
#             run byte for byte; its step-20 checkpoint resumed on 1 rank matches within 1e-5
#   kill      rank 1 killed by SIGKILL after the step-20 checkpoint of a 100-step run: mpirun
#             returns non-zero within 10 s; the folder resumed on 2 ranks equals the uninterrupted
#             run byte for byte, and resumed on 1 rank to step 60 matches the uninterrupted run's
#             first 60 steps within 1e-5 (further on, the 1-rank run drifts past 1e-5 by step 86)
set -u
CLGAN=$1 MPIRUN=$2 SRC=$3 SCRATCH=$4 CASE=$5
CFG=$SRC/configs/mlp_gan.ini
RUN=(--set train.seed=7 --set data.limit=2048 --set train.log_every=5 --set train.checkpoint_every=20 --quiet)
MPI=("$MPIRUN" --oversubscribe --allow-run-as-root -np 2)
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" || exit 1
cmp_runs() { python3 "$SRC/tests/mpi_compare.py" "$@" || fail "runs differ: $*"; }
files() { (cd "$1" && find . | sort); }
# one_two STEPS ARGS...: the config $CFG on 1 process (one/) and on 2 ranks (two/), within 1e-5
one_two() {
    local steps=$1
    shift
    "$CLGAN" train "$CFG" --out "$SCRATCH/one" --set train.max_steps=$steps "$@" > /dev/null || fail "1 process"
    "${MPI[@]}" "$CLGAN" train "$CFG" --out "$SCRATCH/two" --set train.max_steps=$steps "$@" > "$SCRATCH/two.log" ||
        fail "2 ranks: $(cat "$SCRATCH/two.log")"
    cmp_runs "$SCRATCH/one" "$SCRATCH/two" 1e-5
}

case $CASE in
match)
    one_two 50 "${RUN[@]}"
    [ "$(files "$SCRATCH/one")" = "$(files "$SCRATCH/two")" ] ||
        fail "the 2-rank run folder holds other files: $(diff <(files "$SCRATCH/one") <(files "$SCRATCH/two"))"
    [ "$(grep -c '^writing to' "$SCRATCH/two.log")" = 1 ] || fail "more than one rank logged: $(cat "$SCRATCH/two.log")"
    ;;
dropout)
    CFG=$SRC/configs/test_mlp.ini
    one_two 20 --set data.limit=1280 --set train.log_every=5 --quiet
    ;;
sync_bn)
    CFG=$SRC/configs/test_dcgan.ini
    one_two 3 --set data.limit=3840 --set train.log_every=1 --set train.sync_bn=1 --set generator.eps=1e-4 \
        --set discriminator.eps=1e-4 --quiet
    "${MPI[@]}" "$CLGAN" train "$CFG" --out "$SCRATCH/own" --set train.max_steps=60 --set data.limit=3840 --quiet \
        > /dev/null || fail "2 ranks without sync_bn"
    python3 "$SRC/tests/mpi_compare.py" --learns "$SCRATCH/own" || fail "2 ranks without sync_bn did not learn"
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
kill)
    RUN+=(--set train.keep_checkpoints=10)
    "${MPI[@]}" "$CLGAN" train "$CFG" --out "$SCRATCH/full" --set train.max_steps=100 "${RUN[@]}" > /dev/null || fail "2 ranks"
    "${MPI[@]}" "$CLGAN" train "$CFG" --out "$SCRATCH/part" --set train.max_steps=100 "${RUN[@]}" > "$SCRATCH/part.log" 2>&1 &
    job=$!
    for _ in $(seq 600); do [ -e "$SCRATCH/part/checkpoints/step_0000020.safetensors" ] && break; sleep 0.05; done
    victim=
    for p in $(pgrep -f -- "--out $SCRATCH/part "); do # rank 1 of this run (not mpirun)
        tr '\0' '\n' < /proc/$p/environ 2> /dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 && victim=$p
    done
    [ -n "$victim" ] || fail "no rank 1 to kill (the run ended before its step-20 checkpoint was seen?)"
    kill -9 "$victim"
    start=$(date +%s)
    for _ in $(seq 200); do kill -0 $job 2> /dev/null || break; sleep 0.05; done
    kill -0 $job 2> /dev/null && { kill -9 $job; fail "mpirun still runs 10 s after rank 1 was killed"; }
    wait $job && fail "mpirun returned 0 after rank 1 was killed: $(cat "$SCRATCH/part.log")"
    echo "mpirun stopped $(( $(date +%s) - start )) s after the kill"
    [ -e "$SCRATCH/part/checkpoints/step_0000060.safetensors" ] && fail "the killed run went on past step 60"
    cp -r "$SCRATCH/part" "$SCRATCH/part1"
    "${MPI[@]}" "$CLGAN" train "$CFG" --resume "$SCRATCH/part" --set train.max_steps=100 "${RUN[@]}" > /dev/null ||
        fail "2-rank resume after the kill"
    cmp_runs "$SCRATCH/full" "$SCRATCH/part" 0
    "$CLGAN" train "$CFG" --resume "$SCRATCH/part1" --set train.max_steps=60 "${RUN[@]}" > /dev/null ||
        fail "1-rank resume after the kill"
    cmp_runs "$SCRATCH/full" "$SCRATCH/part1" 1e-5 60
    ;;
*) fail "unknown case $CASE" ;;
esac
echo "mpi $CASE: ok"
