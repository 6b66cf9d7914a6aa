"""Small key/value facts about the cache: sync cursor, last sync time, signed-in agent."""

from __future__ import annotations

import sqlite3

CURSOR = "sync.cursor"
LAST_SYNC_AT = "sync.last_at"
AGENT_ID = "session.agent_id"
SERVER = "session.server"


def get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return row[0] if row else None


def put(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM meta WHERE key=?", (key,))
    else:
        conn.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                     (key, value))
