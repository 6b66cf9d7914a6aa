"""Workflow records in the cache: feed writers, reads for the customer pane, callbacks view, offers
and presence, and the optimistic halves of queued workflow actions.

Importing this module registers the feed entities callback, order, disposition, sla_policy, csat,
customer_note, offer and agent_status.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from typing import Any

from ..domain import care
from ..domain.sla_policy import SlaPolicy, parse_sla_policy
from . import changes

OPEN_CALLBACK = "scheduled"


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _upsert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    columns = list(row)
    updates = ", ".join(f"{c}=excluded.{c}" for c in columns if c != "id")
    conn.execute(f"INSERT INTO {table}({', '.join(columns)}) VALUES({', '.join('?' for _ in columns)}) "
                 f"ON CONFLICT(id) DO UPDATE SET {updates}", [row[c] for c in columns])


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _stale(conn: sqlite3.Connection, table: str, record_id: str, version: int) -> bool:
    row = conn.execute(f"SELECT version FROM {table} WHERE id=?", (record_id,)).fetchone()
    return row is not None and row[0] > version


# -- feed writers ---------------------------------------------------------------------------------


def write_callback(conn: sqlite3.Connection, callback: care.Callback) -> None:
    if _stale(conn, "callbacks", callback.id, callback.version):
        return
    _upsert(conn, "callbacks", {**asdict(callback), "pending_key": None})


def write_order(conn: sqlite3.Connection, order: care.Order) -> None:
    row = asdict(order)
    row["items"] = _json(row["items"])
    _upsert(conn, "orders", row)


def write_disposition(conn: sqlite3.Connection, disposition: care.Disposition) -> None:
    row = asdict(disposition)
    row["resolves"] = int(row["resolves"])
    _upsert(conn, "dispositions", row)


def write_sla_policy(conn: sqlite3.Connection, policy: SlaPolicy) -> None:
    data = asdict(policy)
    version = data.pop("version")
    data.pop("id")
    _upsert(conn, "sla_policies", {"id": policy.id, "data": _json(data), "version": version})


def write_csat(conn: sqlite3.Connection, csat: care.Csat) -> None:
    # our optimistic copy (id local:…) for the same conversation is replaced by the server's
    conn.execute("DELETE FROM csat WHERE conversation_id=? AND id!=? AND pending_key IS NOT NULL",
                 (csat.conversation_id, csat.id))
    _upsert(conn, "csat", {**asdict(csat), "pending_key": None})


def write_customer_note(conn: sqlite3.Connection, note: care.CustomerNote) -> None:
    if _stale(conn, "customer_notes", note.id, note.version):
        return
    _upsert(conn, "customer_notes", {**asdict(note), "pending_key": None})


def write_offer(conn: sqlite3.Connection, offer: care.Offer) -> None:
    if _stale(conn, "offers", offer.id, offer.version):
        return
    _upsert(conn, "offers", asdict(offer))


def write_agent_status(conn: sqlite3.Connection, status: care.AgentStatus) -> None:
    row = conn.execute("SELECT version, pending_key FROM agent_statuses WHERE id=?", (status.id,)).fetchone()
    if row is not None and (row[0] > status.version or _queued(conn, row[1])):
        return  # the agent changed state here and that change has not gone out yet: keep it on screen
    data = asdict(status)
    data["capacity"], data["load"] = _json(data["capacity"]), _json(data["load"])
    data["routable"] = int(data["routable"])
    _upsert(conn, "agent_statuses", {**data, "pending_key": None})


def _queued(conn: sqlite3.Connection, key: str | None) -> bool:
    return bool(key) and conn.execute("SELECT 1 FROM outbox WHERE key=? AND state='queued'",
                                      (key,)).fetchone() is not None


# The workflow's entities of the feed (given to the store by services/workflow.FEATURE).
ENTITIES = tuple(changes.EntitySpec(entity, parse, write, changes.delete_from(table), table)
                 for entity, parse, write, table in (
    ("callback", care.parse_callback, write_callback, "callbacks"),
    ("order", care.parse_order, write_order, "orders"),
    ("disposition", care.parse_disposition, write_disposition, "dispositions"),
    ("sla_policy", parse_sla_policy, write_sla_policy, "sla_policies"),
    ("csat", care.parse_csat, write_csat, "csat"),
    ("customer_note", care.parse_customer_note, write_customer_note, "customer_notes"),
    ("offer", care.parse_offer, write_offer, "offers"),
    ("agent_status", care.parse_agent_status, write_agent_status, "agent_statuses"),
))


# -- reads ----------------------------------------------------------------------------------------


def dispositions(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return _dicts(conn.execute("SELECT id, name, name_en, resolves FROM dispositions ORDER BY position, id"))


def sla_policies(conn: sqlite3.Connection) -> list[SlaPolicy]:
    out = []
    for policy_id, data, version in conn.execute("SELECT id, data, version FROM sla_policies"):
        out.append(parse_sla_policy(policy_id, {**json.loads(data), "version": version}))
    return out


def callbacks(conn: sqlite3.Connection, agent_id: str | None, *, include_done: bool = False,
              limit: int = 500) -> list[dict[str, Any]]:
    """Callbacks ordered by due time (the agent's, or everyone's with agent_id None)."""
    where, args = ["1=1"], []
    if not include_done:
        where.append("cb.status='scheduled'")
    if agent_id is not None:
        where.append("(cb.agent_id=? OR cb.agent_id IS NULL)")
        args.append(agent_id)
    return _dicts(conn.execute(
        "SELECT cb.*, cu.name AS customer_name, cu.tier AS customer_tier, cu.phones AS customer_phones, "
        # a CSAT follow-up shows the score that caused it (the lowest, should there be several)
        "(SELECT min(cs.score) FROM csat cs WHERE cb.reason = 'csat' AND cs.conversation_id = cb.conversation_id) "
        "AS csat_score "
        f"FROM callbacks cb LEFT JOIN customers cu ON cu.id = cb.customer_id WHERE {' AND '.join(where)} "
        "ORDER BY cb.status != 'scheduled', cb.due_at, cb.id LIMIT ?", (*args, limit)))


def due_callbacks(conn: sqlite3.Connection, agent_id: str, now_iso: str) -> list[dict[str, Any]]:
    return _dicts(conn.execute(
        "SELECT id, customer_id, due_at, note FROM callbacks WHERE status='scheduled' AND due_at<=? "
        "AND (agent_id=? OR agent_id IS NULL) ORDER BY due_at", (now_iso, agent_id)))


def customer_orders(conn: sqlite3.Connection, customer_id: str, limit: int = 20) -> list[dict[str, Any]]:
    rows = _dicts(conn.execute("SELECT * FROM orders WHERE customer_id=? ORDER BY placed_at DESC LIMIT ?",
                               (customer_id, limit)))
    for row in rows:
        row["items"] = json.loads(row["items"] or "[]")
    return rows


def customer_notes(conn: sqlite3.Connection, customer_id: str) -> list[dict[str, Any]]:
    return _dicts(conn.execute(
        "SELECT id, body, author_id, author_name, created_at, updated_at, pending_key FROM customer_notes "
        "WHERE customer_id=? ORDER BY created_at DESC", (customer_id,)))


def customer_figures(conn: sqlite3.Connection, customer_id: str) -> dict[str, Any]:
    """Lifetime figures: contacts, last contact, open conversations, CSAT average, open callbacks."""
    contacts, open_count, last = conn.execute(
        "SELECT count(*), coalesce(sum(is_open), 0), max(coalesce(last_message_at, created_at)) "
        "FROM conversations WHERE customer_id=?", (customer_id,)).fetchone()
    csat_avg, csat_count = conn.execute("SELECT avg(score), count(*) FROM csat WHERE customer_id=?",
                                        (customer_id,)).fetchone()
    callbacks_open = conn.execute("SELECT count(*) FROM callbacks WHERE customer_id=? AND status='scheduled'",
                                  (customer_id,)).fetchone()[0]
    return {"contacts": contacts, "open": open_count, "last_contact": last, "csat_average": csat_avg,
            "csat_count": csat_count, "open_callbacks": callbacks_open}


def customer_timeline(conn: sqlite3.Connection, customer_id: str, *, before: tuple[str, str] | None = None,
                      limit: int = 30) -> list[dict[str, Any]]:
    """Every conversation of the customer on every channel, newest first, one page (keyset paging)."""
    sql = ("SELECT c.id, c.channel, c.status, c.subject, c.last_message_at, c.created_at, c.assignee_id, "
           "coalesce(c.last_message_at, c.created_at, '') AS sort_at, cs.score AS csat "
           "FROM conversations c LEFT JOIN csat cs ON cs.conversation_id = c.id WHERE c.customer_id=?")
    args: list[Any] = [customer_id]
    if before is not None:
        sql += " AND (coalesce(c.last_message_at, c.created_at, ''), c.id) < (?, ?)"
        args += list(before)
    sql += " ORDER BY sort_at DESC, c.id DESC LIMIT ?"
    return _dicts(conn.execute(sql, (*args, limit)))


def csat_for(conn: sqlite3.Connection, conversation_id: str) -> dict[str, Any] | None:
    rows = _dicts(conn.execute("SELECT score, comment, source, created_at, pending_key FROM csat "
                               "WHERE conversation_id=? ORDER BY pending_key IS NULL LIMIT 1", (conversation_id,)))
    return rows[0] if rows else None


def open_offers(conn: sqlite3.Connection, agent_id: str) -> list[dict[str, Any]]:
    return _dicts(conn.execute(
        "SELECT o.*, c.subject, c.customer_id, cu.name AS customer_name, cu.tier AS customer_tier "
        "FROM offers o LEFT JOIN conversations c ON c.id = o.conversation_id "
        "LEFT JOIN customers cu ON cu.id = c.customer_id "
        "WHERE o.agent_id=? AND o.state='offered' ORDER BY o.offered_at", (agent_id,)))


def agent_status(conn: sqlite3.Connection, agent_id: str) -> dict[str, Any] | None:
    rows = _dicts(conn.execute("SELECT * FROM agent_statuses WHERE id=?", (agent_id,)))
    if not rows:
        return None
    row = rows[0]
    row["capacity"], row["load"] = json.loads(row["capacity"]), json.loads(row["load"])
    return row


def conversation_facts(conn: sqlite3.Connection, conversation_id: str) -> dict[str, Any] | None:
    """The server's workflow fields of a conversation, with still-queued local patches on top."""
    row = conn.execute("SELECT server_data FROM conversations WHERE id=?", (conversation_id,)).fetchone()
    if row is None or not row[0]:
        return None
    data = json.loads(row[0])
    for (payload,) in conn.execute("SELECT payload FROM outbox WHERE conversation_id=? AND action='patch' "
                                   "AND state='queued' ORDER BY seq", (conversation_id,)):
        data.update(json.loads(payload))
    return data


