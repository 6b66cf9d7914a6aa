"""What the workflow endpoints do: hand-offs, offers, agent status, callbacks, CSAT, customer notes.

Each operation is one write transaction; creating ones honour an Idempotency-Key (a retry with the
same key returns the first answer, a different request under a used key is 422).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime
from typing import Any

from agent_desktop.domain import care
from agent_desktop.domain.business_hours import BusinessHours, parse_business_hours
from agent_desktop.domain.enums import Status
from agent_desktop.domain.sla_policy import parse_sla_policy, targets_from_policies
from agent_desktop.domain.text import safe_display
from agent_desktop.domain.timeutil import now_iso, parse_iso, to_iso, utcnow
from agent_desktop.domain.workflow import HandOffRefused, check_handoff, status_after_handoff

from . import db as store
from . import routing, stats
from .errors import ApiError
from .idempotency import idempotent


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def _load(conn: sqlite3.Connection, entity: str, record_id: str, what: str | None = None) -> dict[str, Any]:
    data = store.load(conn, entity, record_id)
    if data is None:
        raise ApiError(404, "not_found", f"{what or entity} {record_id!r} does not exist")
    return data


# -- SLA policy -----------------------------------------------------------------------------------


def sla_targets(conn: sqlite3.Connection, *, queue_id: str | None, tier: str, priority: str, channel: str):  # noqa: ANN201
    policies = []
    for policy_id, data in conn.execute("SELECT id, data FROM sla_policies"):
        try:
            policies.append(parse_sla_policy(policy_id, json.loads(data)))
        except ValueError:
            continue
    return targets_from_policies(policies, queue_id=queue_id, tier=tier, priority=priority, channel=channel)


def retarget(conn: sqlite3.Connection, conversation: dict[str, Any]) -> dict[str, Any]:
    """SLA due times for the conversation's current queue × tier × priority (after an escalation or a
    priority change), counted from when it was opened; a first response already given stays given."""
    created = conversation.get("created_at")
    if not created:
        return {}
    customer = store.load(conn, "customer", conversation["customer_id"]) or {}
    targets = sla_targets(conn, queue_id=conversation.get("queue_id"), tier=customer.get("tier", "standard"),
                          priority=conversation["priority"], channel=conversation["channel"])
    start = parse_iso(created)
    due = {"resolution_due": to_iso(start + targets.resolution)}
    if not conversation.get("first_response_at"):
        due["first_response_due"] = to_iso(start + targets.first_response)
    return due


def known_dispositions(conn: sqlite3.Connection) -> set[str] | None:
    ids = {row[0] for row in conn.execute("SELECT id FROM dispositions")}
    return ids or None  # a server without a list accepts any code


# -- transfer / escalate --------------------------------------------------------------------------


def transfer(database: store.Database, agent: dict[str, Any], conversation_id: str, body: dict[str, Any],
             key: str | None) -> tuple[dict[str, Any], bool]:
    """Hand a conversation to a queue (tier) or agent with a mandatory note the receiver sees first."""

    def act(conn: sqlite3.Connection) -> dict[str, Any]:
        conversation = _load(conn, "conversation", conversation_id, "conversation")
        queue_id, assignee_id = body.get("queue_id"), body.get("assignee_id")
        try:
            note = check_handoff(conversation["status"], body.get("note"), queue_id=queue_id,
                                 assignee_id=assignee_id, current_queue=conversation.get("queue_id"),
                                 current_assignee=conversation.get("assignee_id"))
        except HandOffRefused as exc:
            raise ApiError(409, "handoff_refused", str(exc)) from exc
        if queue_id is not None and store.load(conn, "queue", queue_id) is None:
            raise ApiError(422, "unknown_queue", f"queue {queue_id!r} does not exist")
        if assignee_id is not None:
            target = store.load(conn, "agent", assignee_id)
            if target is None:
                raise ApiError(422, "unknown_assignee", f"agent {assignee_id!r} does not exist")
            if queue_id is None:
                queue_id = conversation.get("queue_id")
        now = now_iso()
        kind = body.get("kind", "transfer")
        message_id = new_id("m")
        # The event and its target, not a worded marker: each client says "Transferred to …" in
        # its agent's language and with the queue's name in that language.
        message = store.store(conn, "message", message_id, {
            "conversation_id": conversation_id, "kind": "note", "direction": "out", "author_id": agent["id"],
            "author_name": agent["name"], "body": note, "created_at": now, "idempotency_key": key,
            "event": "escalate" if kind == "escalate" else "transfer", "event_target": queue_id or "",
        })
        priority = conversation["priority"]
        if kind == "escalate" and priority in ("low", "normal"):
            priority = "high"
        conversation.update(
            queue_id=queue_id, assignee_id=assignee_id, priority=priority,
            status=status_after_handoff(conversation["status"]),
            transfer_count=conversation.get("transfer_count", 0) + 1, routed_to=None,
            handoff_note=note, handoff_by=agent["id"], handoff_at=now, updated_at=now, updated_by=agent["id"],
            message_count=conversation.get("message_count", 0) + 1,
        )
        conversation.update(retarget(conn, conversation))
        routing.withdraw_offers(conn, conversation_id)
        stored = store.store(conn, "conversation", conversation_id, conversation)
        routing.route_waiting(conn)
        return {"conversation": store.with_id(conversation_id, stored), "note": store.with_id(message_id, message)}

    return idempotent(database, agent["id"], key, {"op": "transfer", "id": conversation_id, **body}, act)


# -- offers ---------------------------------------------------------------------------------------


def answer_offer(database: store.Database, agent: dict[str, Any], offer_id: str, accept: bool) -> dict[str, Any]:
    with database.transaction() as conn:
        offer = _load(conn, "offer", offer_id, "offer")
        if offer["agent_id"] != agent["id"]:
            raise ApiError(403, "forbidden", "this offer was made to another agent")
        if offer["state"] != "offered":
            if offer["state"] == ("accepted" if accept else "declined"):
                return {"offer": store.with_id(offer_id, offer), "conversation": None}  # a retry
            raise ApiError(409, "offer_gone", f"the offer is {offer['state']}")
        now = utcnow()
        if offer.get("expires_at") and parse_iso(offer["expires_at"]) <= now:
            store.store(conn, "offer", offer_id, {**offer, "state": "expired"})
            routing.route_waiting(conn, now)
            raise ApiError(409, "offer_gone", "the offer expired and went to the next agent")
        conversation_data = None
        if accept:
            conversation = _load(conn, "conversation", offer["conversation_id"], "conversation")
            conversation.update(assignee_id=agent["id"], routed_to=agent["id"], updated_at=to_iso(now))
            conversation_data = store.with_id(offer["conversation_id"],
                                              store.store(conn, "conversation", offer["conversation_id"], conversation))
            status = store.load(conn, "agent_status", agent["id"]) or {"state": "available", "since": to_iso(now)}
            store.store(conn, "agent_status", agent["id"], {**status, "last_assigned_at": to_iso(now)})
        stored = store.store(conn, "offer", offer_id, {**offer, "state": "accepted" if accept else "declined",
                                                       "answered_at": to_iso(now)})
        routing.route_waiting(conn, now)
    return {"offer": store.with_id(offer_id, stored), "conversation": conversation_data}


# -- agent status ---------------------------------------------------------------------------------


def set_agent_status(database: store.Database, agent_id: str, state: str, reason: str = "",
                     capacity: dict[str, int] | None = None) -> dict[str, Any]:
    with database.transaction() as conn:
        return write_agent_status(conn, agent_id, state, reason, capacity)


def write_agent_status(conn: sqlite3.Connection, agent_id: str, state: str, reason: str = "",
                       capacity: dict[str, int] | None = None) -> dict[str, Any]:
    """The agent's own state from the desktop (PUT /me/status): Available here makes them routable."""
    agent = _load(conn, "agent", agent_id, "agent")
    status = store.load(conn, "agent_status", agent_id) or {}
    changed = status.get("state") != state or status.get("reason", "") != reason
    data = {**status, "state": state, "reason": reason if state == "break" else "",
            "routable": state == "available",
            "since": now_iso() if changed or not status.get("since") else status["since"]}
    if capacity is not None:
        data["capacity"] = capacity
    data.setdefault("capacity", {})
    if data != status:
        data = store.store(conn, "agent_status", agent_id, data)
    if agent.get("state") != state:
        stats.on_agent_state(conn, agent_id, state)  # the dashboard's time-in-state intervals
        store.store(conn, "agent", agent_id, {**agent, "state": state})
    if state != "available":  # a pending offer must not wait on someone on a break
        _withdraw_agent_offers(conn, agent_id)
    routing.route_waiting(conn)
    return store.with_id(agent_id, data)


