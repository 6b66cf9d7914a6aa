"""Inbox queries: views, counts and keyset pages, sorted in SQL on the SLA index."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from ..domain.enums import Channel

MINE = "mine"
UNASSIGNED = "unassigned"
ALL_OPEN = "all"
QUEUE = "queue"
CHANNEL = "channel"


@dataclass(frozen=True)
class InboxView:
    """Which open conversations to list: kind is mine | unassigned | all | queue | channel."""

    kind: str
    value: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}" if self.value else self.kind


ROW_COLUMNS = (
    "c.id, c.channel, c.status, c.priority, c.subject, c.preview, c.waiting_since, c.last_message_at, "
    "c.sla_due, c.first_response_at, c.first_response_due, c.resolution_due, c.created_at, c.assignee_id, "
    "c.queue_id, c.customer_id, c.message_count, cu.name AS customer_name, cu.tier AS customer_tier"
)


def _where(view: InboxView, agent_id: str | None) -> tuple[str, list[Any]]:
    if view.kind == MINE:
        return "c.assignee_id = ? AND c.is_open = 1", [agent_id or ""]
    if view.kind == UNASSIGNED:
        return "c.assignee_id IS NULL AND c.is_open = 1", []
    if view.kind == QUEUE:
        return "c.queue_id = ? AND c.is_open = 1", [view.value]
    if view.kind == CHANNEL:
        return "c.channel = ? AND c.is_open = 1", [view.value]
    return "c.is_open = 1", []


def page(conn: sqlite3.Connection, view: InboxView, agent_id: str | None, *,
         after: tuple[str, str] | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Up to `limit` rows after the keyset position `(sla_due, id)`, SLA due first."""
    where, params = _where(view, agent_id)
    if after is not None:
        where += " AND (c.sla_due, c.id) > (?, ?)"
        params += list(after)
    cursor = conn.execute(
        f"SELECT {ROW_COLUMNS} FROM conversations c LEFT JOIN customers cu ON cu.id = c.customer_id "
        f"WHERE {where} ORDER BY c.sla_due, c.id LIMIT ?",
        [*params, limit],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def rows_by_id(conn: sqlite3.Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    cursor = conn.execute(
        f"SELECT {ROW_COLUMNS} FROM conversations c LEFT JOIN customers cu ON cu.id = c.customer_id "
        f"WHERE c.id IN ({marks})", ids)
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def counts(conn: sqlite3.Connection, agent_id: str | None) -> dict[str, int]:
    """Open conversations per view key, for the views list."""
    result: dict[str, int] = {}
    result[MINE] = conn.execute(
        "SELECT count(*) FROM conversations WHERE assignee_id=? AND is_open=1", (agent_id or "",)).fetchone()[0]
    result[UNASSIGNED] = conn.execute(
        "SELECT count(*) FROM conversations WHERE assignee_id IS NULL AND is_open=1").fetchone()[0]
    result[ALL_OPEN] = conn.execute("SELECT count(*) FROM conversations WHERE is_open=1").fetchone()[0]
    for queue_id, count in conn.execute(
            "SELECT queue_id, count(*) FROM conversations WHERE is_open=1 GROUP BY queue_id"):
        if queue_id:
            result[f"{QUEUE}:{queue_id}"] = count
    for channel in Channel.values():
        result[f"{CHANNEL}:{channel}"] = conn.execute(
            "SELECT count(*) FROM conversations WHERE channel=? AND is_open=1", (channel,)).fetchone()[0]
    return result


def queues(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    cursor = conn.execute("SELECT id, name, name_en FROM queues ORDER BY id")
    return [{"id": r[0], "name": r[1], "name_en": r[2]} for r in cursor.fetchall()]
