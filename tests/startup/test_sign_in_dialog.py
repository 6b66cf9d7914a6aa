"""The first sign-in on a real server goes through the dialog, in the real app process: its own
QApplication (which ends the app when its last window closes), its own event loop, the dialog
answered from the keyboard by tests/startup/sign_in_driver.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("sign_in_driver.py")


def _run_app(server, tmp_path, answers: str) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "AGENT_DESKTOP_HOME": str(tmp_path / "home")}
    for name in ("AGENT_DESKTOP_PASSWORD", "CI"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, str(DRIVER), answers, "--", "--server", server.url, "--user", "agent1",
                           "--lang", "en"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr[-3000:]


@pytest.mark.parametrize("remember", [True, False])
def test_a_wrong_then_the_right_password_signs_in_and_the_inbox_fills(server, tmp_path, remember):
    mark = "" if remember else "!"
    code, out = _run_app(server, tmp_path, f"{mark}wrong-password,{mark}demo")
    dialogs = re.findall(r"dialog: '(.*)' focus-on-password=(\w+)", out)
    assert len(dialogs) == 2, out
    assert dialogs[0] == ("", "True")                         # asks at once, cursor in the password
    assert "not accepted" in dialogs[1][0], out               # refused: asks again and says why
    assert re.search(r"inbox rows: [1-9]", out), out          # the app did not end: the inbox filled
    assert code == 0, out
    stored = json.loads(re.search(r"keyring: (.*)", out).group(1))
    assert list(stored.values()) == (["demo"] if remember else []), out  # only the accepted one


def test_cancelling_the_dialog_ends_the_app_with_exit_code_1(server, tmp_path):
    code, out = _run_app(server, tmp_path, "<esc>")
    assert "dialog: ''" in out and "inbox rows" not in out
    assert code == 1, out
