"""Shared helpers: a real reference server on 127.0.0.1 and reading its feed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import requests

from agent_desktop.server.embedded import EmbeddedServer

INTEGRATION_KEY = "demo-integration-key"


class RunningServer:
    def __init__(self, db_path: Path, **options: Any) -> None:
        self.server = EmbeddedServer()
        self.url = self.server.start(db_path, demo=True, **options)

    def token(self, username: str = "agent1", password: str = "demo") -> str:
        answer = requests.post(f"{self.url}/api/v1/auth/token", json={"username": username, "password": password},
                               timeout=10)
        answer.raise_for_status()
        return answer.json()["token"]

    def feed(self, token: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        """Every live record on the server, by (entity, id), read through the changes feed (as a lead by
        default: agents see only their queues' conversations)."""
        token = token or self.token("lead1")
        records: dict[tuple[str, str], dict[str, Any]] = {}
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2000}
            if cursor:
                params["cursor"] = cursor
            page = requests.get(f"{self.url}/api/v1/changes", params=params,
                                headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
            for change in page["changes"]:
                key = (change["entity"], change["id"])
                if change["op"] == "delete":
                    records.pop(key, None)
                else:
                    records[key] = change["data"]
            cursor = page["cursor"]
            if not page["has_more"]:
                return records

    def counts(self) -> Counter[str]:
        return Counter(entity for entity, _ in self.feed())

    def conversation(self, conversation_id: str, token: str | None = None) -> dict[str, Any]:
        token = token or self.token("lead1")  # sees every queue: the server's truth, not one agent's view
        answer = requests.get(f"{self.url}/api/v1/conversations/{conversation_id}",
                              headers={"Authorization": f"Bearer {token}"}, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def inbound(self, **body: Any) -> dict[str, Any]:
        answer = requests.post(f"{self.url}/api/v1/inbound", json=body,
                               headers={"X-Integration-Key": INTEGRATION_KEY}, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def stop(self) -> None:
        self.server.stop()


def run_private(coro: Any) -> Any:
    """Run a service coroutine to completion on a private asyncio loop, outside the Qt loop.

    The session's Qt loop (ui/event_loop.AppEventLoop) counts as running all the time, so a
    private loop may only run while that mark is lifted; it is put back afterwards.
    """
    import asyncio

    running = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)
    private = asyncio.new_event_loop()
    try:
        return private.run_until_complete(coro)
    finally:
        private.close()
        asyncio.events._set_running_loop(running)


def paint_main_py_on(kind: str, url: str, user: str, token: str, language: str, tmp_path: Path,
                     name: str) -> Path:
    """`main.py --backend KIND` under Xvfb at 1366×768, the token from the environment: asserts the
    inbox painted online and the screenshot fits, and returns it (kept in AGENT_DESKTOP_ARTIFACTS)."""
    import os
    import re
    import shutil
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    assert shutil.which("xvfb-run"), "xvfb-run is missing: scripts/setup.sh test installs it (package xvfb)"
    root = Path(__file__).resolve().parents[1]
    out_dir = Path(os.environ.get("AGENT_DESKTOP_ARTIFACTS", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    shot = out_dir / name
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "AGENT_DESKTOP_PASSWORD")}
    env.update(AGENT_DESKTOP_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="xcb", AGENT_DESKTOP_TOKEN=token)
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, str(root / "main.py"),
         "--backend", kind, "--server", url, "--user", user, "--lang", language, "--screenshot", str(shot)],
        cwd=root, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = re.search(r"inbox rows: (\d+), sync state: (\w+)", done.stdout)
    assert rows and int(rows.group(1)) > 0 and rows.group(2) == "online", done.stdout
    image = QImage(str(shot))
    assert not image.isNull() and image.width() <= 1366 and image.height() <= 768
    return shot
