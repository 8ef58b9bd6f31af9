#!/usr/bin/env bash
# runfolder.sh — the run folder through the command line:
# - a failed start (resume from another config, from a checkpoint with a bad step, without
#   metrics.csv or with too few rows in it, of a folder that does not exist, --resume with
#   --overwrite, --overwrite with bad data) exits non-zero with one message and leaves every
#   file of the folder as it was (names, types and contents hashed before and after);
# - a crafted checkpoint whose batch_in_epoch lies past the data set is refused, not a crash;
# - --overwrite with a shorter run leaves exactly the new run's checkpoints, samples and
#   metrics (and files of the user's own), none of the old run's;
# - a resume with nothing to do (already at or past the run's end, also from an older
#   checkpoint file) exits 0 and changes no file;
# - a rewind (--resume of an older checkpoint file with --out) removes the abandoned run's later
#   checkpoints and continues byte for byte.
# usage: runfolder.sh CLGAN_BINARY SOURCE_DIR SCRATCH
. "$(dirname "$0")/clitest.sh" runfolder "$@"
cfg=$src/configs/test_mlp.ini

# every name, type and content below a folder
snapshot() { (cd "$1" && find . -printf '%y %p\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum); }

# refused DIR PATTERN -- command...: a non-zero exit other than a crash, output matching PATTERN,
# and DIR (which may not exist) exactly as it was
refused() {
  local dir=$1 pattern=$2; shift 3
  local before after out rc
  before=$( [ -e "$dir" ] && snapshot "$dir" || echo absent )
  out=$("$@" 2>&1); rc=$?
  after=$( [ -e "$dir" ] && snapshot "$dir" || echo absent )
  if [ $rc -eq 0 ] || [ $rc -ge 128 ]; then bad "$* exited $rc, expected a refusal; output: $out"; return; fi
  printf '%s' "$out" | grep -qE -- "$pattern" && ok || bad "$*: output does not match /$pattern/: $out"
  [ "$before" = "$after" ] && ok || bad "$*: a failed start changed $dir: $(diff <(echo "$before") <(echo "$after") | head -20)"
}

# craft IN OUT KEY VALUE: a copy of a checkpoint with one metadata value replaced (the JSON
# header is re-padded to 8 bytes and its length rewritten)
craft() {
  perl -e '
    my ($in, $out, $k, $v) = @ARGV;
    open(my $f, "<:raw", $in) or die "$in: $!"; local $/; my $b = <$f>; close $f;
    my $hl = unpack("Q<", substr($b, 0, 8)); my $h = substr($b, 8, $hl);
    $h =~ s/"\Q$k\E":"[^"]*"/"$k":"$v"/ or die "no key $k";
    $h =~ s/ +$//; $h .= " " x ((8 - length($h) % 8) % 8);
    open(my $o, ">:raw", $out) or die "$out: $!"; print $o pack("Q<", length $h), $h, substr($b, 8 + $hl); close $o;
  ' "$@"
}

run() { "$clgan" train "$cfg" --quiet "$@" >/dev/null 2>"$scratch/err" || { bad "train $*: $(cat "$scratch/err")"; return 1; }; ok; }

# a short run to resume from: checkpoints at 10, 20, 30
run --out "$scratch/a" --set train.max_steps=30 --set train.checkpoint_every=10 --set train.sample_every=10 || exit 1
fresh() { rm -rf "$scratch/$1" && cp -a "$scratch/a" "$scratch/$1"; }

# another config
fresh r1
refused "$scratch/r1" "saved from another config" -- "$clgan" train "$cfg" --resume "$scratch/r1" --set generator.lr=0.5

# a step the data set cannot hold (used to read past the data on the device and crash)
fresh r2
craft "$scratch/a/checkpoints/step_0000030.safetensors" "$scratch/r2/checkpoints/latest.safetensors" batch_in_epoch 1000000
refused "$scratch/r2" "latest.safetensors: step 30, epoch 1, batch_in_epoch 1000000 is not a point of this run" -- \
  "$clgan" train "$cfg" --resume "$scratch/r2" --set train.max_steps=60
craft "$scratch/a/checkpoints/step_0000030.safetensors" "$scratch/r2/checkpoints/latest.safetensors" step 130
refused "$scratch/r2" "step 130, epoch 1, batch_in_epoch 30 is not a point" -- \
  "$clgan" train "$cfg" --resume "$scratch/r2" --set train.max_steps=160

# metrics.csv missing, or with fewer rows than the checkpoint's step
fresh r3
rm "$scratch/r3/metrics.csv"
refused "$scratch/r3" "r3/metrics.csv: cannot read it to resume" -- "$clgan" train "$cfg" --resume "$scratch/r3" --set train.max_steps=60
[ ! -e "$scratch/r3/metrics.csv.tmp" ] && ok || bad "a failed resume left metrics.csv.tmp"
fresh r4
head -n 21 "$scratch/a/metrics.csv" > "$scratch/r4/metrics.csv"
refused "$scratch/r4" "r4/metrics.csv: has 20 rows but the checkpoint is at step 30" -- \
  "$clgan" train "$cfg" --resume "$scratch/r4" --set train.max_steps=60

# a folder that does not exist is not created
refused "$scratch/nothere" "nothere: no such run folder" -- "$clgan" train "$cfg" --resume "$scratch/nothere"
[ ! -e "$scratch/nothere" ] && ok || bad "--resume of a missing folder created it"
# --resume with --overwrite, or with --out naming another folder
fresh r5
refused "$scratch/r5" "give one of them" -- "$clgan" train "$cfg" --resume "$scratch/r5" --overwrite
refused "$scratch/r5" "--out cannot name another" -- "$clgan" train "$cfg" --resume "$scratch/r5" --out "$scratch/r6"
[ ! -e "$scratch/r6" ] && ok || bad "a refused --out folder was created"
# --overwrite of a run whose new start fails keeps the old run
refused "$scratch/r5" "/nonexistent/images.gz: cannot open" -- \
  "$clgan" train "$cfg" --out "$scratch/r5" --overwrite --set data.path=/nonexistent/images.gz

# and a good resume still works, after all those refusals
run --resume "$scratch/r5" --set train.max_steps=40 || exit 1
[ "$(wc -l < "$scratch/r5/metrics.csv")" -eq 41 ] && ok || bad "resumed metrics.csv should have 41 lines"
cmp -s <(head -n 31 "$scratch/r5/metrics.csv") "$scratch/a/metrics.csv" && ok || bad "resume changed the first 30 rows"

# nothing to do: exit 0 with the message, every file as it was (config.ini and metrics.csv too)
unchanged() {
  local dir=$1 pattern=$2; shift 3
  local before after out rc
  before=$(snapshot "$dir"); out=$("$@" 2>&1); rc=$?; after=$(snapshot "$dir")
  [ $rc -eq 0 ] && printf '%s' "$out" | grep -qE -- "$pattern" && ok || bad "$*: exited $rc, expected 0 and /$pattern/: $out"
  [ "$before" = "$after" ] && ok || bad "$*: nothing to do but $dir changed: $(diff <(echo "$before") <(echo "$after") | head -20)"
}
fresh n1
unchanged "$scratch/n1" "step 10, the end of this run's 5 steps: nothing to do" -- "$clgan" train "$cfg" --quiet \
  --resume "$scratch/n1/checkpoints/step_0000010.safetensors" --out "$scratch/n1" --set train.max_steps=5
unchanged "$scratch/n1" "step 30, the end of this run's 20 steps: nothing to do" -- "$clgan" train "$cfg" --quiet \
  --resume "$scratch/n1" --set train.max_steps=20 --set train.log_every=3
run --resume "$scratch/n1" --set train.max_steps=31 || exit 1

# a rewind to step 10 of a run that reached 30: step_0000030 belongs to the abandoned run
fresh w1
run --resume "$scratch/w1/checkpoints/step_0000010.safetensors" --out "$scratch/w1" --set train.max_steps=25 \
  --set train.checkpoint_every=10 || exit 1
have=$(cd "$scratch/w1/checkpoints" && ls | tr '\n' ' ')
want="latest.safetensors step_0000010.safetensors step_0000020.safetensors step_0000025.safetensors "
[ "$have" = "$want" ] && ok || bad "after a rewind to step 10 and a run to 25 the checkpoints are: $have; expected: $want"
cmp -s "$scratch/w1/metrics.csv" <(head -n 26 "$scratch/a/metrics.csv") && ok || bad "the rewound run's metrics differ"
run --resume "$scratch/w1" --set train.max_steps=30 --set train.checkpoint_every=10 || exit 1
cmp -s "$scratch/w1/metrics.csv" "$scratch/a/metrics.csv" && ok || bad "rewound and resumed to 30: metrics differ"

# --overwrite with a shorter run: only the new run's files are left
# (the old run's TensorBoard events and scores go too: TensorBoard would mix the two runs' curves)
run --out "$scratch/o" --set train.max_steps=40 --set train.checkpoint_every=10 --set train.sample_every=10 \
  --set train.tensorboard=1 || exit 1
ls "$scratch"/o/tb/events.out.tfevents.* >/dev/null 2>&1 && ok || bad "train.tensorboard=1 wrote no event file"
printf 'epoch,step,fd\n1,40,3.5\n' > "$scratch/o/eval.csv"
echo "my notes" > "$scratch/o/notes.txt"
run --out "$scratch/o" --overwrite --set train.max_steps=15 --set train.checkpoint_every=10 --set train.sample_every=10
have=$(cd "$scratch/o" && find . -type f | LC_ALL=C sort | tr '\n' ' ')
want="./checkpoints/latest.safetensors ./checkpoints/step_0000010.safetensors ./checkpoints/step_0000015.safetensors ./config.ini ./metrics.csv ./notes.txt ./report.html ./samples/epoch_001.png ./samples/step_0000010.png "
[ "$have" = "$want" ] && ok || bad "after --overwrite with a shorter run the folder holds: $have; expected: $want"
[ "$(wc -l < "$scratch/o/metrics.csv")" -eq 16 ] && ok || bad "overwritten metrics.csv should have 16 lines"
cmp -s "$scratch/o/checkpoints/latest.safetensors" "$scratch/o/checkpoints/step_0000015.safetensors" && ok ||
  bad "latest is not the new run's last checkpoint"
grep -q "max_steps = 15" "$scratch/o/config.ini" && ok || bad "config.ini is not the new run's"
# and it resumes from there
run --resume "$scratch/o" --set train.max_steps=20 --set train.checkpoint_every=10 || exit 1
[ "$(wc -l < "$scratch/o/metrics.csv")" -eq 21 ] && ok || bad "resumed overwritten run should have 21 lines"

finish
