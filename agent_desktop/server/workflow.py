"""Workflow endpoints: transfer/escalate with a hand-off note, offers, agent status, callbacks (回访),
CSAT, customer notes/tags/linking, and who is viewing or replying (collision).

Dispositions, SLA policies, orders, callbacks, CSAT, notes, offers and agent statuses reach the
client through the changes feed; these endpoints are how the client acts on them.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Literal

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent_desktop.domain.enums import AgentState

from . import db as store
from . import idempotency, replies, routing, workflow_ops
from . import scope as scopes
from .deps import DB, PREFIX, Agent, RecordId, Scope
from .deps import OptionalIdempotencyKey as IdempotencyKey
from .deps import error_responses as _errors
from .errors import ApiError

SWEEP_SECONDS = 5.0          # offers expire and waiting work is re-offered this often
PRESENCE_TTL = 25.0          # a viewer who stopped sending heartbeats is gone after this

Id = RecordId


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TransferIn(_Strict):
    kind: Literal["transfer", "escalate"] = "transfer"
    queue_id: str | None = Field(default=None, max_length=128)
    assignee_id: str | None = Field(default=None, max_length=128)
    note: str = Field(min_length=1, max_length=4000, description="the hand-off note the receiver sees first")


class AgentStatusIn(_Strict):
    state: AgentState
    reason: str = Field(default="", max_length=80)
    capacity: dict[str, int] | None = Field(default=None, description="per-channel limits, e.g. {\"chat\": 3}")

    @field_validator("capacity")
    @classmethod
    def _capacity(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value is not None and any(not 0 <= v <= 20 for v in value.values()):
            raise ValueError("capacity per channel must be 0…20")
        return value


class CallbackIn(_Strict):
    customer_id: str = Field(min_length=1, max_length=128)
    conversation_id: str | None = Field(default=None, max_length=128)
    agent_id: str | None = Field(default=None, max_length=128)
    due_at: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=4000)


class CallbackOutcomeIn(_Strict):
    outcome: Literal["done", "no_answer", "reschedule"]
    due_at: str | None = Field(default=None, max_length=64, description="the new time (reschedule)")
    note: str = Field(default="", max_length=4000)


class CsatIn(_Strict):
    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=4000)
    source: Literal["survey", "agent"] = "agent"


class NoteIn(_Strict):
    body: str = Field(min_length=1, max_length=10_000)

    @field_validator("body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the note is empty")
        return value


class TagsIn(_Strict):
    tags: list[str] = Field(max_length=50)


class LinkIn(_Strict):
    customer_id: str = Field(min_length=1, max_length=128)


class CustomerIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    company: str = Field(default="", max_length=200)
    phone: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=200)


class PresenceIn(_Strict):
    activity: Literal["viewing", "replying", "left"]


router = APIRouter(prefix=PREFIX, tags=["workflow"])


@router.post("/conversations/{conversation_id}/transfer", status_code=201, responses=_errors(401, 404, 409, 422))
def transfer(conversation_id: Id, body: TransferIn, agent: Agent, scope: Scope, db: DB,
             key: IdempotencyKey = None) -> JSONResponse:
    """Transfer or escalate to a queue (tier) or agent; the hand-off note is stored as an internal note."""
    if not idempotency.answered(db, agent["id"], key):
        scopes.visible_conversation(db, scope, conversation_id)
    return replies.created(*workflow_ops.transfer(db, agent, conversation_id, body.model_dump(), key))


@router.post("/offers/{offer_id}/accept", responses=_errors(401, 403, 404, 409))
def accept_offer(offer_id: Id, agent: Agent, db: DB) -> dict[str, Any]:
    return workflow_ops.answer_offer(db, agent, offer_id, accept=True)


@router.post("/offers/{offer_id}/decline", responses=_errors(401, 403, 404, 409))
def decline_offer(offer_id: Id, agent: Agent, db: DB) -> dict[str, Any]:
    return workflow_ops.answer_offer(db, agent, offer_id, accept=False)


@router.put("/me/status", responses=_errors(401, 422))
def set_status(body: AgentStatusIn, agent: Agent, db: DB) -> dict[str, Any]:
    """Presence with a break reason and per-channel capacity; available agents get offers."""
    return workflow_ops.set_agent_status(db, agent["id"], body.state.value, body.reason.strip(), body.capacity)


@router.post("/callbacks", status_code=201, responses=_errors(401, 404, 422))
def create_callback(body: CallbackIn, agent: Agent, scope: Scope, db: DB, key: IdempotencyKey = None) -> JSONResponse:
    if body.conversation_id:
        scopes.visible_conversation(db, scope, body.conversation_id)
    return replies.created(*workflow_ops.create_callback(db, agent, body.model_dump(), key))


@router.post("/callbacks/{callback_id}/outcome", responses=_errors(401, 404, 409, 422))
def callback_outcome(callback_id: Id, body: CallbackOutcomeIn, agent: Agent, scope: Scope, db: DB) -> dict[str, Any]:
    """done / no_answer (retried in 2 h unless a time is given) / reschedule (needs `due_at`)."""
    callback = db.get("callback", callback_id)
    if callback is not None and callback.get("conversation_id") and callback.get("agent_id") != agent["id"]:
        try:  # tied to a conversation out of scope, and not addressed to the caller: not theirs to see
            scopes.visible_conversation(db, scope, callback["conversation_id"])
        except ApiError:
            raise ApiError(404, "not_found", f"callback {callback_id!r} does not exist") from None
    return workflow_ops.complete_callback(db, agent, callback_id, body.model_dump())


@router.post("/conversations/{conversation_id}/csat", status_code=201, responses=_errors(401, 404, 422))
def record_csat(conversation_id: Id, body: CsatIn, agent: Agent, scope: Scope, db: DB,
                key: IdempotencyKey = None) -> JSONResponse:
    """Record a 1–5 score; 2 or less schedules a follow-up callback (回访)."""
    scopes.visible_conversation(db, scope, conversation_id)
    return replies.created(*workflow_ops.record_csat(db, agent, conversation_id, body.model_dump(), key))


@router.post("/customers", status_code=201, responses=_errors(401, 422))
def create_customer(body: CustomerIn, agent: Agent, db: DB, key: IdempotencyKey = None) -> JSONResponse:
    return replies.created(*workflow_ops.create_customer(db, agent, body.model_dump(), key))


@router.post("/customers/{customer_id}/notes", status_code=201, responses=_errors(401, 404, 422))
def add_note(customer_id: Id, body: NoteIn, agent: Agent, db: DB, key: IdempotencyKey = None) -> JSONResponse:
    return replies.created(*workflow_ops.add_customer_note(db, agent, customer_id, body.body, key))


@router.patch("/customer-notes/{note_id}", responses=_errors(401, 404, 422))
def edit_note(note_id: Id, body: NoteIn, agent: Agent, db: DB) -> dict[str, Any] | None:
    return workflow_ops.edit_customer_note(db, note_id, body.body)


@router.put("/customers/{customer_id}/tags", responses=_errors(401, 404, 422))
def set_tags(customer_id: Id, body: TagsIn, agent: Agent, db: DB) -> dict[str, Any]:
    return workflow_ops.set_customer_tags(db, customer_id, body.tags)


@router.put("/conversations/{conversation_id}/customer", responses=_errors(401, 404, 422))
def link_customer(conversation_id: Id, body: LinkIn, agent: Agent, scope: Scope, db: DB) -> dict[str, Any]:
    """Link the conversation of an unknown caller or sender to an existing customer."""
    scopes.visible_conversation(db, scope, conversation_id)
    return workflow_ops.link_customer(db, conversation_id, body.customer_id)


class Presence:
    """Who is viewing or replying to which conversation: in memory, refreshed by heartbeats."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, dict[str, tuple[str, str, float]]] = {}

    def beat(self, conversation_id: str, agent: dict[str, Any], activity: str) -> list[dict[str, Any]]:
        now = time.monotonic()
        with self._lock:
            viewers = self._seen.setdefault(conversation_id, {})
            if activity == "left":
                viewers.pop(agent["id"], None)
            else:
                viewers[agent["id"]] = (agent["name"], activity, now)
            for agent_id, (_, _, at) in list(viewers.items()):
                if now - at > PRESENCE_TTL:
                    del viewers[agent_id]
            return [{"agent_id": agent_id, "name": name, "activity": act}
                    for agent_id, (name, act, _) in sorted(viewers.items()) if agent_id != agent["id"]]


_presence = Presence()


@router.post("/conversations/{conversation_id}/presence", responses=_errors(401, 404, 422))
def presence(conversation_id: Id, body: PresenceIn, agent: Agent, scope: Scope, db: DB) -> dict[str, Any]:
    """Heartbeat (every ~10 s while open); answers with the other agents viewing or replying."""
    scopes.visible_conversation(db, scope, conversation_id)
    return {"others": _presence.beat(conversation_id, agent, body.activity)}


def _sweep(database: store.Database, stop: threading.Event) -> None:
    """Expire unanswered offers and offer waiting work, until the database closes."""
    while not stop.wait(SWEEP_SECONDS):
        try:
            routing.route(database)
        except Exception:  # noqa: BLE001 - the database closed under us (server stopping)
            return


def attach(app: FastAPI) -> None:
    """Include the routes and start the offer sweeper (a daemon thread that ends with the database)."""
    app.include_router(router)
    stop = threading.Event()
    app.state.workflow_stop = stop
    threading.Thread(target=_sweep, args=(app.state.db, stop), name="offer-sweeper", daemon=True).start()
