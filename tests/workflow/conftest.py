"""Fixtures: a small fresh reference server per test (routing and offers change shared state)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_desktop.server.db import Database
from agent_desktop.server.demo_data import load_demo
from agent_desktop.server.embedded import EmbeddedServer
from tests.server.conftest import Api


@pytest.fixture
def wf_server(tmp_path: Path) -> Iterator[tuple[Api, EmbeddedServer]]:
    path = tmp_path / "small.sqlite3"
    database = Database(path)
    load_demo(database, customers=30, conversations=60)
    database.close()
    running = EmbeddedServer()
    running.start(path, demo=False, integration_key="demo-integration-key")
    assert running.url
    yield Api(running.url), running
    running.stop()


# The UI fixtures (session qasync loop, a demo server per module, a signed-in window).
from tests.ui.conftest import open_window, server  # noqa: E402,F401

