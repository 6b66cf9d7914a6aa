"""Callbacks (回访) for the UI: the agent's list and what is due, scheduling one and recording its
outcome (done, or rescheduled). Written locally with the outbox row; services/workflow FEATURE
sends them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..backends.base import Capability
from ..domain import care
from ..domain.timeutil import now_iso, parse_iso, to_iso, utcnow
from ..store import outbox
from ..store import workflow as store
from .workflow_base import CALLBACK_CREATE, CALLBACK_OUTCOME, QueuedActions


class CallbackService(QueuedActions):
    """`changed` says "callbacks"."""

    def callbacks(self, *, mine_only: bool = True, include_done: bool = False) -> list[dict[str, Any]]:
        return store.callbacks(self.db.reader(), self.agent_id if mine_only else None, include_done=include_done)

    def due_callbacks(self, now: datetime | None = None) -> list[dict[str, Any]]:
        return store.due_callbacks(self.db.reader(), self.agent_id, to_iso(now or utcnow()))

    async def schedule_callback(self, customer_id: str, due_at: datetime, note: str = "",
                                conversation_id: str | None = None) -> str:
        self._needs(Capability.CALLBACKS)
        if due_at <= utcnow():
            raise ValueError("choose a time in the future")
        payload = {"customer_id": customer_id, "conversation_id": conversation_id, "due_at": to_iso(due_at),
                   "note": note.strip()}

        def write(conn):
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

        def write(conn):
            key = outbox.enqueue_action(conn, CALLBACK_OUTCOME, "", payload)
            store.set_local_callback(conn, callback_id, key, fields)
            return key

        return await self._write(write, what="callbacks")


def is_due(callback: dict[str, Any], now: datetime) -> bool:
    try:
        return callback.get("status") == "scheduled" and parse_iso(callback["due_at"]) <= now
    except (KeyError, ValueError):
        return False

