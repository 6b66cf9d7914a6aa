"""Applying one pulled batch of the changes feed, together with its cursor, atomically."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..domain.records import PARSERS, InvalidRecord
from ..domain.timeutil import now_iso
from . import meta, records

log = logging.getLogger(__name__)

_WRITERS = {
    "customer": records.write_customer,
    "conversation": records.write_conversation,
    "message": records.write_message,
    "queue": records.write_queue,
    "agent": records.write_agent,
}
_DELETERS = {
    "customer": records.delete_customer,
    "conversation": records.delete_conversation,
    "message": records.delete_message,
    "queue": lambda conn, rid: conn.execute("DELETE FROM queues WHERE id=?", (rid,)),
    "agent": lambda conn, rid: conn.execute("DELETE FROM agents WHERE id=?", (rid,)),
}


_PARSERS: dict[str, Callable[[str, Any], Any]] = dict(PARSERS)


def register_entity(entity: str, parse: Callable[[str, Any], Any],
                    write: Callable[[sqlite3.Connection, Any], Any],
                    delete: Callable[[sqlite3.Connection, str], Any]) -> None:
    """Teach the feed a new entity: `parse(id, data)` validates (raising InvalidRecord),
    `write(conn, record)` stores, `delete(conn, id)` removes. Call at import of the feature's store module."""
    _PARSERS[entity] = parse
    _WRITERS[entity] = write
    _DELETERS[entity] = delete


@dataclass
class ApplyResult:
    applied: int = 0
    invalid: int = 0
    ignored: int = 0
    conversation_ids: set[str] = field(default_factory=set)
    customer_ids: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)

    def merge(self, other: ApplyResult) -> None:
        self.applied += other.applied
        self.invalid += other.invalid
        self.ignored += other.ignored
        self.conversation_ids |= other.conversation_ids
        self.customer_ids |= other.customer_ids
        self.entities |= other.entities


def _record_invalid(conn: sqlite3.Connection, entity: str, entity_id: str, error: str) -> None:
    log.warning("skipped a malformed %s %r from the server: %s", entity, entity_id, error)
    conn.execute("INSERT INTO invalid_records(entity, entity_id, error, seen_at) VALUES(?,?,?,?)",
                 (entity[:64], entity_id[:128], error[:500], now_iso()))


def apply_change(conn: sqlite3.Connection, change: Any, result: ApplyResult) -> None:
    if not isinstance(change, dict):
        result.invalid += 1
        _record_invalid(conn, "?", "?", "a change is not an object")
        return
    entity, record_id, op = change.get("entity"), change.get("id"), change.get("op")
    if not isinstance(entity, str) or not isinstance(record_id, str) or not record_id or len(record_id) > 128:
        result.invalid += 1
        _record_invalid(conn, str(entity), str(record_id), "change without a valid entity or id")
        return
    if entity not in _WRITERS:
        result.ignored += 1  # an entity this client version does not know yet
        return
    try:
        if op == "delete":
            _DELETERS[entity](conn, record_id)
            touched_conversation = record_id if entity == "conversation" else None
        elif op == "upsert":
            record = _PARSERS[entity](record_id, change.get("data"))
            _WRITERS[entity](conn, record)
            touched_conversation = {"conversation": record_id,
                                    "message": getattr(record, "conversation_id", None)}.get(entity)
        else:
            raise InvalidRecord(f"unknown op {op!r}")
    except InvalidRecord as exc:
        result.invalid += 1
        _record_invalid(conn, entity, record_id, str(exc))
        return
    result.applied += 1
    result.entities.add(entity)
    if touched_conversation:
        result.conversation_ids.add(touched_conversation)
    if entity == "customer":
        result.customer_ids.add(record_id)


def apply_batch(conn: sqlite3.Connection, changes: list[Any], cursor: str | None) -> ApplyResult:
    """Apply every valid change and move the cursor, in the caller's one transaction.

    A malformed record is logged, counted in `invalid_records` and skipped; the cursor still
    moves past it, so one bad record never wedges the feed.
    """
    result = ApplyResult()
    for change in changes:
        apply_change(conn, change, result)
    if cursor is not None:
        meta.put(conn, meta.CURSOR, cursor)
    meta.put(conn, meta.LAST_SYNC_AT, now_iso())
    return result
