"""The outbox: local actions waiting for the server, written with their optimistic change.

An action and its optimistic local effect are committed in one transaction, each with a fresh
idempotency key, so a killed process either has both or neither, and a retry can never make
the server act twice.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Sequence
from typing import Any

from ..domain.attachments import Attachment, InvalidAttachment
from ..domain.concurrency import base_of
from ..domain.enums import Direction
from ..domain.outbox import CONFLICT, FAILED, QUEUED, OutboxItem
from ..domain.records import Message
from ..domain.timeutil import now_iso
from . import blobs, records

# Why a reply with files stopped: the agent cancelled its upload (it waits, failed, for retry or discard).
CANCELLED_REASON = "cancelled by the agent: retry to send it again, or discard it"


def _row_to_item(row: tuple[Any, ...]) -> OutboxItem:
    seq, key, action, conversation_id, payload, base_version, state, attempts, next_at, error, created, base, \
        started = row
    return OutboxItem(seq, key, action, conversation_id, json.loads(payload), base_version, state, attempts,
                      next_at, error, created, json.loads(base) if base else None, started)


_COLUMNS = ("seq, key, action, conversation_id, payload, base_version, state, attempts, next_attempt_at, "
            "last_error, created_at, base_state, send_started_at")


def enqueue_message(conn: sqlite3.Connection, conversation_id: str, kind: str, body: str,
                    author_id: str | None, author_name: str, files: Sequence[dict[str, Any]] = (),
                    body_html: str = "") -> str:
    """Queue a reply or internal note and show it at once as pending. Returns its key.

    `files` ({sha256, name, content_type, size}) must be staged in the attachment cache
    (store/blobs.py); they wait there, pinned, with the reply. `body_html`: its HTML part."""
    if conn.execute("SELECT 1 FROM conversations WHERE id=?", (conversation_id,)).fetchone() is None:
        raise KeyError(conversation_id)
    for file in files:
        if not blobs.is_stored(conn, file["sha256"]):
            raise InvalidAttachment(f"the file {file['name']!r} is not staged in the attachment cache")
    key = str(uuid.uuid4())
    created = now_iso()
    records.write_message(conn, Message(
        id=f"local:{key}", conversation_id=conversation_id, kind=kind, direction=Direction.OUT.value,
        body=body, created_at=created, author_id=author_id, author_name=author_name, idempotency_key=key,
        attachments=local_attachments(files),
        body_html=body_html,
    ), pending=True)
    payload: dict[str, Any] = {"kind": kind, "body": body}
    if files:
        payload["files"] = [dict(f) for f in files]
    if body_html:
        payload["body_html"] = body_html
    conn.execute(
        "INSERT INTO outbox(key, action, conversation_id, payload, created_at) VALUES(?,?,?,?,?)",
        (key, kind, conversation_id, json.dumps(payload, ensure_ascii=False), created),
    )
    conn.execute("DELETE FROM drafts WHERE conversation_id=?", (conversation_id,))
    return key


def enqueue_patch(conn: sqlite3.Connection, conversation_id: str, fields: dict[str, Any]) -> str:
    """Queue a ticket change (status, priority, assignee, queue, tags) and show it at once."""
    unknown = set(fields) - set(records.PATCHABLE)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    row = conn.execute("SELECT version FROM conversations WHERE id=?", (conversation_id,)).fetchone()
    if row is None:
        raise KeyError(conversation_id)
    base = base_of(records.shown_state(conn, conversation_id), fields)   # before this change
    records.patch_conversation_locally(conn, conversation_id, fields)
    key = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO outbox(key, action, conversation_id, payload, base_version, created_at, base_state) "
        "VALUES(?,?,?,?,?,?,?)",
        (key, "patch", conversation_id, json.dumps(fields, ensure_ascii=False), row[0], now_iso(),
         json.dumps(base, ensure_ascii=False)),
    )
    return key


def enqueue_action(conn: sqlite3.Connection, action: str, conversation_id: str, payload: dict[str, Any],
                   base_version: int | None = None) -> str:
    """Queue any other action (a feature's own, see services/features.py). Returns its key.

    Call it inside the same write transaction as the optimistic local change. `conversation_id`
    may be "" for actions that belong to no conversation (a personal script, the agent's state).
    """
    key = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO outbox(key, action, conversation_id, payload, base_version, created_at) VALUES(?,?,?,?,?,?)",
        (key, action, conversation_id, json.dumps(payload, ensure_ascii=False), base_version, now_iso()),
    )
    return key


# Order matters within one conversation (a reply, then the change that resolves it) and among the
# actions that belong to none (agent states, a callback and its outcome): those share group "".
# Across groups nothing depends on order, so one item waiting out its backoff holds only its own.
_GROUP_HEADS = ("SELECT {columns} FROM outbox o WHERE o.state=? AND NOT EXISTS (SELECT 1 FROM outbox p "
                "WHERE p.state=? AND p.conversation_id = o.conversation_id AND p.seq < o.seq)")


def next_ready(conn: sqlite3.Connection, now: float, skip: tuple[str, ...] = ()) -> OutboxItem | None:
    """The oldest queued action that heads its group (conversation) and whose backoff has passed;
    `skip`: groups not to take from now (one already failed in this drain)."""
    marks = "".join(" AND o.conversation_id != ?" for _ in skip)
    row = conn.execute(_GROUP_HEADS.format(columns=", ".join(f"o.{c.strip()}" for c in _COLUMNS.split(",")))
                       + f" AND o.next_attempt_at <= ?{marks} ORDER BY o.seq LIMIT 1",
                       (QUEUED, QUEUED, now, *skip)).fetchone()
    return _row_to_item(row) if row is not None else None


def earliest_retry(conn: sqlite3.Connection) -> float | None:
    """When the next group head becomes ready (None: nothing queued)."""
    row = conn.execute(_GROUP_HEADS.format(columns="min(o.next_attempt_at)"), (QUEUED, QUEUED)).fetchone()
    return row[0] if row else None


def items(conn: sqlite3.Connection, states: tuple[str, ...] = (QUEUED, FAILED, CONFLICT)) -> list[OutboxItem]:
    marks = ", ".join("?" for _ in states)
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state IN ({marks}) ORDER BY seq", states)
    return [_row_to_item(row) for row in rows.fetchall()]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())


def mark_send_started(conn: sqlite3.Connection, key: str) -> str:
    """Remember, before the request goes out, that it may reach the server (kept if set)."""
    conn.execute("UPDATE outbox SET send_started_at=coalesce(send_started_at, ?) WHERE key=?", (now_iso(), key))
    row = conn.execute("SELECT send_started_at FROM outbox WHERE key=?", (key,)).fetchone()
    return str(row[0]) if row else now_iso()


def mark_sent(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("DELETE FROM outbox WHERE key=?", (key,))


def retry_all_now(conn: sqlite3.Connection) -> None:
    """Forget the backoff of every queued item (the agent pressed "sync now")."""
    conn.execute("UPDATE outbox SET next_attempt_at=0 WHERE state=? AND next_attempt_at > 0", (QUEUED,))


def mark_retry(conn: sqlite3.Connection, key: str, next_attempt_at: float, error: str) -> None:
    conn.execute("UPDATE outbox SET attempts=attempts+1, next_attempt_at=?, last_error=? WHERE key=?",
                 (next_attempt_at, error[:500], key))


def mark_failed(conn: sqlite3.Connection, key: str, error: str, *, state: str = FAILED,
                server_state: dict[str, Any] | None = None) -> None:
    conn.execute(
        "UPDATE outbox SET state=?, attempts=attempts+1, last_error=?, server_state=? WHERE key=?",
        (state, error[:500], json.dumps(server_state, ensure_ascii=False) if server_state else None, key),
    )


def mark_cancelled(conn: sqlite3.Connection, key: str) -> None:
    """The agent cancelled a queued item before it went out: it waits as failed, nothing dropped."""
    conn.execute("UPDATE outbox SET state=?, last_error=? WHERE key=? AND state=?", (FAILED, CANCELLED_REASON, key,
                                                                                     QUEUED))


def local_attachments(files: Sequence[dict[str, Any]]) -> tuple[Attachment, ...]:
    """How a queued reply's files show on its optimistic copy (found in the cache by sha256)."""
    return tuple(Attachment(id=f"local:{f['sha256']}", name=f["name"], size=f["size"],
                            content_type=f["content_type"], sha256=f["sha256"]) for f in files)


def files_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The files a queued reply or note carries ([] for anything else)."""
    files = payload.get("files") if isinstance(payload, dict) else None
    return [f for f in files if isinstance(f, dict) and isinstance(f.get("sha256"), str)] if isinstance(files, list) \
        else []


def requeue(conn: sqlite3.Connection, key: str) -> None:
    """The user asked to try a failed action again."""
    conn.execute("UPDATE outbox SET state=?, next_attempt_at=0, last_error=NULL WHERE key=?", (QUEUED, key))
