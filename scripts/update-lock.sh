#!/usr/bin/env bash
# Moves the lock (constraints.txt) to the newest versions pyproject.toml allows, then proves them:
# the whole suite runs in a fresh virtual environment built from the new lock. If it fails, the old
# lock is put back, so a newer version arrives only as one deliberate, tested step.
#   bash scripts/update-lock.sh                       everything to the newest allowed versions
#   bash scripts/update-lock.sh -P fastapi -P uvicorn only these packages
# Why uv: `uv pip compile --universal` writes one plain requirements file with environment markers
# (Linux and Windows, Python 3.11 and 3.12+) that plain pip installs with `-c`; pip-tools can lock
# only the interpreter and platform it runs on.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/agent-desktop-lock.XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/tools"
"$work/tools/bin/pip" install -q --disable-pip-version-check "uv>=0.5"
cp constraints.txt "$work/constraints.before"
cp constraints.txt "$work/constraints.new"  # uv keeps the pins it finds there unless told to upgrade
upgrade=(--upgrade)
[ $# -gt 0 ] && upgrade=("$@")
"$work/tools/bin/uv" pip compile --quiet --universal --python-version 3.11 --extra test \
  --no-header --output-file "$work/constraints.new" "${upgrade[@]}" pyproject.toml
{
  echo "# The lock: every direct and transitive dependency at the versions the suite passed with."
  echo "# Used as pip constraints: pip install -c constraints.txt -e \".[test]\" (scripts/setup.sh)."
  echo "# Regenerate with scripts/update-lock.sh (it reruns the suite); never edit by hand."
  cat "$work/constraints.new"
} > constraints.txt
if diff -q "$work/constraints.before" constraints.txt >/dev/null; then
  echo "The lock is already current."
  exit 0
fi
diff "$work/constraints.before" constraints.txt | grep '^[<>] [a-z]' || true
if bash .ci/run; then
  echo "Suite passed on the new lock: commit constraints.txt."
else
  cp "$work/constraints.before" constraints.txt
  echo "Suite failed on the new lock: constraints.txt is back as it was." >&2
  exit 1
fi
