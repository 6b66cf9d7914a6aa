"""Writing validated records into the cache (one row each, FTS kept in step)."""

from __future__ import annotations

import functools
import json
import sqlite3
from typing import Any

from ..domain.attachments import Attachment
from ..domain.enums import OPEN_STATUSES, PRIORITY_RANK
from ..domain.records import Agent, Conversation, Customer, Message, Queue
from ..domain.sla import next_due
from . import fts

NO_DUE = "9999-12-31T23:59:59.999Z"
# Pending waits on the customer: its clock is paused, so it sorts after everything that needs us.
PAUSED_DUE = "9999-12-30T00:00:00.000Z"
# Fields an agent may change locally before the server confirms (the outbox `patch` action).
PATCHABLE = ("status", "priority", "assignee_id", "queue_id", "tags", "disposition")


def _fields(record: Any) -> dict[str, Any]:
    """A flat record's fields (dataclasses.asdict deep-copies every list: a sync's worth of waste)."""
    return dict(record.__dict__)


# One encoder for every row: json.dumps with options builds a new one per call.
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def conversation_columns(data: dict[str, Any]) -> dict[str, Any]:
    """Row columns from conversation wire fields (server state, maybe with a local patch on top)."""
    due = next_due(data.get("first_response_at"), data.get("first_response_due"), data.get("resolution_due"))
    return {
        "id": data["id"],
        "channel": data["channel"],
        "status": data["status"],
        "priority": data["priority"],
        "priority_rank": PRIORITY_RANK.get(data["priority"], 2),
        "customer_id": data["customer_id"],
        "queue_id": data.get("queue_id"),
        "assignee_id": data.get("assignee_id"),
        "subject": data.get("subject") or "",
        "preview": data.get("preview") or "",
        "tags": _dumps(data.get("tags") or []),
        "created_at": data.get("created_at"),
        "updated_at": data.get("updated_at"),
        "last_message_at": data.get("last_message_at"),
        "waiting_since": data.get("waiting_since"),
        "first_response_at": data.get("first_response_at"),
        "first_response_due": data.get("first_response_due"),
        "resolution_due": data.get("resolution_due"),
        "message_count": data.get("message_count") or 0,
        "is_open": 1 if data["status"] in OPEN_STATUSES else 0,
        "sla_due": _sort_due(data["status"], due),
        "version": data["version"],
    }


def _sort_due(status: str, due: str | None) -> str:
    if status == "pending":
        return PAUSED_DUE
    if status in OPEN_STATUSES and due:
        return due
    return NO_DUE


@functools.cache
def _upsert_sql(table: str, columns: tuple[str, ...]) -> str:
    updates = ", ".join(f"{c}=excluded.{c}" for c in columns if c != "id")
    return (f"INSERT INTO {table}({', '.join(columns)}) VALUES({', '.join('?' for _ in columns)}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates}")


def _upsert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    conn.execute(_upsert_sql(table, tuple(row)), tuple(row.values()))


def pending_patches(conn: sqlite3.Connection, conversation_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT payload FROM outbox WHERE conversation_id=? AND action='patch' AND state='queued' ORDER BY seq",
        (conversation_id,),
    ).fetchall()
    return [json.loads(payload) for (payload,) in rows]


def write_conversation(conn: sqlite3.Connection, conversation: Conversation) -> bool:
    """Store the server's state, then lay still-queued local changes over it. False if stale."""
    current = conn.execute("SELECT version FROM conversations WHERE id=?", (conversation.id,)).fetchone()
    if current is not None and current[0] > conversation.version:
        return False  # an older state arriving late (a push reply after a newer pull)
    server = _fields(conversation)
    row = conversation_columns(_lay_over(dict(server), pending_patches(conn, conversation.id)))
    row["server_data"] = _dumps(server)
    _upsert(conn, "conversations", row)
    fts.index_row(conn, "conversations", conversation.id, [conversation.subject])
    return True


def _lay_over(data: dict[str, Any], patches: list[dict[str, Any]]) -> dict[str, Any]:
    """`data` with each queued change's ticket fields laid over it, in queue order."""
    for patch in patches:
        data.update({k: v for k, v in patch.items() if k in PATCHABLE})
    return data


def _show(conn: sqlite3.Connection, conversation_id: str, data: dict[str, Any], *, keep_version: bool) -> None:
    columns = conversation_columns(data)
    if not keep_version:
        columns.pop("version")
    sets = ", ".join(f"{c}=?" for c in columns if c != "id")
    conn.execute(f"UPDATE conversations SET {sets} WHERE id=?",
                 [v for c, v in columns.items() if c != "id"] + [conversation_id])


def restore_server_state(conn: sqlite3.Connection, conversation_id: str) -> None:
    """Show the server's state again plus still-queued changes (after one was refused)."""
    if server_state(conn, conversation_id) is not None:
        _show(conn, conversation_id, shown_state(conn, conversation_id), keep_version=True)


def server_state(conn: sqlite3.Connection, conversation_id: str) -> dict[str, Any] | None:
    """The newest state of the conversation the server is known to hold (its wire fields)."""
    row = conn.execute("SELECT server_data FROM conversations WHERE id=?", (conversation_id,)).fetchone()
    return json.loads(row[0]) if row is not None else None


def shown_state(conn: sqlite3.Connection, conversation_id: str) -> dict[str, Any]:
    """What the agent sees: the server's state with every still-queued change laid over it."""
    return _lay_over(server_state(conn, conversation_id) or {}, pending_patches(conn, conversation_id))


