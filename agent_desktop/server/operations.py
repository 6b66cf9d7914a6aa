"""What the endpoints do to the data: post a message, change a conversation, take in a customer contact.

Each operation is one write transaction, so the records it touches and their change-feed rows
commit together. Conversation summary fields follow `demo_data.summarize_thread`'s rules:
notes count in `message_count` but neither answer the customer nor become the preview.
"""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
import uuid
from collections.abc import Callable
from typing import Any

from agent_desktop.domain.enums import Status
from agent_desktop.domain.sla import targets_for
from agent_desktop.domain.text import safe_display
from agent_desktop.domain.timeutil import now_iso, parse_iso, to_iso
from agent_desktop.domain.workflow import (
    TransitionRefused,
    check_change,
    status_after_agent_reply,
    status_after_customer_message,
)

from . import db as store
from . import files, html_sanitize, routing, stats, workflow_ops
from .errors import ApiError
from .idempotency import idempotent, message_request
from .preconditions import IfMatch

PREVIEW_CHARS = 140
# Keyword routing of new inbound contacts; tier routing (key accounts) sits between the two.
COMPLAINT_WORDS = ("投诉", "complain", "12315")
PRESALES_WORDS = ("price", "buy", "purchase", "quote", "discount", "购买", "价格", "报价", "多少钱", "采购", "优惠")


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def _not_found(what: str, record_id: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} {record_id!r} does not exist")


def get_conversation(database: store.Database, conversation_id: str) -> dict[str, Any]:
    data = database.get("conversation", conversation_id)
    if data is None:
        raise _not_found("conversation", conversation_id)
    return store.with_id(conversation_id, data)


def conversation_messages(database: store.Database, conversation_id: str) -> list[dict[str, Any]]:
    get_conversation(database, conversation_id)
    rows = database.reader().execute(
        "SELECT id, data FROM messages WHERE conversation_id = ? ORDER BY created_at, id", (conversation_id,)
    ).fetchall()
    return [store.with_id(row[0], json.loads(row[1])) for row in rows]


# -- posting a message ----------------------------------------------------------------------------


def post_message(database: store.Database, agent: dict[str, Any], conversation_id: str, kind: str,
                 body: str, idempotency_key: str, *, attachment_ids: list[str] | None = None,
                 body_html: str = "") -> tuple[dict[str, Any], bool]:
    """Add an agent's reply or note; returns (message with id, created). A repeated key replays the first.

    `attachment_ids` are uploads of this conversation not yet on a message (else 422); `body_html`
    is sanitised before it is stored (the fingerprint is of what was sent, so a retry matches).
    """
    ids = list(attachment_ids or ())

    def act(conn: sqlite3.Connection) -> dict[str, Any]:
        conversation = store.load(conn, "conversation", conversation_id)
        if conversation is None:
            raise _not_found("conversation", conversation_id)
        if conversation["status"] == Status.CLOSED:
            raise ApiError(409, "conversation_closed",
                           "the conversation is closed; the customer's next message opens a new one")
        uploads, refused = files.waiting_uploads(conn, conversation_id, ids)
        if refused:
            raise ApiError(422, "invalid_attachment",
                           f"attachment {refused[0]!r} is not an upload of this conversation waiting for its "
                           "message (unknown, of another conversation, already sent, or listed twice)")
        now = now_iso()
        message_id = new_id("m")
        files.attach_to_message(conn, uploads, message_id)
        message = store.store(conn, "message", message_id, {
            "conversation_id": conversation_id, "kind": kind, "direction": "out", "author_id": agent["id"],
            "author_name": agent["name"], "body": body, "created_at": now, "idempotency_key": idempotency_key,
            "attachments": [row.wire() for row in uploads], "body_html": html_sanitize.sanitize(body_html),
        })
        conversation.update(message_count=conversation.get("message_count", 0) + 1, updated_at=now)
        if kind == "reply":
            conversation.update(
                status=status_after_agent_reply(conversation["status"]),
                first_response_at=conversation.get("first_response_at") or now,
                waiting_since=None, preview=_preview(body, uploads), last_message_at=now,
            )
        store.store(conn, "conversation", conversation_id, conversation)
        stats.on_message(conn, conversation_id, kind, agent["id"])  # the first reply answers the contact
        return store.with_id(message_id, message)

    request = message_request(conversation_id, kind, body, ids, body_html)
    return idempotent(database, agent["id"], idempotency_key, request, act)


