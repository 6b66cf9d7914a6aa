"""One Idempotency-Key rule for every write that takes one (messages, knowledge, workflow).

The first request with a key runs, and its answer is stored in `idempotent_requests` in the SAME
transaction as the write: a crash between the two cannot let a retry write twice. A retry by the
same agent with the same key and the same request gets the stored answer back and writes nothing;
the same key with a different request is refused (422 `idempotency_key_reused`). Keys are scoped
per agent, so two agents' clients cannot collide.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from agent_desktop.domain.timeutil import now_iso

from . import db as store
from .errors import ApiError

T = TypeVar("T")


def fingerprint(request: Any) -> str:
    """What a request asked for, as JSON; key order does not matter."""
    return hashlib.sha256(json.dumps(request, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def idempotent(database: store.Database, agent_id: str, key: str | None, request: Any,
               action: Callable[[sqlite3.Connection], T]) -> tuple[T, bool]:
    """Run `action` in one transaction, once per (agent, key); returns (answer, first time).

    Without a key the action simply runs. `request` names the operation and its arguments (include
    the operation's name, so one key cannot replay a different endpoint's answer).
    """
    digest = fingerprint(request)
    with database.transaction() as conn:
        if key:
            row = conn.execute("SELECT fingerprint, response FROM idempotent_requests WHERE agent_id = ? AND key = ?",
                               (agent_id, key)).fetchone()
            if row is not None:
                if row[0] != digest:  # same key, different request: a client bug, not a retry
                    raise ApiError(422, "idempotency_key_reused",
                                   "this Idempotency-Key was already used for a different request")
                return json.loads(row[1]), False
        answer = action(conn)
        if key:
            conn.execute("INSERT INTO idempotent_requests (agent_id, key, fingerprint, response, created_at) "
                         "VALUES (?, ?, ?, ?, ?)", (agent_id, key, digest, store.dumps(answer), now_iso()))
    return answer, True


# -- databases written before the one table -------------------------------------------------------


def message_request(conversation_id: str, kind: str, body: str, attachment_ids: list[str] | None = None,
                    body_html: str = "") -> dict[str, Any]:
    """What POST …/messages fingerprints (also rebuilt from the message when adopting old keys).
    Files and an HTML part count only when given, so a plain message's fingerprint is as it was."""
    request: dict[str, Any] = {"op": "message", "id": conversation_id, "kind": kind, "body": body}
    if attachment_ids:
        request["attachment_ids"] = list(attachment_ids)
    if body_html:
        request["body_html"] = body_html
    return request


def _exists(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone() is not None


def adopt_legacy_tables(database: store.Database) -> None:
    """Move keys from the three tables of older servers into `idempotent_requests`, then drop them.

    Knowledge and workflow keys were fingerprinted as they are now. Message keys stored only the
    message id: their answer and fingerprint are rebuilt from the message. Runs at every start and
    does nothing once the old tables are gone.
    """
    with database.transaction() as conn:
        for table in ("knowledge_idempotency", "workflow_idempotency"):
            if _exists(conn, table):
                conn.execute("INSERT OR IGNORE INTO idempotent_requests (agent_id, key, fingerprint, response, "
                             f"created_at) SELECT agent_id, key, fingerprint, response, created_at FROM {table}")
                conn.execute(f"DROP TABLE {table}")
        if _exists(conn, "idempotency_keys"):
            rows = conn.execute("SELECT agent_id, key, message_id, created_at FROM idempotency_keys").fetchall()
            for agent_id, key, message_id, created_at in rows:
                message = store.load(conn, "message", message_id)
                if message is None:  # nothing to replay: a retry now creates the message again
                    continue
                request = message_request(message["conversation_id"], message["kind"], message["body"])
                conn.execute("INSERT OR IGNORE INTO idempotent_requests (agent_id, key, fingerprint, response, "
                             "created_at) VALUES (?, ?, ?, ?, ?)",
                             (agent_id, key, fingerprint(request), store.dumps(store.with_id(message_id, message)),
                              created_at))
            conn.execute("DROP TABLE idempotency_keys")


def answered(database: store.Database, agent_id: str, key: str | None) -> bool:
    """Whether `key` already has a stored answer for this agent (its retry replays, whatever changed since:
    a transfer out of the agent's queues must still replay, not answer 404)."""
    if not key:
        return False
    return database.reader().execute("SELECT 1 FROM idempotent_requests WHERE agent_id = ? AND key = ?",
                                     (agent_id, key)).fetchone() is not None
