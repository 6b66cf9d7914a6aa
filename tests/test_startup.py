"""Start-up as a user meets it: one instance per data folder, offline start from the cache."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile

from tests.helpers import RunningServer

ROOT = Path(__file__).resolve().parents[1]


def _run(home: Path, *args: str, password: str | None = "demo", timeout: float = 200) -> subprocess.CompletedProcess:
    env = dict(os.environ, AGENT_DESKTOP_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    env.pop("AGENT_DESKTOP_PASSWORD", None)
    if password is not None:
        env["AGENT_DESKTOP_PASSWORD"] = password
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_a_second_instance_on_the_same_data_folder_says_so(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    lock = QLockFile(str(home / "agent-desktop.lock"))
    assert lock.tryLock(100)
    try:
        done = _run(home, "--screenshot", str(tmp_path / "x.png"), timeout=60)
    finally:
        lock.unlock()
    assert done.returncode == 2
    assert "already running" in done.stderr
    assert str(home) in done.stderr
    assert not (tmp_path / "x.png").exists()


def test_start_with_the_server_down_shows_the_cached_inbox(tmp_path):
    server = RunningServer(tmp_path / "server.sqlite3")
    home = tmp_path / "home"
    try:
        online = _run(home, "--server", server.url, "--user", "agent1", "--screenshot", str(tmp_path / "on.png"))
    finally:
        server.stop()
    assert online.returncode == 0, online.stderr[-2000:]
    rows_online = int(re.search(r"inbox rows: (\d+)", online.stdout).group(1))
    assert rows_online > 0

    # Same server address, nothing listening now: the agent still sees and can work the inbox.
    offline = _run(home, "--server", server.url, "--user", "agent1", "--screenshot", str(tmp_path / "off.png"))
    assert offline.returncode == 0, offline.stderr[-2000:]
    assert re.search(r"inbox rows: (\d+), sync state: offline", offline.stdout), offline.stdout
    assert int(re.search(r"inbox rows: (\d+)", offline.stdout).group(1)) == rows_online


def test_plain_http_to_another_machine_is_refused(tmp_path):
    done = _run(tmp_path / "home", "--server", "http://192.0.2.10:8080", "--user", "agent1",
                "--screenshot", str(tmp_path / "x.png"), timeout=60)
    assert done.returncode == 1
    assert "https" in done.stderr


@pytest.mark.parametrize("password", ["wrong-password"])
def test_a_wrong_password_in_ci_mode_fails_clearly(tmp_path, password):
    server = RunningServer(tmp_path / "server.sqlite3")
    try:
        done = _run(tmp_path / "home", "--server", server.url, "--user", "agent1", "--screenshot",
                    str(tmp_path / "x.png"), password=password, timeout=60)
    finally:
        server.stop()
    assert done.returncode == 1
    assert "not accepted" in done.stderr
    assert password not in done.stderr and password not in done.stdout



def test_a_second_start_brings_the_running_window_forward_and_opens_what_it_asked(tmp_path):
    import time

    home = tmp_path / "home"
    env = dict(os.environ, AGENT_DESKTOP_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    first = subprocess.Popen([sys.executable, str(ROOT / "main.py")], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = home / "logs" / "agent-desktop.log"
    try:
        deadline = time.monotonic() + 120
        while not (log.exists() and "inbox painted" in log.read_text(encoding="utf-8")):
            assert first.poll() is None, "the first instance ended"
            assert time.monotonic() < deadline, "the first instance never painted its inbox"
            time.sleep(0.1)
        done = _run(home, "--open", "cv-000003", timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "brought to the front" in done.stdout
        deadline = time.monotonic() + 30
        while "second start asked for the window (open=cv-000003)" not in log.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")[-2000:]
            time.sleep(0.1)
    finally:
        first.terminate()
        first.wait(timeout=30)