def _preview(body: str, uploads: list[files.AttachmentRow]) -> str:
    """The inbox line: the text, or the files' names when only files were sent."""
    return safe_display(body if body.strip() else ", ".join(row.name for row in uploads), PREVIEW_CHARS)


# -- changing a conversation ----------------------------------------------------------------------


def patch_conversation(database: store.Database, conversation_id: str, changes: dict[str, Any],
                       if_match: IfMatch | None, *, by: str | None = None,
                       sees: Callable[[dict[str, Any]], bool] | None = None,
                       authorize: Callable[[dict[str, Any], dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Apply field changes; 412 when `if_match` names no current entity-tag, 409 on a refused
    transition, 422 on unknown ids.

    Setting a field to its current value is not a change (so a retried PATCH is harmless); a
    request that changes nothing returns the record without a new version. `by` (an agent id)
    is recorded as `updated_by`, so a client facing a conflict can say who changed it.
    `sees(current)` False answers 404 (before If-Match: a 412 would show the record);
    `authorize(current, effective)` raises for a change the caller may not make (server/scope.py).
    """
    with database.transaction() as conn:
        current = store.load(conn, "conversation", conversation_id)
        if current is None or (sees is not None and not sees(current)):
            raise _not_found("conversation", conversation_id)
        if if_match is not None and not if_match.matches(str(current["version"])):
            raise ApiError(412, "version_conflict",
                           f"the conversation is at version {current['version']}, which If-Match does not name",
                           headers={"ETag": f'"{current["version"]}"'},
                           extra={"current": store.with_id(conversation_id, current)})
        effective = {key: value for key, value in changes.items() if current.get(key) != value}
        if not effective:
            return store.with_id(conversation_id, current)
        _validate(conn, current, effective)  # unknown ids and refused transitions first, for everyone
        if authorize is not None:
            authorize(current, effective)
        now = now_iso()
        stored = store.store(conn, "conversation", conversation_id,
                             {**current, **effective, **_workflow_facts(current, effective, now),
                              **_retargeted(conn, current, effective), "updated_at": now, "updated_by": by})
        if stored["status"] not in ("new", "open") or effective.get("assignee_id", stored["assignee_id"]) \
                != current.get("assignee_id"):
            routing.withdraw_offers(conn, conversation_id)  # taken or finished another way
        stats.on_conversation_changed(conn, conversation_id, current, stored)  # resolved, transferred
        routing.route_waiting(conn)  # a finished interaction frees capacity for the next one
    return store.with_id(conversation_id, stored)


def _workflow_facts(current: dict[str, Any], changes: dict[str, Any], now: str) -> dict[str, Any]:
    """What first-contact resolution needs to know later: when resolved, how often reopened."""
    facts: dict[str, Any] = {}
    status = changes.get("status")
    if status == Status.RESOLVED:
        facts["resolved_at"] = now
        facts["routed_to"] = None  # the interaction is over: capacity is free again
    elif status == Status.OPEN and current["status"] in (Status.RESOLVED, Status.CLOSED):
        facts.update(reopen_count=current.get("reopen_count", 0) + 1, resolved_at=None, disposition=None)
    elif status == Status.PENDING:
        facts["routed_to"] = None
    if "assignee_id" in changes and current.get("routed_to") and changes["assignee_id"] != current.get("routed_to"):
        facts["routed_to"] = None
    return facts


def _retargeted(conn: Any, current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A new priority or queue gets that row of the SLA policy table."""
    if "priority" not in changes and "queue_id" not in changes:
        return {}
    return workflow_ops.retarget(conn, {**current, **changes})


def _validate(conn: Any, current: dict[str, Any], changes: dict[str, Any]) -> None:
    if current["status"] == Status.CLOSED:
        raise ApiError(409, "transition_refused", "a closed conversation cannot change")
    if "status" in changes or "disposition" in changes:
        try:
            check_change(current, changes, workflow_ops.known_dispositions(conn))
        except TransitionRefused as exc:
            raise ApiError(409, "transition_refused", str(exc)) from exc
    assignee = changes.get("assignee_id")
    if assignee is not None and store.load(conn, "agent", assignee) is None:
        raise ApiError(422, "unknown_assignee", f"agent {assignee!r} does not exist")
    queue = changes.get("queue_id")
    if queue is not None and store.load(conn, "queue", queue) is None:
        raise ApiError(422, "unknown_queue", f"queue {queue!r} does not exist")


def set_agent_state(database: store.Database, agent_id: str, state: str) -> dict[str, Any]:
    """The plain presence flag (PATCH /me). Taking routed contacts needs PUT /me/status (workflow)."""
    with database.transaction() as conn:
        agent = store.load(conn, "agent", agent_id)
        if agent is None:
            raise _not_found("agent", agent_id)
        stats.on_agent_state(conn, agent_id, state)  # before the write: closes the old state's interval
        if agent.get("state") != state:
            agent = store.store(conn, "agent", agent_id, {**agent, "state": state})
        if state != "available":  # whoever steps away stops getting offers
            workflow_ops.stop_routing_to(conn, agent_id)
    return store.with_id(agent_id, agent)


# -- inbound contacts -----------------------------------------------------------------------------


def route_queue(text: str, tier: str) -> str:
    lowered = text.casefold()
    if any(word in lowered for word in COMPLAINT_WORDS):
        return "q-complaints"
    if tier in ("vip", "key_account"):
        return "q-key-accounts"
    if any(word in lowered for word in PRESALES_WORDS):
        return "q-presales"
    return "q-aftersales"


def receive_inbound(database: store.Database, payload: dict[str, Any],
                    file_store: files.FileStore | None = None) -> tuple[dict[str, Any], bool]:
    """Take a customer's message from a channel; returns (result, new). A known external_id replays.

    Its `attachments` (base64) are stored before the transaction (content-addressed: a replay
    stores nothing new) and described on the message; `body_html` is sanitised.
    """
    external_id = payload.get("external_id")
    parts = _store_inbound_files(payload.get("attachments") or [], file_store)
    with database.transaction() as conn:
        if external_id:
            row = conn.execute("SELECT result FROM inbound_external_ids WHERE external_id = ?",
                               (external_id,)).fetchone()
            if row is not None:
                return json.loads(row[0]), False
        now = now_iso()
        customer_id, customer = _find_or_create_customer(conn, payload["customer"], now)
        row = conn.execute(
            "SELECT id FROM conversations WHERE customer_id = ? AND channel = ? AND status != 'closed' "
            "ORDER BY created_at DESC LIMIT 1",
            (customer_id, payload["channel"]),
        ).fetchone()
        if row is None:
            conversation_id = new_id("cv")
            conversation = _new_conversation(payload, customer_id, customer, now, conn)
        else:
            conversation_id = row[0]
            loaded = store.load(conn, "conversation", conversation_id)
            assert loaded is not None  # found by the query above, in this transaction
            conversation = loaded
            came_back = conversation["status"] in (Status.PENDING, Status.RESOLVED) or (
                conversation.get("first_response_at") and not conversation.get("waiting_since"))
            if conversation["status"] == Status.RESOLVED:
                conversation.update(reopen_count=conversation.get("reopen_count", 0) + 1, resolved_at=None,
                                    disposition=None)
            conversation.update(
                status=status_after_customer_message(conversation["status"]),
                waiting_since=conversation.get("waiting_since") or now,
                message_count=conversation.get("message_count", 0) + 1,
                customer_contacts=conversation.get("customer_contacts", 1) + (1 if came_back else 0),
            )
        conversation.update(preview=safe_display(payload["body"], PREVIEW_CHARS), last_message_at=now, updated_at=now)
        store.store(conn, "conversation", conversation_id, conversation)
        stats.on_inbound(conn, conversation_id, conversation, created=row is None)  # offered / reopened
        message_id = new_id("m")
        rows = [files.AttachmentRow(new_id("att"), conversation_id, message_id, part["name"], stored.size,
                                    stored.content_type, stored.sha256,
                                    (part.get("content_id") or "").strip().strip("<>").strip(),  # as cid: names it
                                    bool(part.get("inline")))
                for part, stored in parts]
        for attachment in rows:
            files.insert(conn, attachment, uploaded_by=None, created_at=now)
        store.store(conn, "message", message_id, {
            "conversation_id": conversation_id, "kind": "reply", "direction": "in", "author_id": None,
            "author_name": customer["name"], "body": payload["body"], "created_at": now, "idempotency_key": None,
            "attachments": [attachment.wire() for attachment in rows],
            "body_html": html_sanitize.sanitize(payload.get("body_html") or ""),
        })
        result = {"conversation_id": conversation_id, "message_id": message_id, "customer_id": customer_id,
                  "created": row is None}
        if external_id:
            conn.execute("INSERT INTO inbound_external_ids (external_id, result, created_at) VALUES (?, ?, ?)",
                         (external_id, store.dumps(result), now))
        routing.route_waiting(conn)  # a new call or chat is offered at once, not at the next sweep
    return result, True


def _store_inbound_files(parts: list[dict[str, Any]], file_store: files.FileStore | None
                         ) -> list[tuple[dict[str, Any], files.Stored]]:
    """Decode and store each part (413 over the cap, 422 for base64 that is not)."""
    if parts and file_store is None:
        raise ApiError(503, "attachments_unavailable", "this server does not store files")
    stored: list[tuple[dict[str, Any], files.Stored]] = []
    for index, part in enumerate(parts):
        assert file_store is not None
        encoded = part["data_base64"]
        if len(encoded) // 4 * 3 > file_store.max_bytes + 3:  # refused before decoding
            raise files.too_large_error(file_store.max_bytes)
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "validation_error", f"attachments.{index}.data_base64: not valid base64") from None
        try:
            stored.append((part, file_store.put_bytes(data)))
        except files.TooLarge as exc:
            raise files.too_large_error(exc.max_bytes) from None
    return stored


def _new_conversation(payload: dict[str, Any], customer_id: str, customer: dict[str, Any],
                      now: str, conn: Any = None) -> dict[str, Any]:
    tier = customer.get("tier", "standard")
    text = f"{payload.get('subject') or ''}\n{payload['body']}"
    queue_id = route_queue(text, tier)
    priority = "high" if tier == "vip" or queue_id == "q-complaints" else "normal"
    targets = (workflow_ops.sla_targets(conn, queue_id=queue_id, tier=tier, priority=priority,
                                        channel=payload["channel"])
               if conn is not None else targets_for(payload["channel"], tier, priority))
    created = parse_iso(now)
    return {
        "channel": payload["channel"], "status": Status.NEW.value, "priority": priority,
        "customer_id": customer_id, "queue_id": queue_id, "assignee_id": None,
        "subject": safe_display(payload.get("subject") or payload["body"], 120), "tags": [],
        "created_at": now, "waiting_since": now, "first_response_at": None,
        "first_response_due": to_iso(created + targets.first_response),
        "resolution_due": to_iso(created + targets.resolution), "message_count": 1,
    }


def _find_or_create_customer(conn: Any, contact: dict[str, Any], now: str) -> tuple[str, dict[str, Any]]:
    """Match by phone, then e-mail, then handle; learn identifiers nobody else owns yet."""
    for kind in store.CONTACT_FIELDS:
        customer_id = store.find_customer(conn, kind, contact.get(kind))
        if customer_id is not None:
            break
    else:
        customer_id = None
    if customer_id is not None:
        customer = store.load(conn, "customer", customer_id)
        if customer is not None:
            learned = _learn_contacts(conn, customer, contact)
            if learned:
                customer = store.store(conn, "customer", customer_id, {**customer, **learned, "updated_at": now})
                store.index_contacts(conn, customer_id, customer)
            return customer_id, customer
    customer_id = new_id("c")
    customer = store.store(conn, "customer", customer_id, {
        "name": contact["name"], "company": "", "tier": "standard",
        "phones": [contact["phone"]] if contact.get("phone") else [],
        "emails": [contact["email"]] if contact.get("email") else [],
        "handles": [contact["handle"]] if contact.get("handle") else [],
        "tags": [], "created_at": now, "updated_at": now,
    })
    store.index_contacts(conn, customer_id, customer)
    return customer_id, customer


def _learn_contacts(conn: Any, customer: dict[str, Any], contact: dict[str, Any]) -> dict[str, list[str]]:
    learned: dict[str, list[str]] = {}
    for kind, field in store.CONTACT_FIELDS.items():
        value = contact.get(kind)
        if value and store.contact_key(kind, value) and store.find_customer(conn, kind, value) is None:
            learned[field] = [*customer.get(field, []), value]
    return learned
