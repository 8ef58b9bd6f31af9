# clitest.sh — what the command-line test scripts share, sourced as
#   . "$(dirname "$0")/clitest.sh" NAME CLGAN_BINARY SOURCE_DIR SCRATCH
# their arguments ($clgan, $src, $scratch, emptied first), pass/fail counting (ok, bad), expect,
# and the closing line (finish), whose status is the script's.
set -u
name=$1 clgan=$2 src=$3 scratch=$4
rm -rf "$scratch" && mkdir -p "$scratch"
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect CODE PATTERN -- command...: exit status CODE (or "nonzero") and stderr+stdout matching
# PATTERN (an extended regex over the whole output)
expect() {
  local code=$1 pattern=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$code" = nonzero ]; then [ $rc -ne 0 ] || { bad "$* exited 0, expected failure"; return 1; }
  else [ $rc -eq "$code" ] || { bad "$* exited $rc, expected $code; output: $out"; return 1; }
  fi
  if printf '%s' "$out" | grep -qzE -- "$pattern"; then ok; else bad "$*: output does not match /$pattern/: $out"; return 1; fi
}

finish() {
  echo "$name: $pass passed, $fail failed"
  [ $fail -eq 0 ]
}
