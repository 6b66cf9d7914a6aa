#!/usr/bin/env bash
# Sets up everything the test suite needs (scripts/setup.sh test), then runs it.
# Arguments go to pytest: bash scripts/test.sh tests/ui -x
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(bash scripts/setup.sh test)
export QT_QPA_PLATFORM=offscreen
# Two workers (PYTEST_WORKERS to change), each test file on one of them: module fixtures such as
# the real servers stay shared within a file.
exec "$python" -m pytest -q -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
