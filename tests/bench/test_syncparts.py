"""The sync-floor tool measures every part against a real server on 127.0.0.1 (no timing gate)."""

from __future__ import annotations

from agent_desktop.bench import syncparts
from tests.helpers import RunningServer


def test_every_part_of_a_full_sync_is_timed(tmp_path):
    server = RunningServer(tmp_path / "server.sqlite3")
    try:
        parts = syncparts.measure(server.url, rounds=1)
    finally:
        server.stop()
    assert set(parts) == {"raw download", "json decode", "validate", "write (validates again)"}
    assert all(len(seconds) == 1 and seconds[0] > 0 for seconds in parts.values())
