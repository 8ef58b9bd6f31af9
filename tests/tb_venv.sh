#!/usr/bin/env bash
# tb_venv.sh — the virtual environment with TensorBoard's event reader (from PyPI; Debian has no
# TensorBoard) and NumPy (Debian's, through system site packages) that the event-file tests use:
# made once with /usr/bin/python3 and reused. Run as a ctest fixture before them; without network
# for pip it fails and says so, and the tests that need it are not run.
# Usage: tb_venv.sh VENV
set -euo pipefail
venv=$1
"$venv/bin/python" -c 'import tensorboard, numpy' 2>/dev/null && { echo "tb_venv: $venv is ready"; exit 0; }
echo "tb_venv: installing tensorboard into $venv"
/usr/bin/python3 -m venv --system-site-packages "$venv" ||
  { echo "tb_venv: cannot create a virtual environment at $venv (python3-venv installed?)" >&2; exit 1; }
"$venv/bin/pip" install -q tensorboard ||
  { echo "tb_venv: 'pip install tensorboard' into $venv failed (no network?); the event-file tests need its reader" >&2
    exit 1; }
"$venv/bin/python" -c 'import tensorboard, numpy'
