"""Knowledge endpoints: personal scripts (create, edit, delete), FAQ feedback and usage counts.

Scripts and articles reach clients through the changes feed (entities `script`, `faq_article`).
Every write here takes an `Idempotency-Key`: the first answer is stored and a retry with the same
key gets it back, so a client that resends after a lost reply never creates or counts twice.
Personal scripts carry an id the client proposed (`ps-` + 32 hex), so one made offline keeps its
id when it reaches the server.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from agent_desktop.domain.knowledge import CATEGORIES, LANGUAGES, PERSONAL_ID, SHORTCUT, parse_script
from agent_desktop.domain.records import InvalidRecord
from agent_desktop.domain.timeutil import now_iso

from . import db as store
from .deps import DB, PREFIX, Agent, IdempotencyKey, RecordId
from .deps import error_responses as _errors
from .errors import ApiError

router = APIRouter(prefix=PREFIX, tags=["knowledge"])

ScriptId = RecordId


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScriptIn(_Strict):
    id: str = Field(pattern=PERSONAL_ID.pattern, description="Client-chosen id: 'ps-' + 32 hex digits")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    category: str = Field(default="general", pattern="^(" + "|".join(CATEGORIES) + ")$")
    language: str = Field(default="zh", pattern="^(" + "|".join(LANGUAGES) + ")$")
    shortcut: str = Field(default="", max_length=32, pattern=SHORTCUT.pattern)
    tags: list[str] = Field(default_factory=list, max_length=20)


class ScriptPatch(_Strict):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, min_length=1, max_length=20_000)
    category: str | None = Field(default=None, pattern="^(" + "|".join(CATEGORIES) + ")$")
    language: str | None = Field(default=None, pattern="^(" + "|".join(LANGUAGES) + ")$")
    shortcut: str | None = Field(default=None, max_length=32, pattern=SHORTCUT.pattern)
    tags: list[str] | None = Field(default=None, max_length=20)


class FeedbackIn(_Strict):
    helpful: bool


class UsageIn(_Strict):
    entity: str = Field(pattern="^(script|faq_article)$")
    id: str = Field(min_length=1, max_length=128)
    count: int = Field(default=1, ge=1, le=1000)


class ScriptOut(BaseModel):
    id: str
    title: str
    body: str
    category: str
    language: str
    shortcut: str
    tags: list[str]
    scope: str
    owner_id: str | None
    kind: str
    used_count: int
    updated_at: str
    version: int


class CountsOut(BaseModel):
    id: str
    used_count: int = 0
    helpful_count: int = 0
    not_helpful_count: int = 0
    version: int


# -- idempotency ----------------------------------------------------------------------------------


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _replayed(conn: Any, agent_id: str, key: str, fingerprint: str) -> JSONResponse | Response | None:
    row = conn.execute("SELECT fingerprint, status, response FROM knowledge_idempotency WHERE agent_id=? AND key=?",
                       (agent_id, key)).fetchone()
    if row is None:
        return None
    if row[0] != fingerprint:
        raise ApiError(422, "idempotency_key_reused", "this Idempotency-Key was already used for a different request")
    headers = {"Idempotent-Replayed": "true"}
    if row[1] == 204:
        return Response(status_code=204, headers=headers)
    return JSONResponse(json.loads(row[2]), status_code=200, headers=headers)


def _remember(conn: Any, agent_id: str, key: str, fingerprint: str, status: int, body: Any) -> None:
    conn.execute("INSERT INTO knowledge_idempotency (agent_id, key, fingerprint, status, response, created_at) "
                 "VALUES (?, ?, ?, ?, ?, ?)", (agent_id, key, fingerprint, status, store.dumps(body), now_iso()))


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


# -- routes ---------------------------------------------------------------------------------------


@router.post("/scripts", response_model=ScriptOut, status_code=201,
             responses={200: {"model": ScriptOut, "description": "A retry: the script first created with this key"},
                        **_errors(401, 409, 422)})
def create_script(body: ScriptIn, agent: Agent, db: DB, idempotency_key: IdempotencyKey) -> Any:
    """Create one of the signed-in agent's personal scripts."""
    fingerprint = _fingerprint("create", body.model_dump())
    with db.transaction() as conn:
        replay = _replayed(conn, agent["id"], idempotency_key, fingerprint)
        if replay is not None:
            return replay
        if store.load(conn, "script", body.id) is not None:
            raise ApiError(409, "conflict", f"script {body.id!r} already exists")
        data = _validated(body.id, {
            **body.model_dump(exclude={"id"}), "scope": "personal", "owner_id": agent["id"], "kind": "text",
            "used_count": 0, "updated_at": now_iso(),
        })
        answer = store.with_id(body.id, store.store(conn, "script", body.id, data))
        _remember(conn, agent["id"], idempotency_key, fingerprint, 201, answer)
    return JSONResponse(answer, status_code=201)