def _withdraw_agent_offers(conn: sqlite3.Connection, agent_id: str) -> None:
    for offer_id, offer in conn.execute("SELECT id, data FROM offers WHERE agent_id = ? AND state = 'offered'",
                                        (agent_id,)).fetchall():
        store.store(conn, "offer", offer_id, {**json.loads(offer), "state": "withdrawn"})


def stop_routing_to(conn: sqlite3.Connection, agent_id: str) -> None:
    """Someone left Available another way (PATCH /me): no more offers, none left waiting on them."""
    status = store.load(conn, "agent_status", agent_id)
    if status is not None and status.get("routable"):
        store.store(conn, "agent_status", agent_id, {**status, "routable": False})
    _withdraw_agent_offers(conn, agent_id)


# -- callbacks ------------------------------------------------------------------------------------


def queue_hours(conn: sqlite3.Connection, queue_id: str | None) -> BusinessHours:
    queue = store.load(conn, "queue", queue_id) if queue_id else None
    return parse_business_hours((queue or {}).get("business_hours"))


def _hours_of_conversation(conn: sqlite3.Connection, callback: dict[str, Any]) -> BusinessHours:
    conversation_id = callback.get("conversation_id")
    conversation = store.load(conn, "conversation", conversation_id) if conversation_id else None
    return queue_hours(conn, (conversation or {}).get("queue_id"))


