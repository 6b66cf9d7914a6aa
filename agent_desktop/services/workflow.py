"""The ticket workflow for the UI: wrap-up, transfer/escalate, callbacks (回访), CSAT, customer notes
and tags, agent state, routing offers and presence. Reads are indexed lookups on the calling
thread; every action is written locally with its outbox row in one transaction and sent by the
sync engine (so it works offline), except presence heartbeats, which only make sense live.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..backends.base import BackendError, Capability, Rejected, Unsupported, capabilities_of
from ..backends.protocols import (
    AgentStates,
    Callbacks,
    CustomerRecords,
    HandOffs,
    Offers,
    Presence,
    Record,
    Surveys,
    require,
)
from ..domain import care
from ..domain.enums import AgentState
from ..domain.fcr import fcr_state
from ..domain.records import Message
from ..domain.timeutil import now_iso, parse_iso, to_iso, utcnow
from ..domain.workflow import check_change, check_handoff
from ..store import Database, outbox, records
from ..store import changes as store_changes
from ..store import workflow as store
from .conversations import ConversationService
from .events import Event
from .features import Action, Feature
from .sync_engine import SyncEngine

TRANSFER = "transfer"
CSAT = "csat"
CALLBACK_CREATE = "callback_create"
CALLBACK_OUTCOME = "callback_outcome"
NOTE_ADD = "customer_note"
NOTE_EDIT = "customer_note_edit"
TAGS = "customer_tags"
STATUS = "agent_status"
OFFER = "offer_answer"
LINK = "link_customer"
CREATE_CUSTOMER = "customer_create"


def _q(value: str) -> str:
    return quote(value, safe="")


class WorkflowService:
    def __init__(self, db: Database, agent: dict[str, Any], backend: Any,
                 conversations: ConversationService) -> None:
        self.db = db
        self.agent = agent
        self.backend = backend
        self.conversations = conversations
        self.changed = Event()   # (what: str) — "callbacks", "notes", "status", "offers", "csat", "customer"
        self._presence_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="presence")

    def supports(self, capability: Capability) -> bool:
        """Whether the connected backend can do `capability` (the UI greys out what it cannot)."""
        return capability in capabilities_of(self.backend)

    def _needs(self, capability: Capability) -> None:
        """Refuse before queueing what this backend can never do: nothing waits in the outbox for it."""
        if not self.supports(capability):
            raise Unsupported(f"this server does not support {capability.value.replace('_', ' ')}")

    @property
    def agent_id(self) -> str:
        return str(self.agent.get("id", ""))

    # -- reads ----------------------------------------------------------------------------------
    def dispositions(self) -> list[dict[str, Any]]:
        return store.dispositions(self.db.reader())

    def callbacks(self, *, mine_only: bool = True, include_done: bool = False) -> list[dict[str, Any]]:
        return store.callbacks(self.db.reader(), self.agent_id if mine_only else None, include_done=include_done)

    def my_live_conversations(self) -> set[str]:
        """The agent's open conversations that are new or open (not pending, not resolved)."""
        rows = self.db.reader().execute(
            "SELECT id FROM conversations WHERE assignee_id=? AND is_open=1 AND status IN ('new', 'open')",
            (self.agent_id,)).fetchall()
        return {row[0] for row in rows}

    def sla_watch_items(self) -> list[tuple[str, str | None, str | None]]:
        """(conversation, SLA due or None, waiting since) of the agent's conversations the SLA watch follows."""
        rows = self.db.reader().execute(
            "SELECT id, sla_due, first_response_at, waiting_since, created_at FROM conversations "
            "WHERE assignee_id=? AND is_open=1 AND status != 'pending'", (self.agent_id,)).fetchall()
        return [(r[0], r[1] if not str(r[1]).startswith("9999") else None, r[3] if r[2] else r[4]) for r in rows]

    def due_callbacks(self, now: datetime | None = None) -> list[dict[str, Any]]:
        return store.due_callbacks(self.db.reader(), self.agent_id, to_iso(now or utcnow()))

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        rows = self.db.reader().execute("SELECT * FROM customers WHERE id=?", (customer_id,)).fetchall()
        if not rows:
            return None
        names = [d[0] for d in self.db.reader().execute("SELECT * FROM customers LIMIT 0").description]
        row = dict(zip(names, rows[0], strict=True))
        for key in ("phones", "emails", "handles", "tags"):
            row[key] = json.loads(row[key] or "[]")
        return row

    def find_customers(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Customers whose name, phone or e-mail contains `text` (for linking an unknown caller)."""
        text = text.strip()
        if len(text) < 1:
            return []
        pattern = "%" + text.replace("%", "").replace("_", "") + "%"
        rows = self.db.reader().execute(
            "SELECT id, name, phones, emails FROM customers WHERE name LIKE ? OR phones LIKE ? OR emails LIKE ? "
            "ORDER BY name LIMIT ?", (pattern, pattern, pattern, limit)).fetchall()
        return [{"id": r[0], "name": r[1], "phones": ", ".join(json.loads(r[2] or "[]")),
                 "emails": ", ".join(json.loads(r[3] or "[]"))} for r in rows]

    def figures(self, customer_id: str) -> dict[str, Any]:
        return store.customer_figures(self.db.reader(), customer_id)

    def timeline(self, customer_id: str, before: tuple[str, str] | None = None, limit: int = 30) -> list[dict[str, Any]]:
        return store.customer_timeline(self.db.reader(), customer_id, before=before, limit=limit)

    def orders(self, customer_id: str) -> list[dict[str, Any]]:
        return store.customer_orders(self.db.reader(), customer_id)

    def notes(self, customer_id: str) -> list[dict[str, Any]]:
        return store.customer_notes(self.db.reader(), customer_id)

    def csat(self, conversation_id: str) -> dict[str, Any] | None:
        return store.csat_for(self.db.reader(), conversation_id)

    def offers(self) -> list[dict[str, Any]]:
        """Offers on my screen that have not expired yet."""
        now = now_iso()
        return [o for o in store.open_offers(self.db.reader(), self.agent_id)
                if not o.get("expires_at") or o["expires_at"] > now]

    def my_status(self) -> dict[str, Any]:
        return store.agent_status(self.db.reader(), self.agent_id) or {
            "id": self.agent_id, "state": self.agent.get("state") or AgentState.OFFLINE.value, "reason": "",
            "since": None, "capacity": {}, "load": {}}

    def facts(self, conversation_id: str) -> dict[str, Any] | None:
        """Workflow fields of a conversation (hand-off, disposition, FCR), local changes included."""
        data = store.conversation_facts(self.db.reader(), conversation_id)
        if data is None:
            return None
        data["fcr"] = fcr_state(resolved_at=data.get("resolved_at"), transfer_count=data.get("transfer_count", 0),
                                reopen_count=data.get("reopen_count", 0),
                                customer_contacts=data.get("customer_contacts", 1), now=utcnow())
        return data

    def agents(self) -> list[dict[str, Any]]:
        rows = self.db.reader().execute("SELECT id, name, state, queue_ids FROM agents ORDER BY name").fetchall()
        return [{"id": r[0], "name": r[1], "state": r[2], "queue_ids": r[3]} for r in rows]

    def message_marker(self, conversation_id: str) -> tuple[int, str | None]:
        return store.last_message_marker(self.db.reader(), conversation_id)

    def messages_since(self, conversation_id: str, after: str | None) -> list[dict[str, Any]]:
        return store.messages_after(self.db.reader(), conversation_id, after, self.agent_id)

    # -- acting ---------------------------------------------------------------------------------
    async def _write(self, fn: Any, *args: Any, what: str, conversation_id: str | None = None) -> Any:
        result = await asyncio.wrap_future(self.db.write(fn, *args))
        if conversation_id:
            self.conversations.conversation_changed.emit(conversation_id)
        self.conversations.outbox_changed.emit()   # the bridge nudges the sync engine
        self.changed.emit(what)
        return result

    async def resolve(self, conversation_id: str, disposition: str) -> str:
        """Resolve with a wrap-up code (checked against the backend's list)."""
        header = self.conversations.header(conversation_id)
        if header is None:
            raise KeyError(conversation_id)
        known = {d["id"] for d in self.dispositions()} or None
        check_change(header, {"status": "resolved", "disposition": disposition}, known)
        return await self.conversations.change(conversation_id, status="resolved", disposition=disposition)

    async def transfer(self, conversation_id: str, *, note: str, queue_id: str | None = None,
                       assignee_id: str | None = None, kind: str = "transfer") -> str:
        self._needs(Capability.HANDOFF)
        header = self.conversations.header(conversation_id)
        if header is None:
            raise KeyError(conversation_id)
        clean = check_handoff(header["status"], note, queue_id=queue_id, assignee_id=assignee_id,
                              current_queue=header.get("queue_id"), current_assignee=header.get("assignee_id"))
        payload = {"kind": kind, "queue_id": queue_id, "assignee_id": assignee_id, "note": clean}
        agent_name = str(self.agent.get("name", ""))

        def write(conn):  # type: ignore[no-untyped-def]
            key = outbox.enqueue_action(conn, TRANSFER, conversation_id, payload)
            records.write_message(conn, Message(
                id=f"local:{key}", conversation_id=conversation_id, kind="note", direction="out", body=clean,
                created_at=now_iso(), author_id=self.agent_id, author_name=agent_name, idempotency_key=key,
            ), pending=True)
            local = {"queue_id": queue_id or header.get("queue_id"), "assignee_id": assignee_id}
            records.patch_conversation_locally(conn, conversation_id, local)
            return key

        return await self._write(write, what="conversation", conversation_id=conversation_id)

    async def record_csat(self, conversation_id: str, score: int, comment: str = "") -> str:
        self._needs(Capability.CSAT)
        if not 1 <= score <= 5:
            raise ValueError("the score must be 1 to 5")
        header = self.conversations.header(conversation_id)
        if header is None:
            raise KeyError(conversation_id)
        payload = {"score": score, "comment": comment.strip(), "source": "agent"}

        def write(conn):  # type: ignore[no-untyped-def]
            key = outbox.enqueue_action(conn, CSAT, conversation_id, payload)
            store.add_local_csat(conn, key, {"conversation_id": conversation_id, "customer_id": header["customer_id"],
                                             "score": score, "comment": payload["comment"], "source": "agent",
                                             "agent_id": self.agent_id, "created_at": now_iso()})
            if care.needs_follow_up(score):  # shown at once; the server's own follow-up replaces it
                store.add_local_callback(conn, key, {
                    "customer_id": header["customer_id"], "conversation_id": conversation_id,
                    "agent_id": self.agent_id, "reason": "csat",
                    "due_at": to_iso(care.follow_up_due(utcnow(), self.conversations.business_hours(header.get("queue_id")))),
                    "note": f"CSAT {score}/5", "created_at": now_iso()})
            return key

        return await self._write(write, what="csat", conversation_id=conversation_id)

    async def schedule_callback(self, customer_id: str, due_at: datetime, note: str = "",
                                conversation_id: str | None = None) -> str:
        self._needs(Capability.CALLBACKS)
        if due_at <= utcnow():
            raise ValueError("choose a time in the future")
        payload = {"customer_id": customer_id, "conversation_id": conversation_id, "due_at": to_iso(due_at),
                   "note": note.strip()}

        def write(conn):  # type: ignore[no-untyped-def]
            key = outbox.enqueue_action(conn, CALLBACK_CREATE, conversation_id or "", payload)
            store.add_local_callback(conn, key, {**payload, "agent_id": self.agent_id, "reason": "manual",
                                                 "created_at": now_iso()})
            return key

        return await self._write(write, what="callbacks")

    async def callback_outcome(self, callback_id: str, outcome: str, *, note: str = "",
                               due_at: datetime | None = None) -> str:
        self._needs(Capability.CALLBACKS)
        now = utcnow()
        next_due = care.reschedule_due(outcome, now, due_at)   # raises ValueError with the reason
        payload = {"id": callback_id, "outcome": outcome, "note": note.strip(),
                   "due_at": to_iso(due_at) if due_at else None}
        fields: dict[str, Any] = {"status": "done", "completed_at": to_iso(now)} if next_due is None else {
            "status": "scheduled", "due_at": to_iso(next_due)}
        if note.strip():
            fields["outcome_note"] = note.strip()

        def write(conn):  # type: ignore[no-untyped-def]
            key = outbox.enqueue_action(conn, CALLBACK_OUTCOME, "", payload)
            store.set_local_callback(conn, callback_id, key, fields)
            return key

        return await self._write(write, what="callbacks")

    async def add_note(self, customer_id: str, body: str) -> str:
        self._needs(Capability.CUSTOMERS)
        if not body.strip():
            raise ValueError("the note is empty")

        def write(conn):  # type: ignore[no-untyped-def]
            key = outbox.enqueue_action(conn, NOTE_ADD, "", {"customer_id": customer_id, "body": body.strip()})
            store.add_local_note(conn, key, {"customer_id": customer_id, "body": body.strip(),
                                             "author_id": self.agent_id, "author_name": str(self.agent.get("name", "")),
                                             "created_at": now_iso(), "updated_at": now_iso()})
            return key

        return await self._write(write, what="notes")

    async def edit_note(self, note_id: str, body: str) -> str:
        self._needs(Capability.CUSTOMERS)
        if not body.strip():
            raise ValueError("the note is empty")

        def write(conn):  # type: ignore[no-untyped-def]
            key = outbox.enqueue_action(conn, NOTE_EDIT, "", {"id": note_id, "body": body.strip()})
            store.set_local_note(conn, note_id, key, body.strip(), now_iso())
            return key

        return await self._write(write, what="notes")

    async def set_tags(self, customer_id: str, tags: list[str]) -> str:
        self._needs(Capability.CUSTOMERS)
        clean = list(dict.fromkeys(t.strip() for t in tags if t.strip()))

        def write(conn):  # type: ignore[no-untyped-def]
            key = outbox.enqueue_action(conn, TAGS, "", {"customer_id": customer_id, "tags": clean})
            store.set_local_customer_tags(conn, customer_id, clean)
            return key

        return await self._write(write, what="customer")

    async def set_state(self, state: str, reason: str = "") -> str:
        if state not in AgentState.values():
            raise ValueError(f"unknown state {state!r}")

        synced = self.supports(Capability.AGENT_STATE)

        def write(conn):  # type: ignore[no-untyped-def]
            # Without agent states on the server the state is the agent's own (ACW countdown, breaks).
            key = outbox.enqueue_action(conn, STATUS, "", {"state": state, "reason": reason}) if synced else ""
            store.set_local_status(conn, self.agent_id, key or None, state, reason, now_iso())
            return key

        return await self._write(write, what="status")

    async def answer_offer(self, offer_id: str, accept: bool) -> str:
        self._needs(Capability.OFFERS)
        def write(conn):  # type: ignore[no-untyped-def]
            key = outbox.enqueue_action(conn, OFFER, "", {"id": offer_id, "accept": accept})
            store.set_local_offer(conn, offer_id, "accepted" if accept else "declined")
            return key

        return await self._write(write, what="offers")

    async def link_customer(self, conversation_id: str, customer_id: str) -> str:
        self._needs(Capability.CUSTOMERS)
        def write(conn):  # type: ignore[no-untyped-def]
            key = outbox.enqueue_action(conn, LINK, conversation_id, {"customer_id": customer_id})
            conn.execute("UPDATE conversations SET customer_id=? WHERE id=?", (customer_id, conversation_id))
            return key

        return await self._write(write, what="customer", conversation_id=conversation_id)

    # -- 412 conflicts: both versions shown, the agent decides ------------------------------------
    def conflicts(self, conversation_id: str) -> list[dict[str, Any]]:
        rows = self.db.reader().execute(
            "SELECT key, payload, server_state, last_error FROM outbox WHERE conversation_id=? AND state='conflict' "
            "ORDER BY seq", (conversation_id,)).fetchall()
        return [{"key": r[0], "mine": json.loads(r[1]), "server": json.loads(r[2]) if r[2] else {},
                 "error": r[3]} for r in rows]

    async def resolve_conflict(self, conversation_id: str, key: str, *, keep_mine: bool) -> None:
        """Keep mine: send it again on top of the server's current version. Else: drop mine."""
        def write(conn):  # type: ignore[no-untyped-def]
            row = conn.execute("SELECT payload, server_state FROM outbox WHERE key=? AND state='conflict'",
                               (key,)).fetchone()
            if row is None:
                return
            if keep_mine:
                server = json.loads(row[1]) if row[1] else {}
                conn.execute("UPDATE outbox SET state='queued', base_version=?, next_attempt_at=0, last_error=NULL "
                             "WHERE key=?", (server.get("version"), key))
                records.patch_conversation_locally(conn, conversation_id, json.loads(row[0]))
            else:
                outbox.mark_sent(conn, key)
                records.restore_server_state(conn, conversation_id)

        await self._write(write, what="conversation", conversation_id=conversation_id)

    async def create_customer(self, conversation_id: str, *, name: str, company: str = "", phone: str = "",
                              email: str = "") -> str:
        """An unknown caller is a new customer: create them on the server and link the conversation."""
        self._needs(Capability.CUSTOMERS)
        if not name.strip():
            raise ValueError("the customer needs a name")
        payload = {"name": name.strip(), "company": company.strip(), "phone": phone.strip() or None,
                   "email": email.strip() or None}

        def write(conn):  # type: ignore[no-untyped-def]
            return outbox.enqueue_action(conn, CREATE_CUSTOMER, conversation_id, payload)

        return await self._write(write, what="customer", conversation_id=conversation_id)

    async def presence(self, conversation_id: str, activity: str) -> list[dict[str, Any]] | None:
        """Tell the server we are viewing/replying; returns the others, or None when offline or
        when the backend has no presence."""
        if Capability.PRESENCE not in capabilities_of(self.backend):
            return None
        presence = require(self.backend, Capability.PRESENCE, Presence)
        try:
            return await asyncio.get_event_loop().run_in_executor(
                self._presence_pool, presence.heartbeat, conversation_id, activity)
        except (BackendError, RuntimeError):
            return None

    def close(self) -> None:
        self._presence_pool.shutdown(wait=False, cancel_futures=True)


def is_due(callback: dict[str, Any], now: datetime) -> bool:
    try:
        return callback.get("status") == "scheduled" and parse_iso(callback["due_at"]) <= now
    except (KeyError, ValueError):
        return False


# -- how the queued actions go out (sync engine push, worker thread) -------------------------------


def _apply(engine: SyncEngine, conn: Any, found: list[Record]) -> None:
    """What the server answered, through the same writers as the change feed."""
    for record in found:
        engine.schema.apply_change(conn, {"entity": record.entity, "id": record.id, "op": "upsert",
                                          "data": record.data}, store_changes.ApplyResult())


def _done(engine: SyncEngine, item: outbox.OutboxItem, commit: Callable[[Any], None]) -> None:
    """Mark the item sent and commit what the server answered, in one transaction."""
    def write(conn):  # type: ignore[no-untyped-def]
        outbox.mark_sent(conn, item.key)
        commit(conn)

    engine.db.write_sync(write)


def _send_transfer(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    p = item.payload
    found = require(engine.backend, Capability.HANDOFF, HandOffs).transfer(
        item.conversation_id, kind=p.get("kind", "transfer"), queue_id=p.get("queue_id"),
        assignee_id=p.get("assignee_id"), note=p.get("note") or "", key=item.key)
    _done(engine, item, lambda conn: _apply(engine, conn, found))


def _send_csat(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    found = require(engine.backend, Capability.CSAT, Surveys).record_csat(item.conversation_id, item.payload, item.key)

    def commit(conn):  # type: ignore[no-untyped-def]
        store.forget_local(conn, "csat", item.key)
        store.forget_local(conn, "callbacks", item.key)
        _apply(engine, conn, found)

    _done(engine, item, commit)


def _send_callback_create(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    found = require(engine.backend, Capability.CALLBACKS, Callbacks).create_callback(item.payload, item.key)

    def commit(conn):  # type: ignore[no-untyped-def]
        store.forget_local(conn, "callbacks", item.key)
        _apply(engine, conn, found)
        for record in found:  # outcomes queued against our local id now name the server's
            for seq, payload in conn.execute("SELECT seq, payload FROM outbox WHERE action=? AND state='queued'",
                                             (CALLBACK_OUTCOME,)).fetchall():
                if f'"local:{item.key}"' in payload:
                    conn.execute("UPDATE outbox SET payload=? WHERE seq=?",
                                 (payload.replace(f"local:{item.key}", record.id), seq))

    _done(engine, item, commit)


def _send_callback_outcome(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    fields = dict(item.payload)
    callback_id = fields.pop("id")
    found = require(engine.backend, Capability.CALLBACKS, Callbacks).callback_outcome(callback_id, fields, item.key)
    _done(engine, item, lambda conn: _apply(engine, conn, found))


def _send_note(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    found = require(engine.backend, Capability.CUSTOMERS, CustomerRecords).add_customer_note(
        item.payload["customer_id"], item.payload["body"], item.key)

    def commit(conn):  # type: ignore[no-untyped-def]
        store.forget_local(conn, "customer_notes", item.key)
        _apply(engine, conn, found)

    _done(engine, item, commit)


def _send_note_edit(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    found = require(engine.backend, Capability.CUSTOMERS, CustomerRecords).edit_customer_note(
        item.payload["id"], item.payload["body"], item.key)
    _done(engine, item, lambda conn: _apply(engine, conn, found))


def _send_tags(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    found = require(engine.backend, Capability.CUSTOMERS, CustomerRecords).set_customer_tags(
        item.payload["customer_id"], item.payload["tags"], item.key)
    _done(engine, item, lambda conn: _apply(engine, conn, found))


def _send_status(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    found = require(engine.backend, Capability.AGENT_STATE, AgentStates).set_agent_status(item.payload, item.key)

    def commit(conn):  # type: ignore[no-untyped-def]
        conn.execute("UPDATE agent_statuses SET pending_key=NULL WHERE pending_key=?", (item.key,))
        _apply(engine, conn, found)

    _done(engine, item, commit)


def _send_offer(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    offers = require(engine.backend, Capability.OFFERS, Offers)
    try:
        found = offers.answer_offer(item.payload["id"], bool(item.payload.get("accept")), item.key)
    except Rejected:
        # The offer expired or went elsewhere meanwhile: nothing for the agent to fix, just drop it.
        _done(engine, item, lambda conn: store.set_local_offer(conn, item.payload["id"], "expired"))
        return
    _done(engine, item, lambda conn: _apply(engine, conn, found))


def _send_link(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    found = require(engine.backend, Capability.CUSTOMERS, CustomerRecords).link_customer(
        item.conversation_id, item.payload["customer_id"], item.key)
    _done(engine, item, lambda conn: _apply(engine, conn, found))


def _send_create_customer(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    # A retry repeats both calls with the same key: the server replays the customer it created first.
    customers = require(engine.backend, Capability.CUSTOMERS, CustomerRecords)
    customer = customers.create_customer(item.payload, item.key)
    found = customers.link_customer(item.conversation_id, customer.id, item.key)
    _done(engine, item, lambda conn: _apply(engine, conn, [customer, *found]))


FEATURE = Feature(
    name="workflow",
    entities=store.ENTITIES,
    actions=(
        Action(TRANSFER, _send_transfer, Capability.HANDOFF), Action(CSAT, _send_csat, Capability.CSAT),
        Action(CALLBACK_CREATE, _send_callback_create, Capability.CALLBACKS),
        Action(CALLBACK_OUTCOME, _send_callback_outcome, Capability.CALLBACKS),
        Action(NOTE_ADD, _send_note, Capability.CUSTOMERS), Action(NOTE_EDIT, _send_note_edit, Capability.CUSTOMERS),
        Action(TAGS, _send_tags, Capability.CUSTOMERS), Action(STATUS, _send_status, Capability.AGENT_STATE),
        Action(OFFER, _send_offer, Capability.OFFERS), Action(LINK, _send_link, Capability.CUSTOMERS),
        Action(CREATE_CUSTOMER, _send_create_customer, Capability.CUSTOMERS),
    ),
)
