"""Applying one pulled batch of the changes feed, together with its cursor, atomically."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..domain.records import PARSERS, InvalidRecord, Message, parse_message
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


def _checked(conn: sqlite3.Connection, change: Any, result: ApplyResult) -> tuple[str, str, Any] | None:
    """(entity, id, op) of a well-formed change of a known entity; else counted and None."""
    if not isinstance(change, dict):
        result.invalid += 1
        _record_invalid(conn, "?", "?", "a change is not an object")
        return None
    entity, record_id, op = change.get("entity"), change.get("id"), change.get("op")
    if not isinstance(entity, str) or not isinstance(record_id, str) or not record_id or len(record_id) > 128:
        result.invalid += 1
        _record_invalid(conn, str(entity), str(record_id), "change without a valid entity or id")
        return None
    if entity not in _WRITERS:
        result.ignored += 1  # an entity this client version does not know yet
        return None
    return entity, record_id, op


def _count_applied(result: ApplyResult, entity: str, record_id: str, conversation_id: str | None) -> None:
    result.applied += 1
    result.entities.add(entity)
    if conversation_id:
        result.conversation_ids.add(conversation_id)
    if entity == "customer":
        result.customer_ids.add(record_id)


def apply_change(conn: sqlite3.Connection, change: Any, result: ApplyResult) -> None:
    checked = _checked(conn, change, result)
    if checked is None:
        return
    entity, record_id, op = checked
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
    _count_applied(result, entity, record_id, touched_conversation)


def _is_message_upsert(change: Any) -> bool:
    return isinstance(change, dict) and change.get("entity") == "message" and change.get("op") == "upsert"


def apply_batch(conn: sqlite3.Connection, changes: list[Any], cursor: str | None, *,
                bulk_messages: bool = False) -> ApplyResult:
    """Apply every valid change and move the cursor, in the caller's one transaction.

    A malformed record is logged, counted in `invalid_records` and skipped; the cursor still
    moves past it, so one bad record never wedges the feed. `bulk_messages` (only while no
    message is indexed) writes each run of message upserts with one statement, in feed order.
    """
    result = ApplyResult()
    run: list[Message] = []
    for change in changes:
        if bulk_messages and _is_message_upsert(change):
            checked = _checked(conn, change, result)
            if checked is None:
                continue
            try:
                run.append(parse_message(checked[1], change.get("data")))
            except InvalidRecord as exc:
                result.invalid += 1
                _record_invalid(conn, "message", checked[1], str(exc))
            continue
        if run:
            _write_run(conn, run, result)
            run = []
        apply_change(conn, change, result)
    if run:
        _write_run(conn, run, result)
    if cursor is not None:
        meta.put(conn, meta.CURSOR, cursor)
    meta.put(conn, meta.LAST_SYNC_AT, now_iso())
    return result


def _write_run(conn: sqlite3.Connection, run: list[Message], result: ApplyResult) -> None:
    records.write_messages_unindexed(conn, run)
    for message in run:
        _count_applied(result, "message", message.id, message.conversation_id)