def _future_time(value: str, field: str) -> str:
    try:
        moment = parse_iso(value)
    except ValueError as exc:
        raise ApiError(422, "validation_error", f"{field}: not an ISO-8601 time") from exc
    return to_iso(moment)


def create_callback(database: store.Database, agent: dict[str, Any], body: dict[str, Any],
                    key: str | None) -> tuple[dict[str, Any], bool]:
    def act(conn: sqlite3.Connection) -> dict[str, Any]:
        _load(conn, "customer", body["customer_id"], "customer")
        if body.get("conversation_id"):
            _load(conn, "conversation", body["conversation_id"], "conversation")
        callback_id = new_id("cb")
        data = store.store(conn, "callback", callback_id, {
            "customer_id": body["customer_id"], "conversation_id": body.get("conversation_id"),
            "agent_id": body.get("agent_id") or agent["id"], "due_at": _future_time(body["due_at"], "due_at"),
            "status": "scheduled", "note": body.get("note") or "", "reason": body.get("reason") or "manual",
            "attempts": 0, "created_at": now_iso(),
        })
        return store.with_id(callback_id, data)

    return idempotent(database, agent["id"], key, {"op": "callback", **body}, act)


def complete_callback(database: store.Database, agent: dict[str, Any], callback_id: str,
                      body: dict[str, Any]) -> dict[str, Any]:
    with database.transaction() as conn:
        callback = _load(conn, "callback", callback_id, "callback")
        outcome = body["outcome"]
        if callback["status"] in ("done", "cancelled"):
            if callback["status"] == "done" and outcome == "done":
                return store.with_id(callback_id, callback)  # a retry
            raise ApiError(409, "callback_closed", f"the callback is already {callback['status']}")
        requested = parse_iso(_future_time(body["due_at"], "due_at")) if body.get("due_at") else None
        now = utcnow()
        try:
            next_due = care.reschedule_due(outcome, now, requested, _hours_of_conversation(conn, callback))
        except ValueError as exc:
            raise ApiError(422, "validation_error", str(exc)) from exc
        note = (body.get("note") or "").strip()
        data = {**callback, "attempts": callback.get("attempts", 0) + 1,
                "outcome_note": note or callback.get("outcome_note", "")}
        if next_due is None:
            data.update(status="done", completed_at=to_iso(now))
        else:
            data.update(status="scheduled", due_at=to_iso(next_due))
        stored = store.store(conn, "callback", callback_id, data)
    return store.with_id(callback_id, stored)


# -- CSAT -----------------------------------------------------------------------------------------


def record_csat(database: store.Database, agent: dict[str, Any] | None, conversation_id: str,
                body: dict[str, Any], key: str | None) -> tuple[dict[str, Any], bool]:
    """Store the conversation's score (a new one replaces the old); ≤ 2 schedules a follow-up callback."""

    def act(conn: sqlite3.Connection) -> dict[str, Any]:
        conversation = _load(conn, "conversation", conversation_id, "conversation")
        now = utcnow()
        csat_id = f"csat-{conversation_id}"
        csat = store.store(conn, "csat", csat_id, {
            "conversation_id": conversation_id, "customer_id": conversation["customer_id"],
            "score": body["score"], "comment": body.get("comment") or "",
            "source": body.get("source") or ("agent" if agent else "survey"),
            "agent_id": agent["id"] if agent else None, "created_at": to_iso(now),
        })
        follow_up = None
        if care.needs_follow_up(body["score"]):
            follow_up = _csat_follow_up(conn, conversation_id, conversation, body, now)
        return {"csat": store.with_id(csat_id, csat), "callback": follow_up}

    return idempotent(database, agent["id"] if agent else "survey", key, {"op": "csat", "id": conversation_id, **body},
                      act)


