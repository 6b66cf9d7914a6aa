"""A feature's part of the feed and of the outbox, declared in one object.

Each feature module (services/workflow.py, services/knowledge.py, the core below) declares its
`FEATURE`: the feed entities it stores (parser, writer, table: `store.changes.EntitySpec`), the
outbox actions it sends and the backend capability each needs, and what a resync must do beyond
emptying its tables. The composition root (services/session.py) hands the list to the sync
engine; nothing is registered as a side effect of importing a module.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..backends.base import Capability
from ..store import outbox
from ..store.changes import EntitySpec, FeedSchema

if TYPE_CHECKING:
    from .sync_engine import SyncEngine

# How an outbox item goes out: send it with the item's idempotency key through the backend's named
# operation, then commit the answer together with `outbox.mark_sent` in one `engine.db.write_sync`.
# Errors are BackendError subclasses (anything else fails the item with its reason).
ActionHandler = Callable[["SyncEngine", outbox.OutboxItem], None]


@dataclass(frozen=True)
class Action:
    name: str
    send: ActionHandler
    needs: Capability = Capability.CORE


@dataclass(frozen=True)
class Feature:
    name: str
    entities: tuple[EntitySpec, ...] = ()
    actions: tuple[Action, ...] = ()
    # Run before a resync empties the entities' tables: the feature's own indexes and local rows.
    resync: Callable[[sqlite3.Connection], None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# Files on messages and HTML replies: no feed entities or outbox actions of their own (files
# travel with replies and notes, services/attachments.py); greyed out without the capability.
ATTACHMENTS = Feature(name="attachments", extra={"needs": Capability.ATTACHMENTS})


def default_features() -> Sequence[Feature]:
    """Every feature of the app, in the order their actions and entities are looked up. Imported
    here, not at the top: the feature modules import the sync engine, which imports this."""
    from .core_feature import FEATURE as core
    from .knowledge import FEATURE as knowledge
    from .workflow import FEATURE as workflow

    return (core, workflow, knowledge, ATTACHMENTS)


def feed_schema(features: Sequence[Feature]) -> FeedSchema:
    """The store's view of these features: their entities and their resync hooks."""
    return FeedSchema((spec for feature in features for spec in feature.entities),
                      [feature.resync for feature in features if feature.resync is not None])
