"""An action waiting for the server, as the outbox holds it (store/outbox.py keeps them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

QUEUED = "queued"
FAILED = "failed"        # the server refused it (4xx): shown to the user, never dropped silently
CONFLICT = "conflict"    # 412: the server's state changed under us; the user chooses


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    key: str
    action: str            # reply | note | patch | a feature's own (services/features.py)
    conversation_id: str
    payload: dict[str, Any]
    base_version: int | None
    state: str
    attempts: int
    next_attempt_at: float
    last_error: str | None
    created_at: str
    # A ticket change's base: each changed field as the agent saw it (domain/concurrency.py).
    # None for other actions, and for changes queued by builds before per-field concurrency.
    base_state: dict[str, Any] | None = None
    # When an attempt was first sent to a backend without idempotency keys (None: never), so
    # the next attempt knows its write may have landed and looks for it first.
    send_started_at: str | None = None