@router.patch("/scripts/{script_id}", response_model=ScriptOut, responses=_errors(401, 403, 404, 422))
def update_script(script_id: ScriptId, body: ScriptPatch, agent: Agent, db: DB,
                  idempotency_key: IdempotencyKey) -> Any:
    """Edit a script: agents their personal ones, team leads the shared ones."""
    changes = body.model_dump(exclude_unset=True)
    fingerprint = _fingerprint("update", script_id, changes)
    with db.transaction() as conn:
        replay = _replayed(conn, agent["id"], idempotency_key, fingerprint)
        if replay is not None:
            return replay
        current = store.load(conn, "script", script_id)
        if current is None:
            raise ApiError(404, "not_found", f"script {script_id!r} does not exist")
        _may_edit(agent, current)
        data = _validated(script_id, {**current, **changes, "updated_at": now_iso()})
        answer = store.with_id(script_id, store.store(conn, "script", script_id, data))
        _remember(conn, agent["id"], idempotency_key, fingerprint, 200, answer)
    return answer


@router.delete("/scripts/{script_id}", status_code=204, responses=_errors(401, 403, 422))
def delete_script(script_id: ScriptId, agent: Agent, db: DB, idempotency_key: IdempotencyKey) -> Response:
    """Delete a script. Deleting one that is already gone succeeds (a retry, or deleted elsewhere)."""
    fingerprint = _fingerprint("delete", script_id)
    with db.transaction() as conn:
        replay = _replayed(conn, agent["id"], idempotency_key, fingerprint)
        if replay is not None:
            return replay
        current = store.load(conn, "script", script_id)
        if current is not None:
            _may_edit(agent, current)
            store.delete(conn, "script", script_id)
        _remember(conn, agent["id"], idempotency_key, fingerprint, 204, None)
    return Response(status_code=204)


def _bump(conn: Any, entity: str, record_id: str, field: str, count: int) -> dict[str, Any]:
    data = store.load(conn, entity, record_id)
    if data is None:
        raise ApiError(404, "not_found", f"{entity} {record_id!r} does not exist")
    data[field] = int(data.get(field) or 0) + count
    stored = store.store(conn, entity, record_id, data)
    return {"id": record_id, "used_count": stored.get("used_count", 0),
            "helpful_count": stored.get("helpful_count", 0),
            "not_helpful_count": stored.get("not_helpful_count", 0), "version": stored["version"]}


@router.post("/faq/{article_id}/feedback", response_model=CountsOut, responses=_errors(401, 404, 422))
def faq_feedback(article_id: ScriptId, body: FeedbackIn, agent: Agent, db: DB,
                 idempotency_key: IdempotencyKey) -> Any:
    """Record that an article helped (or did not) answer a customer."""
    fingerprint = _fingerprint("feedback", article_id, body.helpful)
    with db.transaction() as conn:
        replay = _replayed(conn, agent["id"], idempotency_key, fingerprint)
        if replay is not None:
            return replay
        answer = _bump(conn, "faq_article", article_id, "helpful_count" if body.helpful else "not_helpful_count", 1)
        _remember(conn, agent["id"], idempotency_key, fingerprint, 200, answer)
    return answer


@router.post("/knowledge/usage", response_model=CountsOut, responses=_errors(401, 404, 422))
def record_usage(body: UsageIn, agent: Agent, db: DB, idempotency_key: IdempotencyKey) -> Any:
    """Count uses of a script or article (inserted into a reply), for team leads' reports."""
    fingerprint = _fingerprint("usage", body.model_dump())
    with db.transaction() as conn:
        replay = _replayed(conn, agent["id"], idempotency_key, fingerprint)
        if replay is not None:
            return replay
        answer = _bump(conn, body.entity, body.id, "used_count", body.count)
        _remember(conn, agent["id"], idempotency_key, fingerprint, 200, answer)
    return answer