def last_message_marker(conn: sqlite3.Connection, conversation_id: str) -> tuple[int, str | None]:
    """(count of messages from others, newest such message time): what "changed since opened" compares."""
    count, newest = conn.execute(
        "SELECT count(*), max(created_at) FROM messages WHERE conversation_id=? AND pending=0", (conversation_id,)
    ).fetchone()
    return count, newest


def messages_after(conn: sqlite3.Connection, conversation_id: str, after: str | None,
                   exclude_author: str) -> list[dict[str, Any]]:
    return _dicts(conn.execute(
        "SELECT id, kind, direction, author_id, author_name, body, created_at FROM messages "
        "WHERE conversation_id=? AND pending=0 AND created_at>? AND coalesce(author_id, '')!=? "
        "ORDER BY created_at", (conversation_id, after or "", exclude_author)))


# -- optimistic local changes (inside the same transaction as their outbox row) -------------------


def add_local_callback(conn: sqlite3.Connection, key: str, data: dict[str, Any]) -> None:
    _upsert(conn, "callbacks", {"id": f"local:{key}", "status": OPEN_CALLBACK, "attempts": 0, "version": 0,
                                "pending_key": key, **data})


def set_local_callback(conn: sqlite3.Connection, callback_id: str, key: str, fields: dict[str, Any]) -> None:
    sets = ", ".join(f"{k}=?" for k in fields)
    conn.execute(f"UPDATE callbacks SET {sets}, pending_key=? WHERE id=?", (*fields.values(), key, callback_id))


