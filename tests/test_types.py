"""mypy over agent_desktop/ (pyproject's [tool.mypy]): the seam's protocols, the services and the
widgets hold to their types, and no `type: ignore` hides nothing (warn_unused_ignores)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_type_error():
    # From this interpreter: mypy comes with the test extra, its venv need not be on PATH.
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
