"""Inbox queries: views, counts and keyset pages, sorted in SQL on the SLA index."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..domain.enums import Channel
from ..domain.inbox import ALL_OPEN, CHANNEL, MINE, QUEUE, UNASSIGNED, InboxView

ROW_COLUMNS = (
    "c.id, c.channel, c.status, c.priority, c.subject, c.preview, c.waiting_since, c.last_message_at, "
    "c.sla_due, c.first_response_at, c.first_response_due, c.resolution_due, c.created_at, c.assignee_id, "
    "c.queue_id, c.customer_id, c.message_count, cu.name AS customer_name, cu.tier AS customer_tier"
)
# The output names of ROW_COLUMNS ("cu.name AS customer_name" → customer_name, "c.id" → id).
ROW_NAMES = tuple(part.split(" AS ")[-1].split(".")[-1].strip() for part in ROW_COLUMNS.split(","))


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
    # The page comes back as ONE row (a JSON array): the GUI thread reads pages while the sync
    # thread is busy in Python, and every fetched row gives up the GIL and waits to win it back
    # (up to the 5 ms switch interval each), so 200 rows could stall the inbox for many frames.
    (packed,) = conn.execute(
        f"SELECT json_group_array(json_array({', '.join(ROW_NAMES)})) FROM ("
        f"SELECT {ROW_COLUMNS} FROM conversations c LEFT JOIN customers cu ON cu.id = c.customer_id "
        f"WHERE {where} ORDER BY c.sla_due, c.id LIMIT ?)",
        [*params, limit],
    ).fetchone()
    rows = [dict(zip(ROW_NAMES, values, strict=True)) for values in json.loads(packed)]
    # SQLite before 3.44 does not promise an aggregate sees the subquery's order: restore it.
    rows.sort(key=lambda row: (row["sla_due"], row["id"]))
    return rows


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
    """Open conversations per view key, for the views list.

    One statement returning one row: the GUI thread runs this after every sync batch, and each
    sqlite3 call (and each fetched row) gives up the GIL and waits to get it back from the
    busy sync thread; ten separate counts cost ~12 ms there instead of ~1 ms (benchmark).
    """
    channels = Channel.values()
    channel_counts = ", ".join(
        "(SELECT count(*) FROM conversations WHERE channel=? AND is_open=1)" for _ in channels)
    row = conn.execute(
        "SELECT (SELECT count(*) FROM conversations WHERE assignee_id=? AND is_open=1), "
        "(SELECT count(*) FROM conversations WHERE assignee_id IS NULL AND is_open=1), "
        "(SELECT count(*) FROM conversations WHERE is_open=1), "
        "(SELECT json_group_object(queue_id, n) FROM (SELECT queue_id, count(*) AS n FROM conversations "
        f"WHERE is_open=1 AND queue_id IS NOT NULL AND queue_id != '' GROUP BY queue_id)), {channel_counts}",
        (agent_id or "", *channels),
    ).fetchone()
    result: dict[str, int] = {MINE: row[0], UNASSIGNED: row[1], ALL_OPEN: row[2]}
    for queue_id, count in json.loads(row[3] or "{}").items():
        result[f"{QUEUE}:{queue_id}"] = count
    for channel, count in zip(channels, row[4:], strict=True):
        result[f"{CHANNEL}:{channel}"] = count
    return result


def queues(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    cursor = conn.execute("SELECT id, name, name_en, business_hours FROM queues ORDER BY id")
    return [{"id": r[0], "name": r[1], "name_en": r[2], "business_hours": r[3]} for r in cursor.fetchall()]
