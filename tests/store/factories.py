"""Builders for changes-feed records (DESIGN.md §3) and a helper to apply them to a real Database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent_desktop.services.features import default_features, feed_schema
from agent_desktop.store import Database
from agent_desktop.store.changes import ApplyResult

# The app's whole feed, as the composition root gives it to the store.
SCHEMA = feed_schema(default_features())


def apply_batch(conn: Any, changes: list[Any], cursor: str | None, **options: Any) -> ApplyResult:
    return SCHEMA.apply_batch(conn, changes, cursor, **options)

T0 = datetime(2026, 11, 22, 8, 0, 0, tzinfo=UTC)


def at(minutes: float) -> str:
    """A wire timestamp `minutes` after T0 (UTC, 'Z' form)."""
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def customer(cid: str, name: str = "Customer", version: int = 1, **data: Any) -> dict[str, Any]:
    return {"entity": "customer", "id": cid, "op": "upsert", "version": version,
            "data": {"name": name, "version": version, **data}}


def conversation(cid: str, customer_id: str = "cu-1", version: int = 1, **data: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"channel": "chat", "status": "open", "priority": "normal",
                            "customer_id": customer_id, "version": version}
    body.update(data)
    return {"entity": "conversation", "id": cid, "op": "upsert", "version": version, "data": body}


def message(mid: str, conversation_id: str, body: str, created_at: str | None = None,
            **data: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"conversation_id": conversation_id, "kind": "reply", "direction": "in",
                              "body": body, "created_at": created_at or at(0)}
    record.update(data)
    return {"entity": "message", "id": mid, "op": "upsert", "data": record}


def queue(qid: str, name: str, version: int = 1, **data: Any) -> dict[str, Any]:
    return {"entity": "queue", "id": qid, "op": "upsert", "data": {"name": name, "version": version, **data}}


def agent(aid: str, name: str, version: int = 1, **data: Any) -> dict[str, Any]:
    return {"entity": "agent", "id": aid, "op": "upsert",
            "data": {"username": aid, "name": name, "version": version, **data}}


def delete(entity: str, rid: str) -> dict[str, Any]:
    return {"entity": entity, "id": rid, "op": "delete"}


def apply(db: Database, changes: list[Any], cursor: str | None = "cursor") -> ApplyResult:
    return db.write_sync(apply_batch, changes, cursor)


def fts_rowids(db: Database, table: str, match: str) -> list[int]:
    """Raw hits in a contentless FTS table: stale entries would show up here even if joins hide them."""
    return [r for (r,) in db.reader().execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (match,))]
