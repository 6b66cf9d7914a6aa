"""The ticket workflow for the UI: wrap-up and resolve, transfer/escalate, CSAT, 412 conflicts and
a conversation's workflow facts; and the workflow feature (`FEATURE`): its feed entities and every
outbox action's send handler, for this service's actions and for those of the services beside it
(customer_records, callbacks, agent_state; presence is live only and queues nothing).
Reads are indexed lookups on the calling thread; every action is written locally with its outbox
row in one transaction and sent by the sync engine, so it works offline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..backends.base import Capability, Rejected
from ..backends.protocols import (
    AgentStates,
    Callbacks,
    CustomerRecords,
    HandOffs,
    Offers,
    Record,
    Surveys,
    require,
)
from ..domain import care
from ..domain.fcr import fcr_state
from ..domain.records import Message
from ..domain.timeutil import now_iso, to_iso, utcnow
from ..domain.workflow import check_change, check_handoff
from ..store import changes as store_changes
from ..store import outbox, outbox_repair, records
from ..store import workflow as store
from .features import Action, Feature
from .sync_engine import SyncEngine
from .workflow_base import (
    CALLBACK_CREATE,
    CALLBACK_OUTCOME,
    CREATE_CUSTOMER,
    CSAT,
    LINK,
    NOTE_ADD,
    NOTE_EDIT,
    OFFER,
    STATUS,
    TAGS,
    TRANSFER,
    QueuedActions,
)


class WorkflowService(QueuedActions):
    """`changed` says "conversation" or "csat"."""

    # -- reads ----------------------------------------------------------------------------------
    def dispositions(self) -> list[dict[str, Any]]:
        return store.dispositions(self.db.reader())

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

    def csat(self, conversation_id: str) -> dict[str, Any] | None:
        return store.csat_for(self.db.reader(), conversation_id)

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

        def write(conn):
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

        def write(conn):
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

    # -- 412 conflicts: both versions shown, the agent decides ------------------------------------
    def conflicts(self, conversation_id: str) -> list[dict[str, Any]]:
        rows = self.db.reader().execute(
            "SELECT key, payload, server_state, last_error, base_state FROM outbox WHERE conversation_id=? "
            "AND state='conflict' ORDER BY seq", (conversation_id,)).fetchall()
        return [{"key": r[0], "mine": json.loads(r[1]), "server": json.loads(r[2]) if r[2] else {},
                 "error": r[3], "base": json.loads(r[4]) if r[4] else None} for r in rows]

    async def resolve_conflict(self, conversation_id: str, key: str, *, keep_mine: bool) -> None:
        """Keep mine: send it again, re-based on the server's state the agent just compared it with
        (one rule with the Outbox's "keep mine", store/outbox_repair.py). Else: drop mine."""
        def write(conn):
            row = conn.execute("SELECT 1 FROM outbox WHERE key=? AND state='conflict'", (key,)).fetchone()
            if row is None:
                return
            if keep_mine:
                outbox_repair.keep_mine(conn, key)
            else:
                outbox_repair.take_theirs(conn, key)   # shows the server's state again

        await self._write(write, what="conversation", conversation_id=conversation_id)


# -- how the queued actions go out (sync engine push, worker thread) -------------------------------


def _apply(engine: SyncEngine, conn: Any, found: list[Record]) -> None:
    """What the server answered, through the same writers as the change feed."""
    for record in found:
        engine.schema.apply_change(conn, {"entity": record.entity, "id": record.id, "op": "upsert",
                                          "data": record.data}, store_changes.ApplyResult())


def _done(engine: SyncEngine, item: outbox.OutboxItem, commit: Callable[[Any], None]) -> None:
    """Mark the item sent and commit what the server answered, in one transaction."""
    def write(conn):
        outbox.mark_sent(conn, item.key)
        commit(conn)

    engine.db.write_sync(write)


def _send_transfer(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    p = item.payload
    handoffs = require(engine.backend, Capability.HANDOFF, HandOffs)
    found = handoffs.transfer(
        item.conversation_id, kind=p.get("kind", "transfer"), queue_id=p.get("queue_id"),
        assignee_id=p.get("assignee_id"), note=p.get("note") or "", key=item.key, **engine.resend_hint(item))
    _done(engine, item, lambda conn: _apply(engine, conn, found))


def _send_csat(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    found = require(engine.backend, Capability.CSAT, Surveys).record_csat(item.conversation_id, item.payload, item.key)

    def commit(conn):
        store.forget_local(conn, "csat", item.key)
        store.forget_local(conn, "callbacks", item.key)
        _apply(engine, conn, found)

    _done(engine, item, commit)


def _send_callback_create(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    found = require(engine.backend, Capability.CALLBACKS, Callbacks).create_callback(item.payload, item.key)

    def commit(conn):
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

    def commit(conn):
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

    def commit(conn):
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
