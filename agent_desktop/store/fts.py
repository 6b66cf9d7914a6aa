"""Keeping the contentless per-character FTS5 indexes in step with their tables.

Contentless tables cannot read back what they indexed, so a delete must hand FTS5 the exact
text that was indexed: for messages it is recomputed from the stored body; for customers and
conversations it is kept beside the rowid in `*_rowid.indexed`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..domain.text import spaced_for_index

_state = threading.local()


@contextmanager
def messages_deferred() -> Iterator[None]:
    """Skip per-message indexing on this thread; `rebuild_messages` indexes them all at once later.

    A full sync writes 100k+ messages: one bulk statement at the end costs a fraction of
    100k single inserts (docs/performance.md).
    """
    _state.deferred = True
    try:
        yield
    finally:
        _state.deferred = False


def rebuild_messages(conn: sqlite3.Connection) -> None:
    """Index every message from scratch (after a deferred full sync)."""
    conn.create_function("agent_desktop_spaced", 1, spaced_for_index, deterministic=True)
    conn.execute("INSERT INTO messages_fts(messages_fts) VALUES('delete-all')")
    conn.execute("INSERT INTO messages_fts(rowid, body) SELECT rowid, agent_desktop_spaced(body) FROM messages")


def index_message(conn: sqlite3.Connection, rowid: int, body: str, old_body: str | None) -> None:
    if getattr(_state, "deferred", False):
        return
    if old_body is not None:
        conn.execute("INSERT INTO messages_fts(messages_fts, rowid, body) VALUES('delete', ?, ?)",
                     (rowid, spaced_for_index(old_body)))
    conn.execute("INSERT INTO messages_fts(rowid, body) VALUES(?, ?)", (rowid, spaced_for_index(body)))


def unindex_message(conn: sqlite3.Connection, rowid: int, body: str) -> None:
    if getattr(_state, "deferred", False):
        return
    conn.execute("INSERT INTO messages_fts(messages_fts, rowid, body) VALUES('delete', ?, ?)",
                 (rowid, spaced_for_index(body)))


def _fields_key(fields: list[str]) -> str:
    return json.dumps(fields, ensure_ascii=False)


def index_row(conn: sqlite3.Connection, table: str, record_id: str, fields: list[str] | None) -> None:
    """(Re)index one customer or conversation; `fields=None` removes it."""
    fts, columns = {
        "customers": ("customers_fts", ("name", "company", "contact")),
        "conversations": ("conversations_fts", ("subject",)),
    }[table]
    row = conn.execute(f"SELECT rowid, indexed FROM {table}_rowid WHERE id=?", (record_id,)).fetchone()
    spaced = [spaced_for_index(value) for value in fields] if fields is not None else None
    if row is not None:
        rowid, indexed = row
        if spaced is not None and indexed == _fields_key(spaced):
            return  # unchanged: spare the index a delete + insert
        old = json.loads(indexed)
        placeholders = ", ".join("?" for _ in columns)
        conn.execute(
            f"INSERT INTO {fts}({fts}, rowid, {', '.join(columns)}) VALUES('delete', ?, {placeholders})",
            (rowid, *old),
        )
        if spaced is None:
            conn.execute(f"DELETE FROM {table}_rowid WHERE rowid=?", (rowid,))
            return
        conn.execute(f"UPDATE {table}_rowid SET indexed=? WHERE rowid=?", (_fields_key(spaced), rowid))
    elif spaced is None:
        return
    else:
        rowid = conn.execute(
            f"INSERT INTO {table}_rowid(id, indexed) VALUES(?, ?)", (record_id, _fields_key(spaced))
        ).lastrowid
    conn.execute(
        f"INSERT INTO {fts}(rowid, {', '.join(columns)}) VALUES(?, {', '.join('?' for _ in columns)})",
        (rowid, *spaced),
    )
