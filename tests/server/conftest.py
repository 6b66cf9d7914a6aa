"""Fixtures: a real reference server on 127.0.0.1 (demo data generated once per module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from agent_desktop.server.db import Database
from agent_desktop.server.demo_data import load_demo
from agent_desktop.server.embedded import EmbeddedServer

KEY = "demo-integration-key"


class Api:
    """A tiny client: base URL, one session, bearer tokens by username."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        self._tokens: dict[str, str] = {}

    def token(self, username: str = "agent1") -> str:
        if username not in self._tokens:
            response = self.http.post(f"{self.url}/api/v1/auth/token",
                                      json={"username": username, "password": "demo"}, timeout=10)
            assert response.status_code == 200, response.text
            self._tokens[username] = response.json()["token"]
        return self._tokens[username]

    def call(self, method: str, path: str, *, as_user: str | None = "agent1", headers: dict[str, str] | None = None,
             **kwargs: Any) -> requests.Response:
        headers = dict(headers or {})
        if as_user:
            headers["Authorization"] = f"Bearer {self.token(as_user)}"
        return self.http.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def feed(self, cursor: str | None = None, limit: int = 2000,
             as_user: str = "agent1") -> tuple[list[dict[str, Any]], str]:
        """Every change after `cursor`, following pages to the end; returns (changes, final cursor)."""
        changes: list[dict[str, Any]] = []
        while True:
            response = self.call("GET", "/api/v1/changes", as_user=as_user, params={"cursor": cursor, "limit": limit})
            assert response.status_code == 200, response.text
            page = response.json()
            changes += page["changes"]
            cursor = page["cursor"]
            if not page["has_more"]:
                return changes, cursor


def _start(path: Path, **kwargs: Any) -> EmbeddedServer:
    server = EmbeddedServer()
    server.start(path, **kwargs)
    return server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    server = _start(tmp_path_factory.mktemp("server") / "demo.sqlite3", demo=True)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(server: EmbeddedServer) -> Api:
    assert server.url
    return Api(server.url)


@pytest.fixture
def small_api(tmp_path: Path) -> Iterator[tuple[Api, EmbeddedServer]]:
    """A fresh server over a small demo set, for tests that would disturb the shared one."""
    path = tmp_path / "small.sqlite3"
    database = Database(path)
    load_demo(database, customers=20, conversations=40)
    database.close()
    server = _start(path, demo=False)
    assert server.url
    yield Api(server.url), server
    server.stop()


def demo_database(server: EmbeddedServer) -> Database:
    assert server.app is not None
    return server.app.state.db
