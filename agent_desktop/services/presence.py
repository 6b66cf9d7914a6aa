"""Presence: tell the server the agent is viewing or replying to a conversation, and hear who else
is. Live only (a heartbeat means nothing later), so it goes straight to the backend on its own
one-thread pool, never through the outbox."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..backends.base import BackendError, Capability, capabilities_of
from ..backends.protocols import Presence, require


class PresenceService:
    def __init__(self, backend: Any) -> None:
        self.backend = backend
        # One thread: heartbeats go out in order and never queue behind the sync engine's calls.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="presence")

    async def heartbeat(self, conversation_id: str, activity: str) -> list[dict[str, Any]] | None:
        """Tell the server we are viewing/replying; returns the others, or None when offline or
        when the backend has no presence."""
        if Capability.PRESENCE not in capabilities_of(self.backend):
            return None
        presence = require(self.backend, Capability.PRESENCE, Presence)
        try:
            return await asyncio.get_event_loop().run_in_executor(
                self._pool, presence.heartbeat, conversation_id, activity)
        except (BackendError, RuntimeError):
            return None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
