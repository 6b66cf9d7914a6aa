"""What the knowledge endpoints do: personal scripts (create, edit, delete), FAQ feedback, usage counts.

Each operation is one write transaction under the agent's Idempotency-Key (server/idempotency.py)
and returns (answer, first time). The requests fingerprinted here keep the shape older servers
used, so keys they stored still replay.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from agent_desktop.domain.knowledge import parse_script
from agent_desktop.domain.records import InvalidRecord
from agent_desktop.domain.timeutil import now_iso

from . import db as store
from .errors import ApiError
from .idempotency import idempotent


def _may_edit(agent: dict[str, Any], script: dict[str, Any]) -> None:
    if script.get("scope") == "personal":
        if script.get("owner_id") != agent["id"]:
            raise ApiError(403, "forbidden", "this personal script belongs to another agent")
    elif agent.get("role") != "lead":
        raise ApiError(403, "forbidden", "only team leads change shared scripts")


def _validated(script_id: str, data: dict[str, Any]) -> dict[str, Any]:
    try:
        parse_script(script_id, {**data, "version": 1})
    except InvalidRecord as exc:
        raise ApiError(422, "validation_error", str(exc)) from None
    return data


def create_script(database: store.Database, agent: dict[str, Any], body: dict[str, Any],
                  key: str) -> tuple[dict[str, Any], bool]:
    """One of the agent's personal scripts, under the id the client proposed (`body["id"]`)."""
    script_id = body["id"]

    def act(conn: sqlite3.Connection) -> dict[str, Any]:
        if store.load(conn, "script", script_id) is not None:
            raise ApiError(409, "conflict", f"script {script_id!r} already exists")
        fields = {name: value for name, value in body.items() if name != "id"}
        data = _validated(script_id, {
            **fields, "scope": "personal", "owner_id": agent["id"], "kind": "text",
            "used_count": 0, "updated_at": now_iso(),
        })
        return store.with_id(script_id, store.store(conn, "script", script_id, data))

    return idempotent(database, agent["id"], key, ["create", body], act)


def update_script(database: store.Database, agent: dict[str, Any], script_id: str, changes: dict[str, Any],
                  key: str) -> tuple[dict[str, Any], bool]:
    """Agents edit their personal scripts, team leads the shared ones."""

    def act(conn: sqlite3.Connection) -> dict[str, Any]:
        current = store.load(conn, "script", script_id)
        if current is None:
            raise ApiError(404, "not_found", f"script {script_id!r} does not exist")
        _may_edit(agent, current)
        data = _validated(script_id, {**current, **changes, "updated_at": now_iso()})
        return store.with_id(script_id, store.store(conn, "script", script_id, data))

    return idempotent(database, agent["id"], key, ["update", script_id, changes], act)


def delete_script(database: store.Database, agent: dict[str, Any], script_id: str, key: str) -> tuple[None, bool]:
    """Deleting a script that is already gone succeeds (a retry, or deleted elsewhere)."""

    def act(conn: sqlite3.Connection) -> None:
        current = store.load(conn, "script", script_id)
        if current is not None:
            _may_edit(agent, current)
            store.delete(conn, "script", script_id)

    return idempotent(database, agent["id"], key, ["delete", script_id], act)


def _bump(conn: sqlite3.Connection, entity: str, record_id: str, field: str, count: int) -> dict[str, Any]:
    data = store.load(conn, entity, record_id)
    if data is None:
        raise ApiError(404, "not_found", f"{entity} {record_id!r} does not exist")
    data[field] = int(data.get(field) or 0) + count
    stored = store.store(conn, entity, record_id, data)
    return {"id": record_id, "used_count": stored.get("used_count", 0),
            "helpful_count": stored.get("helpful_count", 0),
            "not_helpful_count": stored.get("not_helpful_count", 0), "version": stored["version"]}


def faq_feedback(database: store.Database, agent: dict[str, Any], article_id: str, helpful: bool,
                 key: str) -> tuple[dict[str, Any], bool]:
    field = "helpful_count" if helpful else "not_helpful_count"
    return idempotent(database, agent["id"], key, ["feedback", article_id, helpful],
                      lambda conn: _bump(conn, "faq_article", article_id, field, 1))


def record_usage(database: store.Database, agent: dict[str, Any], body: dict[str, Any],
                 key: str) -> tuple[dict[str, Any], bool]:
    """`body` is {"entity": "script" | "faq_article", "id", "count"}."""
    return idempotent(database, agent["id"], key, ["usage", body],
                      lambda conn: _bump(conn, body["entity"], body["id"], "used_count", body["count"]))