def patch_conversation_locally(conn: sqlite3.Connection, conversation_id: str, fields: dict[str, Any]) -> None:
    """The optimistic half of a ticket change: show it now, the outbox sends it."""
    if server_state(conn, conversation_id) is None:
        raise KeyError(conversation_id)
    _show(conn, conversation_id, _lay_over(shown_state(conn, conversation_id), [fields]), keep_version=False)


def delete_conversation(conn: sqlite3.Connection, conversation_id: str) -> None:
    for rowid, body in conn.execute("SELECT rowid, body FROM messages WHERE conversation_id=?",
                                    (conversation_id,)).fetchall():
        fts.unindex_message(conn, rowid, body)
    conn.execute("DELETE FROM messages WHERE conversation_id=?", (conversation_id,))
    conn.execute("DELETE FROM conversations WHERE id=?", (conversation_id,))
    fts.index_row(conn, "conversations", conversation_id, None)


# Column order of `_message_row`: one list for the row-by-row and the bulk writer.
_MESSAGE_COLUMNS = ("conversation_id", "kind", "direction", "author_id", "author_name", "body", "created_at",
                    "version", "idempotency_key", "event", "event_target", "attachments", "body_html", "pending",
                    "id")
_INSERT_MESSAGE = (f"INSERT INTO messages({', '.join(_MESSAGE_COLUMNS)}) "
                   f"VALUES({', '.join('?' for _ in _MESSAGE_COLUMNS)})")
_UPSERT_MESSAGE = (_INSERT_MESSAGE + " ON CONFLICT(id) DO UPDATE SET "
                   + ", ".join(f"{c}=excluded.{c}" for c in _MESSAGE_COLUMNS if c != "id"))
_UPDATE_MESSAGE = ("UPDATE messages SET " + ", ".join(f"{c}=?" for c in _MESSAGE_COLUMNS if c != "id")
                   + " WHERE rowid=?")


def _message_row(message: Message, pending: bool) -> tuple[Any, ...]:
    return (message.conversation_id, message.kind, message.direction, message.author_id, message.author_name,
            message.body, message.created_at, message.version, message.idempotency_key, message.event,
            message.event_target, attachments_column(message), message.body_html, int(pending), message.id)


def attachments_column(message: Message) -> str:
    """A message's files as stored: their wire fields as JSON, '' for none (most messages)."""
    return attachments_json(message.attachments)


def attachments_json(attachments: tuple[Attachment, ...]) -> str:
    return _dumps([a.to_wire() for a in attachments]) if attachments else ""


def write_message(conn: sqlite3.Connection, message: Message, *, pending: bool = False) -> None:
    if message.idempotency_key and not pending:
        # The server's copy of a reply we sent: it replaces our optimistic local row.
        for rowid, body in conn.execute(
            "SELECT rowid, body FROM messages WHERE idempotency_key=? AND pending=1", (message.idempotency_key,)
        ).fetchall():
            fts.unindex_message(conn, rowid, body)
            conn.execute("DELETE FROM messages WHERE rowid=?", (rowid,))
    existing = conn.execute("SELECT rowid, body FROM messages WHERE id=?", (message.id,)).fetchone()
    row = _message_row(message, pending)
    if existing is None:
        rowid = conn.execute(_INSERT_MESSAGE, row).lastrowid
        assert rowid is not None  # an INSERT always sets it
        fts.index_message(conn, rowid, message.body, None)
        return
    rowid, old_body = existing
    conn.execute(_UPDATE_MESSAGE, (*row[:-1], rowid))
    if old_body != message.body:
        fts.index_message(conn, rowid, message.body, old_body)


def write_messages_unindexed(conn: sqlite3.Connection, messages: list[Message]) -> None:
    """Store many server messages in one statement while no message is indexed (a full sync).

    Same outcome as `write_message` for each, minus the FTS upkeep that `fts.index_backlog`
    does afterwards; a full sync's 100k messages are the bulk of its rows.
    """
    keys = [(m.idempotency_key,) for m in messages if m.idempotency_key]
    if keys and conn.execute("SELECT 1 FROM messages WHERE pending=1 LIMIT 1").fetchone() is not None:
        # The server's copies of replies we sent replace our optimistic local rows.
        conn.executemany("DELETE FROM messages WHERE idempotency_key=? AND pending=1", keys)
    conn.executemany(_UPSERT_MESSAGE, [_message_row(m, False) for m in messages])


def delete_message(conn: sqlite3.Connection, message_id: str) -> None:
    row = conn.execute("SELECT rowid, body FROM messages WHERE id=?", (message_id,)).fetchone()
    if row is not None:
        fts.unindex_message(conn, row[0], row[1])
        conn.execute("DELETE FROM messages WHERE rowid=?", (row[0],))


def write_customer(conn: sqlite3.Connection, customer: Customer) -> None:
    row = _fields(customer)
    for key in ("phones", "emails", "handles", "tags"):
        row[key] = _dumps(row[key])
    _upsert(conn, "customers", row)
    contact = " ".join([*customer.phones, *customer.emails, *customer.handles])
    fts.index_row(conn, "customers", customer.id, [customer.name, customer.company, contact])


def delete_customer(conn: sqlite3.Connection, customer_id: str) -> None:
    conn.execute("DELETE FROM customers WHERE id=?", (customer_id,))
    fts.index_row(conn, "customers", customer_id, None)


def write_queue(conn: sqlite3.Connection, queue: Queue) -> None:
    _upsert(conn, "queues", _fields(queue))


def write_agent(conn: sqlite3.Connection, agent: Agent) -> None:
    row = _fields(agent)
    row["queue_ids"] = _dumps(row["queue_ids"])
    _upsert(conn, "agents", row)
