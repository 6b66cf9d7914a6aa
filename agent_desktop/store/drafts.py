"""Drafts: what an agent typed but did not send, kept per conversation across restarts."""

from __future__ import annotations

import sqlite3

from ..domain.timeutil import now_iso


def save(conn: sqlite3.Connection, conversation_id: str, kind: str, body: str) -> None:
    if not body.strip():
        conn.execute("DELETE FROM drafts WHERE conversation_id=?", (conversation_id,))
        return
    conn.execute(
        "INSERT INTO drafts(conversation_id, kind, body, updated_at) VALUES(?,?,?,?) "
        "ON CONFLICT(conversation_id) DO UPDATE SET kind=excluded.kind, body=excluded.body, "
        "updated_at=excluded.updated_at",
        (conversation_id, kind, body, now_iso()),
    )


def load(conn: sqlite3.Connection, conversation_id: str) -> tuple[str, str] | None:
    row = conn.execute("SELECT kind, body FROM drafts WHERE conversation_id=?", (conversation_id,)).fetchone()
    return (row[0], row[1]) if row else None
