"""What the agent can do with an outbox item the server refused or that conflicted.

Nothing here drops work silently: discard is an explicit choice, edit keeps the text, and a
conflict is resolved either by sending the agent's change on top of the server's version
("keep mine") or by taking the server's state ("take theirs"). Each step is one transaction.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from ..domain.concurrency import SET_FIELDS, base_of
from . import blobs, fts, records
from .outbox import CONFLICT, FAILED, QUEUED, files_of

MESSAGE_ACTIONS = ("reply", "note")


def _row(conn: sqlite3.Connection, key: str) -> tuple[str, str, str, str]:
    row = conn.execute("SELECT action, conversation_id, payload, state FROM outbox WHERE key=?", (key,)).fetchone()
    if row is None:
        raise KeyError(key)
    return row


def server_state(conn: sqlite3.Connection, key: str) -> dict[str, Any] | None:
    """The conversation as the server had it when it answered 412 (None for other items)."""
    row = conn.execute("SELECT server_state FROM outbox WHERE key=?", (key,)).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def discard(conn: sqlite3.Connection, key: str) -> None:
    """The agent gave this action up: remove it and its optimistic local effect."""
    action, conversation_id, payload, _state = _row(conn, key)
    conn.execute("DELETE FROM outbox WHERE key=?", (key,))
    if action in MESSAGE_ACTIONS:
        records.delete_message(conn, f"local:{key}")
        for file in files_of(json.loads(payload)):   # its staged files may be evicted again
            blobs.pin_in(conn, file["sha256"], -1)
    elif action == "patch":
        records.restore_server_state(conn, conversation_id)


def edit_message(conn: sqlite3.Connection, key: str, body: str) -> str:
    """Change a refused reply or note and queue it again under a fresh idempotency key.

    A fresh key: the server may have recorded the old key with the old text, and the same key
    with a different body is refused as a reused key. Returns the new key.
    """
    action, _conversation_id, payload, state = _row(conn, key)
    if action not in MESSAGE_ACTIONS:
        raise ValueError("only replies and notes have text to edit")
    if state == QUEUED:
        raise ValueError("this message is still being sent; it can be edited once the server refuses it")
    if not body.strip():
        raise ValueError("the message is empty")
    new_key = str(uuid.uuid4())
    fields = {**json.loads(payload), "body": body}
    # The HTML part was made from the old text: sent as it is, it would carry what the agent just
    # corrected (RT and Zammad keep the HTML as the message). The edited text goes as plain text.
    fields.pop("body_html", None)
    conn.execute("UPDATE outbox SET key=?, payload=?, state=?, attempts=0, next_attempt_at=0, last_error=NULL, "
                 "server_state=NULL WHERE key=?", (new_key, json.dumps(fields, ensure_ascii=False), QUEUED, key))
    row = conn.execute("SELECT rowid, body FROM messages WHERE id=?", (f"local:{key}",)).fetchone()
    if row is not None:
        conn.execute("UPDATE messages SET id=?, idempotency_key=?, body=?, body_html='' WHERE rowid=?",
                     (f"local:{new_key}", new_key, body, row[0]))
        fts.index_message(conn, row[0], body, row[1])
    return new_key


def edit_patch(conn: sqlite3.Connection, key: str, fields: dict[str, Any]) -> None:
    """Change a refused ticket change (e.g. another queue) and queue it again."""
    action, conversation_id, _payload, state = _row(conn, key)
    if action != "patch":
        raise ValueError("not a ticket change")
    unknown = set(fields) - set(records.PATCHABLE)
    if unknown or not fields:
        raise ValueError(f"cannot change {', '.join(sorted(unknown)) or 'nothing'}")
    base = conn.execute("SELECT version FROM conversations WHERE id=?", (conversation_id,)).fetchone()
    # The edited change is relative to what the agent sees now (a refused item is not laid over it).
    shown = base_of(records.shown_state(conn, conversation_id), fields)
    conn.execute("UPDATE outbox SET payload=?, state=?, attempts=0, next_attempt_at=0, last_error=NULL, "
                 "server_state=NULL, base_version=?, base_state=? WHERE key=?",
                 (json.dumps(fields, ensure_ascii=False), QUEUED, base[0] if base else None,
                  json.dumps(shown, ensure_ascii=False), key))
    records.restore_server_state(conn, conversation_id)


def keep_mine(conn: sqlite3.Connection, key: str) -> None:
    """Resolve a conflict by sending the agent's change on top of the server's current version."""
    action, conversation_id, _payload, state = _row(conn, key)
    if state != CONFLICT:
        raise ValueError("this item is not a conflict")
    theirs = server_state(conn, key) or {}
    version = theirs.get("version")
    if not isinstance(version, int):
        row = conn.execute("SELECT version FROM conversations WHERE id=?", (conversation_id,)).fetchone()
        version = row[0] if row else None
    # Mine over theirs: each plain field's base becomes theirs (changed again since, it is a new
    # conflict); a set's base stays what the agent edited from, so only what they added and removed
    # travels and every tag the others confirmed meanwhile is kept.
    payload = json.loads(_payload) if isinstance(_payload, str) else _payload
    base = None
    if action == "patch":
        row = conn.execute("SELECT base_state FROM outbox WHERE key=?", (key,)).fetchone()
        edited_from = json.loads(row[0]) if row and row[0] else {}
        rebased = base_of(theirs, payload)
        rebased.update({name: edited_from[name] for name in SET_FIELDS if name in edited_from and name in payload})
        base = json.dumps(rebased, ensure_ascii=False)
    conn.execute("UPDATE outbox SET state=?, base_version=?, next_attempt_at=0, last_error=NULL, server_state=NULL, "
                 "base_state=coalesce(?, base_state) WHERE key=?", (QUEUED, version, base, key))
    if action == "patch":
        records.restore_server_state(conn, conversation_id)


def take_theirs(conn: sqlite3.Connection, key: str) -> None:
    """Resolve a conflict by accepting the server's state: the agent's change is dropped."""
    discard(conn, key)


__all__ = ["discard", "edit_message", "edit_patch", "keep_mine", "take_theirs", "server_state", "FAILED"]
