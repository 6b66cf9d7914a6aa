"""The core feature: conversations, messages, customers, queues and agents in the feed; replies,
notes and ticket changes in the outbox. Every backend offers it (the `Backend` protocol)."""

from __future__ import annotations

from ..backends.base import Capability
from ..store.changes import CORE_ENTITIES
from .features import Action, Feature
from .sync_engine import SyncEngine, reset_core_for_resync

FEATURE = Feature(
    name="core",
    entities=CORE_ENTITIES,
    actions=(Action("reply", SyncEngine._send_message, Capability.CORE),
             Action("note", SyncEngine._send_message, Capability.CORE),
             Action("patch", SyncEngine._send_patch, Capability.CORE)),
    resync=reset_core_for_resync,
)
