"""The agent's own state (available, busy, break, after-contact work) and the routing offers on
their screen. A state change is written locally and, when the backend has agent states, queued for
the server; services/workflow FEATURE sends it."""

from __future__ import annotations

from typing import Any

from ..backends.base import Capability
from ..domain.enums import AgentState
from ..domain.timeutil import now_iso
from ..store import outbox
from ..store import workflow as store
from .workflow_base import OFFER, STATUS, QueuedActions


class AgentStateService(QueuedActions):
    """`changed` says "status" or "offers"."""

    def my_status(self) -> dict[str, Any]:
        return store.agent_status(self.db.reader(), self.agent_id) or {
            "id": self.agent_id, "state": self.agent.get("state") or AgentState.OFFLINE.value, "reason": "",
            "since": None, "capacity": {}, "load": {}}

    def offers(self) -> list[dict[str, Any]]:
        """Offers on my screen that have not expired yet."""
        now = now_iso()
        return [o for o in store.open_offers(self.db.reader(), self.agent_id)
                if not o.get("expires_at") or o["expires_at"] > now]

    async def set_state(self, state: str, reason: str = "") -> str:
        if state not in AgentState.values():
            raise ValueError(f"unknown state {state!r}")

        synced = self.supports(Capability.AGENT_STATE)

        def write(conn):
            # Without agent states on the server the state is the agent's own (ACW countdown, breaks).
            key = outbox.enqueue_action(conn, STATUS, "", {"state": state, "reason": reason}) if synced else ""
            store.set_local_status(conn, self.agent_id, key or None, state, reason, now_iso())
            return key

        return await self._write(write, what="status")

    async def answer_offer(self, offer_id: str, accept: bool) -> str:
        self._needs(Capability.OFFERS)
        def write(conn):
            key = outbox.enqueue_action(conn, OFFER, "", {"id": offer_id, "accept": accept})
            store.set_local_offer(conn, offer_id, "accepted" if accept else "declined")
            return key

        return await self._write(write, what="offers")

