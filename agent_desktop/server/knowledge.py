"""Knowledge endpoints: personal scripts (create, edit, delete), FAQ feedback and usage counts.

Scripts and articles reach clients through the changes feed (entities `script`, `faq_article`).
Every write here takes an `Idempotency-Key`: the first answer is stored and a retry with the same
key gets it back, so a client that resends after a lost reply never creates or counts twice.
Personal scripts carry an id the client proposed (`ps-` + 32 hex), so one made offline keeps its
id when it reaches the server.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from agent_desktop.domain.knowledge import CATEGORIES, LANGUAGES, PERSONAL_ID, SHORTCUT

from . import knowledge_ops, replies
from .deps import DB, PREFIX, Agent, IdempotencyKey, RecordId
from .deps import error_responses as _errors

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


# -- routes ---------------------------------------------------------------------------------------


@router.post("/scripts", response_model=ScriptOut, status_code=201,
             responses={200: {"model": ScriptOut, "description": "A retry: the script first created with this key"},
                        **_errors(401, 409, 422)})
def create_script(body: ScriptIn, agent: Agent, db: DB, idempotency_key: IdempotencyKey) -> Any:
    """Create one of the signed-in agent's personal scripts."""
    return replies.created(*knowledge_ops.create_script(db, agent, body.model_dump(), idempotency_key))


@router.patch("/scripts/{script_id}", response_model=ScriptOut, responses=_errors(401, 403, 404, 422))
def update_script(script_id: ScriptId, body: ScriptPatch, agent: Agent, db: DB,
                  idempotency_key: IdempotencyKey) -> Any:
    """Edit a script: agents their personal ones, team leads the shared ones."""
    answer, first = knowledge_ops.update_script(db, agent, script_id, body.model_dump(exclude_unset=True),
                                                idempotency_key)
    return answer if first else replies.replayed(answer)


@router.delete("/scripts/{script_id}", status_code=204, responses=_errors(401, 403, 422))
def delete_script(script_id: ScriptId, agent: Agent, db: DB, idempotency_key: IdempotencyKey) -> Response:
    """Delete a script. Deleting one that is already gone succeeds (a retry, or deleted elsewhere)."""
    _, first = knowledge_ops.delete_script(db, agent, script_id, idempotency_key)
    return replies.no_content(first)


@router.post("/faq/{article_id}/feedback", response_model=CountsOut, responses=_errors(401, 404, 422))
def faq_feedback(article_id: ScriptId, body: FeedbackIn, agent: Agent, db: DB,
                 idempotency_key: IdempotencyKey) -> Any:
    """Record that an article helped (or did not) answer a customer."""
    answer, first = knowledge_ops.faq_feedback(db, agent, article_id, body.helpful, idempotency_key)
    return answer if first else replies.replayed(answer)


@router.post("/knowledge/usage", response_model=CountsOut, responses=_errors(401, 404, 422))
def record_usage(body: UsageIn, agent: Agent, db: DB, idempotency_key: IdempotencyKey) -> Any:
    """Count uses of a script or article (inserted into a reply), for team leads' reports."""
    answer, first = knowledge_ops.record_usage(db, agent, body.model_dump(), idempotency_key)
    return answer if first else replies.replayed(answer)
