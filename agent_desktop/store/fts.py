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
from . import meta

_state = threading.local()

# Set while message indexing lags behind the messages table (after a full sync, or one cut short):
# the rows with rowid <= this value are indexed, the rest wait for `index_backlog`. Crash-safe:
# it moves in the same transaction as the rows it covers.
INDEXED_UPTO = "fts.messages_indexed_upto"
_LEGACY_REBUILD = "fts.messages_rebuild"  # the all-at-once flag of earlier builds
_SPACED = "agent_desktop_spaced"


def indexed_upto(conn: sqlite3.Connection) -> int | None:
    """None when every message is indexed; else the last indexed rowid (0: none yet)."""
    if getattr(_state, "upto", None) is not None:
        return _state.upto
    value = meta.get(conn, INDEXED_UPTO)
    if value is None and meta.get(conn, _LEGACY_REBUILD) is not None:
        return 0
    return int(value) if value is not None else None


def start_backlog(conn: sqlite3.Connection) -> None:
    """A full sync is about to write every message: drop the index, and build it after the pull.

    100k single-row FTS inserts inside the pull cost more than the download itself; one pass
    afterwards, in chunks between other writes, costs a fraction (docs/performance.md).
    """
    conn.execute("INSERT INTO messages_fts(messages_fts) VALUES('delete-all')")
    meta.put(conn, INDEXED_UPTO, "0")
    meta.put(conn, _LEGACY_REBUILD, None)


@contextmanager
def backlog_known(upto: int | None) -> Iterator[None]:
    """Within one write on this thread, `indexed_upto` is `upto` (spares a meta read per message)."""
    _state.upto = upto
    try:
        yield
    finally:
        _state.upto = None


def index_backlog(conn: sqlite3.Connection, limit: int) -> tuple[int, int] | None:
    """Index up to `limit` not-yet-indexed messages, oldest rowid first.

    Returns (indexed so far, total messages) while work remains, None once the index is complete.
    """
    upto = indexed_upto(conn)
    if upto is None:
        return None
    if upto == 0 and meta.get(conn, _LEGACY_REBUILD) is not None:
        start_backlog(conn)
    conn.create_function(_SPACED, 1, spaced_for_index, deterministic=True)
    last = conn.execute(
        "SELECT max(rowid) FROM (SELECT rowid FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?)", (upto, limit)
    ).fetchone()[0]
    if last is None:
        meta.put(conn, INDEXED_UPTO, None)
        return None
    conn.execute(f"INSERT INTO messages_fts(rowid, body) SELECT rowid, {_SPACED}(body) FROM messages "
                 "WHERE rowid > ? AND rowid <= ?", (upto, last))
    done = conn.execute("SELECT count(*) FROM messages WHERE rowid <= ?", (last,)).fetchone()[0]
    total = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    meta.put(conn, INDEXED_UPTO, str(last) if done < total else None)
    return (done, total) if done < total else None


def _indexed(conn: sqlite3.Connection, rowid: int) -> bool:
    upto = indexed_upto(conn)
    return upto is None or rowid <= upto


def index_message(conn: sqlite3.Connection, rowid: int, body: str, old_body: str | None) -> None:
    if not _indexed(conn, rowid):
        return  # the backlog pass indexes this row's current body later
    if old_body is not None:
        conn.execute("INSERT INTO messages_fts(messages_fts, rowid, body) VALUES('delete', ?, ?)",
                     (rowid, spaced_for_index(old_body)))
    conn.execute("INSERT INTO messages_fts(rowid, body) VALUES(?, ?)", (rowid, spaced_for_index(body)))


def unindex_message(conn: sqlite3.Connection, rowid: int, body: str) -> None:
    if not _indexed(conn, rowid):
        return
    conn.execute("INSERT INTO messages_fts(messages_fts, rowid, body) VALUES('delete', ?, ?)",
                 (rowid, spaced_for_index(body)))


_FIELDS_ENCODER = json.JSONEncoder(ensure_ascii=False)  # exactly json.dumps(…, ensure_ascii=False)


def _fields_key(fields: list[str]) -> str:
    return _FIELDS_ENCODER.encode(fields)


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
