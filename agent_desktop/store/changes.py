"""Applying one pulled batch of the changes feed, together with its cursor, atomically."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..domain.records import PARSERS, InvalidRecord, Message, parse_message
from ..domain.timeutil import now_iso
from . import meta, records

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class EntitySpec:
    """One entity of the feed: how its records are validated, stored and removed, and the table
    they live in (a resync empties it, keeping rows of changes still waiting in the outbox)."""

    name: str
    parse: Callable[[str, Any], Any]        # (id, data) -> record; raises InvalidRecord
    write: Callable[[sqlite3.Connection, Any], Any]
    delete: Callable[[sqlite3.Connection, str], Any]
    table: str


def delete_from(table: str) -> Callable[[sqlite3.Connection, str], Any]:
    return lambda conn, record_id: conn.execute(f"DELETE FROM {table} WHERE id=?", (record_id,))


CORE_ENTITIES = (
    EntitySpec("customer", PARSERS["customer"], records.write_customer, records.delete_customer, "customers"),
    EntitySpec("conversation", PARSERS["conversation"], records.write_conversation, records.delete_conversation,
               "conversations"),
    EntitySpec("message", PARSERS["message"], records.write_message, records.delete_message, "messages"),
    EntitySpec("queue", PARSERS["queue"], records.write_queue, delete_from("queues"), "queues"),
    EntitySpec("agent", PARSERS["agent"], records.write_agent, delete_from("agents"), "agents"),
)


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


def _count_applied(result: ApplyResult, entity: str, record_id: str, conversation_id: str | None) -> None:
    result.applied += 1
    result.entities.add(entity)
    if conversation_id:
        result.conversation_ids.add(conversation_id)
    if entity == "customer":
        result.customer_ids.add(record_id)


def _is_message_upsert(change: Any) -> bool:
    return isinstance(change, dict) and change.get("entity") == "message" and change.get("op") == "upsert"


class FeedSchema:
    """The entities this client knows, given by the composition root from its features: a change
    of another entity (a newer server's) is counted and skipped."""

    def __init__(self, entities: Iterable[EntitySpec],
                 resets: Iterable[Callable[[sqlite3.Connection], None]] = ()) -> None:
        self.entities = {spec.name: spec for spec in entities}
        self._resets = tuple(resets)

    def reset(self, conn: sqlite3.Connection) -> None:
        """Before a resync (410): forget every server-derived row of every entity, keeping what is
        still waiting to be sent (rows marked by a `pending_key`, our unsent messages: the outbox
        holds their changes). Features with their own indexes do that part in their reset hooks."""
        for hook in self._resets:
            hook(conn)
        for spec in self.entities.values():
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info({spec.table})")}
            if "pending_key" in columns:
                conn.execute(f"DELETE FROM {spec.table} WHERE pending_key IS NULL")
            elif "pending" in columns:
                conn.execute(f"DELETE FROM {spec.table} WHERE pending = 0")
            else:
                conn.execute(f"DELETE FROM {spec.table}")

    def _checked(self, conn: sqlite3.Connection, change: Any, result: ApplyResult) -> tuple[str, str, Any] | None:
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
        if entity not in self.entities:
            result.ignored += 1  # an entity this client version does not know yet
            return None
        return entity, record_id, op

    def apply_change(self, conn: sqlite3.Connection, change: Any, result: ApplyResult) -> None:
        checked = self._checked(conn, change, result)
        if checked is None:
            return
        entity, record_id, op = checked
        spec = self.entities[entity]
        try:
            if op == "delete":
                spec.delete(conn, record_id)
                touched_conversation = record_id if entity == "conversation" else None
            elif op == "upsert":
                record = spec.parse(record_id, change.get("data"))
                spec.write(conn, record)
                touched_conversation = {"conversation": record_id,
                                        "message": getattr(record, "conversation_id", None)}.get(entity)
            else:
                raise InvalidRecord(f"unknown op {op!r}")
        except InvalidRecord as exc:
            result.invalid += 1
            _record_invalid(conn, entity, record_id, str(exc))
            return
        _count_applied(result, entity, record_id, touched_conversation)

    def apply_batch(self, conn: sqlite3.Connection, changes: list[Any], cursor: str | None, *,
                    bulk_messages: bool = False) -> ApplyResult:
        """Apply every valid change and move the cursor, in the caller's one transaction.

        A malformed record is logged, counted in `invalid_records` and skipped; the cursor still
        moves past it, so one bad record never wedges the feed. `bulk_messages` (only while no
        message is indexed) writes each run of message upserts with one statement, in feed order.
        """
        conn.execute("SAVEPOINT feed_page")
        try:
            result = self._apply_all(conn, changes, bulk_messages=bulk_messages, careful=False)
        except Exception:  # noqa: BLE001 - any surprise in any record: redo the page record by record
            # Nothing of the failed attempt stays; then each record in its own savepoint, so the one
            # that fails (whatever it raises) is quarantined and the cursor still moves past it.
            conn.execute("ROLLBACK TO feed_page")
            log.warning("a page of the feed failed to apply; applying it record by record", exc_info=True)
            result = self._apply_all(conn, changes, bulk_messages=False, careful=True)
        conn.execute("RELEASE feed_page")
        if cursor is not None:
            meta.put(conn, meta.CURSOR, cursor)
        meta.put(conn, meta.LAST_SYNC_AT, now_iso())
        return result

    def _apply_careful(self, conn: sqlite3.Connection, change: Any, result: ApplyResult) -> None:
        conn.execute("SAVEPOINT feed_record")
        try:
            self.apply_change(conn, change, result)
        except Exception as exc:  # noqa: BLE001 - quarantined and shown in Diagnostics, never a stall
            conn.execute("ROLLBACK TO feed_record")
            entity = change.get("entity") if isinstance(change, dict) else "?"
            record_id = change.get("id") if isinstance(change, dict) else "?"
            result.invalid += 1
            _record_invalid(conn, str(entity), str(record_id), f"could not be stored: {type(exc).__name__}: {exc}")
        conn.execute("RELEASE feed_record")

    def _apply_all(self, conn: sqlite3.Connection, changes: list[Any], *, bulk_messages: bool,
                   careful: bool) -> ApplyResult:
        result = ApplyResult()
        run: list[Message] = []
        apply = self._apply_careful if careful else self.apply_change
        for change in changes:
            if bulk_messages and _is_message_upsert(change):
                checked = self._checked(conn, change, result)
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
            apply(conn, change, result)
        if run:
            _write_run(conn, run, result)
        return result


def _write_run(conn: sqlite3.Connection, run: list[Message], result: ApplyResult) -> None:
    records.write_messages_unindexed(conn, run)
    for message in run:
        _count_applied(result, "message", message.id, message.conversation_id)
