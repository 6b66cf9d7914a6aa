"""A real SQLite cache file per test (pytest tmp_path), closed afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent_desktop.store import Database


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:
    database = Database(tmp_path / "cache.db")
    yield database
    database.close()
