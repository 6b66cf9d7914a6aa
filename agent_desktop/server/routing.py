"""Server-side routing: offer waiting conversations to available agents under capacity.

Capacity counts *interactions*: conversations an agent took through an offer (`routed_to`) that
are still new or open, plus the offer on their screen. A backlog assigned by hand (yesterday's
e-mails) does not block calls. Each agent sees at most one offer at a time; an offer nobody
answers in OFFER_SECONDS expires and the conversation goes to the next agent.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime, timedelta
from typing import Any

from agent_desktop.domain.routing import OFFER_SECONDS, AgentSlot, choose_agent, routing_order
from agent_desktop.domain.timeutil import parse_iso, to_iso, utcnow

from . import db as store
from . import stats

ROUTABLE_STATUSES = ("new", "open")


def _status_of(conn: sqlite3.Connection, agent_id: str, agent: dict[str, Any]) -> dict[str, Any]:
    return store.load(conn, "agent_status", agent_id) or {"state": agent.get("state", "offline"), "since": None}


def agent_slots(conn: sqlite3.Connection) -> list[AgentSlot]:
    load: dict[str, dict[str, int]] = {}
    for agent_id, channel in conn.execute(
            "SELECT json_extract(data, '$.routed_to'), channel FROM conversations "
            "WHERE status IN ('new', 'open') AND json_extract(data, '$.routed_to') IS NOT NULL "
            "AND json_extract(data, '$.routed_to') = assignee_id"):
        per = load.setdefault(agent_id, {})
        per[channel] = per.get(channel, 0) + 1
    offered = {row[0] for row in conn.execute("SELECT agent_id FROM offers WHERE state = 'offered'")}
    declined: dict[str, set[str]] = {}
    for agent_id, conversation_id in conn.execute(
            "SELECT agent_id, conversation_id FROM offers WHERE state IN ('declined', 'expired')"):
        declined.setdefault(agent_id, set()).add(conversation_id)
    slots = []
    for agent_id, data in conn.execute("SELECT id, data FROM agents"):
        agent = json.loads(data)
        if agent.get("role") != "agent" or agent_id in offered:
            continue
        status = _status_of(conn, agent_id, agent)
        if not status.get("routable"):
            continue  # only agents who went Available at their desk (PUT /me/status) take contacts
        idle = max(status.get("since") or "", status.get("last_assigned_at") or "")
        slots.append(AgentSlot(
            id=agent_id, state=status.get("state", "offline"), queue_ids=frozenset(agent.get("queue_ids", [])),
            idle_since=idle, load=load.get(agent_id, {}), capacity=status.get("capacity") or {},
            declined=frozenset(declined.get(agent_id, set())),
        ))
    return slots


def expire_offers(conn: sqlite3.Connection, now: datetime) -> int:
    expired = 0
    for offer_id, data in conn.execute("SELECT id, data FROM offers WHERE state = 'offered'").fetchall():
        offer = json.loads(data)
        taken = conn.execute("SELECT 1 FROM conversations WHERE id = ? AND status = 'new' AND assignee_id IS NULL",
                             (offer["conversation_id"],)).fetchone() is None
        if taken:  # assigned, transferred or closed meanwhile
            store.store(conn, "offer", offer_id, {**offer, "state": "withdrawn"})
        elif offer.get("expires_at") and parse_iso(offer["expires_at"]) <= now:
            store.store(conn, "offer", offer_id, {**offer, "state": "expired"})
            _missed(conn, offer["agent_id"], now)
            expired += 1
    return expired


def _missed(conn: sqlite3.Connection, agent_id: str, now: datetime) -> None:
    """An unanswered offer means nobody is at the desk: no more offers until they come back."""
    status = store.load(conn, "agent_status", agent_id)
    if status is not None:
        store.store(conn, "agent_status", agent_id, {**status, "state": "break", "reason": "missed_offer",
                                                     "routable": False, "since": to_iso(now)})
    agent = store.load(conn, "agent", agent_id)
    if agent is not None and agent.get("state") != "break":
        stats.on_agent_state(conn, agent_id, "break")
        store.store(conn, "agent", agent_id, {**agent, "state": "break"})


def withdraw_offers(conn: sqlite3.Connection, conversation_id: str) -> None:
    """The conversation was taken another way (assigned, transferred, resolved): its offer is void."""
    for offer_id, data in conn.execute("SELECT id, data FROM offers WHERE conversation_id = ? AND state = 'offered'",
                                       (conversation_id,)).fetchall():
        store.store(conn, "offer", offer_id, {**json.loads(data), "state": "withdrawn"})


def route_waiting(conn: sqlite3.Connection, now: datetime | None = None) -> list[dict[str, Any]]:
    """Expire stale offers, then offer each waiting conversation to the best agent. Returns new offers."""
    now = now or utcnow()
    expire_offers(conn, now)
    slots = {slot.id: slot for slot in agent_slots(conn) if slot.state == "available"}
    if not slots:
        return []
    waiting = [
        {"id": row[0], **json.loads(row[1])}
        for row in conn.execute(
            "SELECT id, data FROM conversations WHERE status = 'new' AND assignee_id IS NULL "
            "AND id NOT IN (SELECT conversation_id FROM offers WHERE state = 'offered')")
    ]
    created = []
    for conversation in routing_order(waiting):
        agent = choose_agent(slots.values(), conversation_id=conversation["id"],
                             queue_id=conversation.get("queue_id"), channel=conversation["channel"])
        if agent is None:
            continue
        offer_id = f"of-{uuid.uuid4().hex}"
        offer = store.store(conn, "offer", offer_id, {
            "conversation_id": conversation["id"], "agent_id": agent.id, "state": "offered",
            "channel": conversation["channel"], "offered_at": to_iso(now),
            "expires_at": to_iso(now + timedelta(seconds=OFFER_SECONDS)),
        })
        created.append(store.with_id(offer_id, offer))
        del slots[agent.id]  # one offer on an agent's screen at a time
        if not slots:
            break
    return created


def route(database: store.Database) -> list[dict[str, Any]]:
    with database.transaction() as conn:
        return route_waiting(conn)
