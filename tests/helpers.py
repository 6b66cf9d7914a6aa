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
