#!/usr/bin/env bash
# Sets up (first run only) and launches Agent Desktop on the embedded demo backend.
# Arguments go to the app: bash scripts/run.sh --user lead1 --lang zh_CN
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(bash scripts/setup.sh app)
exec "$python" main.py "$@"