def add_local_note(conn: sqlite3.Connection, key: str, data: dict[str, Any]) -> None:
    _upsert(conn, "customer_notes", {"id": f"local:{key}", "version": 0, "pending_key": key, **data})


def set_local_note(conn: sqlite3.Connection, note_id: str, key: str, body: str, when: str) -> None:
    conn.execute("UPDATE customer_notes SET body=?, updated_at=?, pending_key=? WHERE id=?", (body, when, key, note_id))


def add_local_csat(conn: sqlite3.Connection, key: str, data: dict[str, Any]) -> None:
    conn.execute("DELETE FROM csat WHERE conversation_id=? AND pending_key IS NOT NULL", (data["conversation_id"],))
    _upsert(conn, "csat", {"id": f"local:{key}", "version": 0, "pending_key": key, **data})


def set_local_status(conn: sqlite3.Connection, agent_id: str, key: str | None, state: str, reason: str, since: str) -> None:
    _upsert(conn, "agent_statuses", {"id": agent_id, "state": state, "reason": reason, "since": since,
                                     "routable": int(state == "available"),
                                     "version": _version(conn, "agent_statuses", agent_id), "pending_key": key})


def set_local_offer(conn: sqlite3.Connection, offer_id: str, state: str) -> None:
    conn.execute("UPDATE offers SET state=? WHERE id=?", (state, offer_id))


def set_local_customer_tags(conn: sqlite3.Connection, customer_id: str, tags: list[str]) -> None:
    conn.execute("UPDATE customers SET tags=? WHERE id=?", (_json(tags), customer_id))


def _version(conn: sqlite3.Connection, table: str, record_id: str) -> int:
    row = conn.execute(f"SELECT version FROM {table} WHERE id=?", (record_id,)).fetchone()
    return row[0] if row else 0


def forget_local(conn: sqlite3.Connection, table: str, key: str) -> None:
    """The server answered for a locally created record: its own copy replaces ours."""
    conn.execute(f"DELETE FROM {table} WHERE id=?", (f"local:{key}",))
