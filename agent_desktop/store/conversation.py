"""Reading one conversation: its header, its messages, and the customer's other contacts."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..domain.attachments import Attachment, InvalidAttachment, parse_attachments


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def header(conn: sqlite3.Connection, conversation_id: str) -> dict[str, Any] | None:
    rows = _dicts(conn.execute(
        "SELECT c.*, cu.name AS customer_name, cu.tier AS customer_tier, cu.company AS customer_company, "
        "cu.phones AS customer_phones, cu.emails AS customer_emails, cu.handles AS customer_handles, "
        "cu.tags AS customer_tags, q.name AS queue_name, q.name_en AS queue_name_en, a.name AS assignee_name, "
        "(SELECT count(*) FROM outbox o WHERE o.conversation_id = c.id AND o.state='queued') AS pending_actions "
        "FROM conversations c LEFT JOIN customers cu ON cu.id = c.customer_id "
        "LEFT JOIN queues q ON q.id = c.queue_id LEFT JOIN agents a ON a.id = c.assignee_id WHERE c.id = ?",
        (conversation_id,)))
    if not rows:
        return None
    row = rows[0]
    for key in ("tags", "customer_phones", "customer_emails", "customer_handles", "customer_tags"):
        row[key] = json.loads(row[key]) if row.get(key) else []
    row.pop("server_data", None)
    return row


def messages(conn: sqlite3.Connection, conversation_id: str, limit: int = 500) -> list[dict[str, Any]]:
    """The newest `limit` messages in reading order; unsent (pending) ones last."""
    rows = _dicts(conn.execute(
        "SELECT m.id, m.kind, m.direction, m.author_id, m.author_name, m.body, m.created_at, m.pending, "
        "m.event, m.event_target, m.attachments, m.body_html, "
        "o.state AS outbox_state, o.last_error AS outbox_error FROM messages m "
        "LEFT JOIN outbox o ON m.pending = 1 AND o.key = m.idempotency_key "
        "WHERE m.conversation_id = ? ORDER BY m.pending DESC, m.created_at DESC, m.rowid DESC LIMIT ?",
        (conversation_id, limit)))
    rows.reverse()
    for row in rows:
        row["attachments"] = stored_attachments(row["attachments"])
    return rows


def stored_attachments(column: str | None) -> list[Attachment]:
    """The files of a message row (written by records.write_message from a validated record)."""
    if not column:
        return []
    try:
        return list(parse_attachments(json.loads(column)))
    except (ValueError, InvalidAttachment):   # only a hand-edited cache gets here: show the message
        return []


def customer_history(conn: sqlite3.Connection, customer_id: str, limit: int = 50) -> list[dict[str, Any]]:
    return _dicts(conn.execute(
        "SELECT id, channel, status, subject, last_message_at, created_at FROM conversations "
        "WHERE customer_id = ? ORDER BY last_message_at DESC LIMIT ?", (customer_id, limit)))


def customer_stats(conn: sqlite3.Connection, customer_id: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT count(*), sum(is_open), max(last_message_at) FROM conversations WHERE customer_id = ?",
        (customer_id,)).fetchone()
    return {"contacts": row[0] or 0, "open": row[1] or 0, "last_contact": row[2]}


def agent_names(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT id, name FROM agents").fetchall())
