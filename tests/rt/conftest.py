"""A real Request Tracker 5 for the session (seeded once; the database is cached, see rt_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.rt.rt_server import RunningRT


@pytest.fixture(scope="session")
def rt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRT]:
    with RunningRT(tmp_path_factory.mktemp("rt"), tickets=300, messages=4) as rt:
        yield rt
