"""What the sync engine skipped: malformed records from the server, kept for the Diagnostics view."""

from __future__ import annotations

import sqlite3
from typing import Any


def invalid_records(conn: sqlite3.Connection, limit: int = 1000) -> list[dict[str, Any]]:
    """The newest skipped records first (entity, id, why, when)."""
    rows = conn.execute("SELECT entity, entity_id, error, seen_at FROM invalid_records ORDER BY id DESC LIMIT ?",
                        (limit,)).fetchall()
    return [{"entity": e, "entity_id": i, "error": err, "seen_at": seen} for e, i, err, seen in rows]


def invalid_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM invalid_records").fetchone()[0]


def clear_invalid(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM invalid_records")