def _csat_follow_up(conn: sqlite3.Connection, conversation_id: str, conversation: dict[str, Any],
                    body: dict[str, Any], now: datetime) -> dict[str, Any]:
    for callback_id, data in conn.execute(
            "SELECT id, data FROM callbacks WHERE customer_id = ? AND status = 'scheduled'",
            (conversation["customer_id"],)).fetchall():
        existing = json.loads(data)
        if existing.get("conversation_id") == conversation_id and existing.get("reason") == "csat":
            return store.with_id(callback_id, existing)  # one follow-up per conversation
    callback_id = new_id("cb")
    comment = safe_display(body.get("comment") or "", 200)
    data = store.store(conn, "callback", callback_id, {
        "customer_id": conversation["customer_id"], "conversation_id": conversation_id,
        "agent_id": conversation.get("assignee_id"),
        "due_at": to_iso(care.follow_up_due(now, queue_hours(conn, conversation.get("queue_id")))),
        "status": "scheduled", "reason": "csat", "attempts": 0, "created_at": to_iso(now),
        # reason "csat" says why in each client's language; the note is only the customer's comment
        "note": comment,
    })
    return store.with_id(callback_id, data)


# -- customer notes and tags ----------------------------------------------------------------------


def add_customer_note(database: store.Database, agent: dict[str, Any], customer_id: str, body: str,
                      key: str | None) -> tuple[dict[str, Any], bool]:
    def act(conn: sqlite3.Connection) -> dict[str, Any]:
        _load(conn, "customer", customer_id, "customer")
        note_id, now = new_id("cn"), now_iso()
        data = store.store(conn, "customer_note", note_id, {
            "customer_id": customer_id, "body": body, "author_id": agent["id"], "author_name": agent["name"],
            "created_at": now, "updated_at": now,
        })
        return store.with_id(note_id, data)

    return idempotent(database, agent["id"], key, {"op": "note", "id": customer_id, "body": body}, act)


def edit_customer_note(database: store.Database, note_id: str, body: str | None) -> dict[str, Any] | None:
    with database.transaction() as conn:
        note = _load(conn, "customer_note", note_id, "note")
        if body is None:
            store.delete(conn, "customer_note", note_id)
            return None
        if note["body"] == body:
            return store.with_id(note_id, note)
        return store.with_id(note_id, store.store(conn, "customer_note", note_id,
                                                  {**note, "body": body, "updated_at": now_iso()}))


def set_customer_tags(database: store.Database, customer_id: str, tags: list[str]) -> dict[str, Any]:
    with database.transaction() as conn:
        customer = _load(conn, "customer", customer_id, "customer")
        clean = list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
        if customer.get("tags") != clean:
            customer = store.store(conn, "customer", customer_id, {**customer, "tags": clean, "updated_at": now_iso()})
    return store.with_id(customer_id, customer)


def link_customer(database: store.Database, conversation_id: str, customer_id: str) -> dict[str, Any]:
    """An unknown caller turned out to be a known customer: move the conversation to them."""
    with database.transaction() as conn:
        conversation = _load(conn, "conversation", conversation_id, "conversation")
        _load(conn, "customer", customer_id, "customer")
        if conversation["customer_id"] != customer_id:
            conversation = store.store(conn, "conversation", conversation_id,
                                       {**conversation, "customer_id": customer_id, "updated_at": now_iso()})
    return store.with_id(conversation_id, conversation)


def create_customer(database: store.Database, agent: dict[str, Any], body: dict[str, Any],
                    key: str | None) -> tuple[dict[str, Any], bool]:
    def act(conn: sqlite3.Connection) -> dict[str, Any]:
        now = now_iso()
        customer_id = new_id("c")
        data = store.store(conn, "customer", customer_id, {
            "name": body["name"], "company": body.get("company") or "", "tier": body.get("tier") or "standard",
            "phones": [body["phone"]] if body.get("phone") else [],
            "emails": [body["email"]] if body.get("email") else [], "handles": [], "tags": [],
            "created_at": now, "updated_at": now,
        })
        store.index_contacts(conn, customer_id, data)
        return store.with_id(customer_id, data)

    return idempotent(database, agent["id"], key, {"op": "customer", **body}, act)


__all__ = ["transfer", "answer_offer", "set_agent_status", "write_agent_status", "create_callback",
           "complete_callback", "record_csat", "add_customer_note", "edit_customer_note", "set_customer_tags",
           "link_customer", "create_customer", "sla_targets", "known_dispositions", "Status"]
