"""The FastAPI application: routes of the v1 sync contract (DESIGN.md §3) over `Database`.

Endpoints are plain `def`s: FastAPI runs them in its thread pool, and `Database` serialises the
writes. The change feed is assembled as text from the stored JSON, never parsed and re-encoded,
so a 2,000-record page costs little more than reading it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from . import auth, files, idempotency, operations, replies, throttle
from . import scope as scopes
from .attachments_api import router as attachments_router
from .attachments_api import streams_itself
from .db import Database
from .demo_data import DEFAULT_SEED, load_demo
from .deps import DB, PREFIX, Agent, ConversationId, IdempotencyKey, Scope, client_address, integration_caller
from .deps import error_responses as _errors
from .errors import MAX_BODY_BYTES, ApiError, BodyLimitMiddleware, install_error_handlers
from .knowledge import router as knowledge_router
from .preconditions import parse_if_match
from .schemas import (
    AgentOut,
    AgentStateIn,
    ChangesPage,
    ConflictBody,
    ConversationOut,
    ConversationPatch,
    Health,
    InboundIn,
    InboundOut,
    MessageIn,
    MessageOut,
    MessageSent,
    SignIn,
    TokenOut,
)
from .stats_api import router as stats_router
from .workflow import attach as attach_workflow

API_VERSION = "1.0.0"
DESCRIPTION = (
    "Reference backend of Agent Desktop. Pull changes with `GET /api/v1/changes` (cursor paging, "
    "410 = resync from scratch), push with idempotent `POST …/messages` and `PATCH` with `If-Match`. "
    "Errors are JSON `{\"error\": {\"code\", \"message\"}}`.\n\n"
    "**Queue scope.** An agent sees a conversation (and its messages, CSAT, offers and callbacks, in "
    "the feed and by id) when its queue is one of the agent's `queue_ids` or it is assigned to them; "
    "a lead sees all. Out of scope answers 404, as for an unknown id. The server option "
    "`--agents-see-all` (or `AGENT_DESKTOP_AGENTS_SEE_ALL=1`) lets every agent see every queue. "
    "When an agent's queues change, their cursor answers 410 (resync).\n\n"
    "**Writes.** Agents may assign a conversation only to themselves (an unassigned one of a queue "
    "they serve) or give back their own; moving queues is `POST …/transfer`; leads may `PATCH` "
    "anything or `POST …/reassign`. Otherwise 403.\n\n"
    "**Throttling.** Failed sign-ins slow further attempts per client address and per user name "
    "(429 + `Retry-After`, delays doubling from 1 s and ending); an address that signed in as a name "
    "before is not slowed by others' failures. Wrong `X-Integration-Key`s are throttled per address."
)


# -- routes ---------------------------------------------------------------------------------------

router = APIRouter(prefix=PREFIX)


@router.post("/auth/token", response_model=TokenOut, responses=_errors(401, 422, 429), tags=["auth"])
def sign_in(body: SignIn, request: Request, db: DB) -> dict[str, Any]:
    """Exchange a username and password for a bearer token.

    Failed attempts slow down further ones (429 with Retry-After) per client address and per user
    name, with delays that grow and end: nothing is locked, and an address that has signed in as
    that name before is not slowed by other addresses' failures.
    """
    limiter: throttle.SignInThrottle = request.app.state.sign_in_throttle
    address = client_address(request)
    wait = limiter.retry_after(address, body.username)
    if wait:  # refused before the password is checked: no oracle for the guesser
        raise ApiError(429, "rate_limited", "too many failed sign-ins; try again later",
                       headers={"Retry-After": str(wait)})
    session = auth.sign_in(db, body.username, body.password)
    if session is None:
        limiter.failed(address, body.username)
        raise ApiError(401, "invalid_credentials", "wrong username or password")
    limiter.succeeded(address, body.username)
    return {"token": session.token, "expires_at": session.expires_at, "agent": session.agent}


@router.get("/me", response_model=AgentOut, responses=_errors(401), tags=["auth"])
def me(agent: Agent) -> dict[str, Any]:
    return agent


@router.patch("/me", response_model=AgentOut, responses=_errors(401, 422), tags=["auth"])
def set_my_state(body: AgentStateIn, agent: Agent, db: DB) -> dict[str, Any]:
    """Set the signed-in agent's presence (available, busy, break, acw, offline)."""
    return operations.set_agent_state(db, agent["id"], body.state.value)


def _parse_cursor(cursor: str | None, db: Database, agent_id: str) -> int:
    if not cursor:
        return 0  # from the beginning: always allowed, compaction keeps every live record
    text, _, issued = cursor.partition("@")  # "seq@epoch": handed out during a resync (server/scope.py)
    try:
        seq = int(text)
        issued_epoch = int(issued) if issued else None
    except ValueError:
        raise ApiError(400, "bad_cursor", "the cursor is not one this server handed out") from None
    if seq < 0:
        raise ApiError(400, "bad_cursor", "the cursor is not one this server handed out")
    if seq < db.min_cursor() or seq > db.last_seq():
        # Too old (deletions it needs were compacted away) or from another database: start over.
        raise ApiError(410, "cursor_expired", "the cursor is no longer valid; resync from scratch")
    if seq and scopes.cursor_predates_scope(db, agent_id, seq, issued_epoch):
        # The caller's queues (or the server's scope option) changed since: records of a queue now
        # theirs lie behind the cursor, so only a resync brings them.
        raise ApiError(410, "cursor_expired", "your queues changed; resync from scratch")
    return seq


def _next_cursor(db: Database, agent_id: str, seq: int) -> str:
    epoch = scopes.agent_epoch(db, agent_id)
    return f"{seq}@{epoch}" if seq < epoch else str(seq)


@router.get("/changes", response_model=ChangesPage, responses=_errors(400, 401, 410, 422), tags=["sync"])
def changes(
    agent: Agent, scope: Scope, db: DB,
    cursor: Annotated[str | None, Query(max_length=64, description="From the previous page; omit to start")] = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> Response:
    """Records changed after `cursor`, oldest change first; each record once, in its latest state.

    Conversations, their messages and the records hanging off them (CSAT, offers, callbacks) come
    only for the caller's queue scope (see the API description); one that left the scope since
    the cursor comes as `op: delete`, one that entered it comes whole with its messages. A page may
    hold fewer than `limit` changes, even none, while `has_more` is true: follow the cursor.
    """
    after = _parse_cursor(cursor, db, agent["id"])
    page = db.feed(after, limit, scopes.viewer(scope, after))
    items = []
    for row in page.rows:
        head = f'{{"entity":"{row.entity}","id":{json.dumps(row.entity_id)},"op":"{row.op}","version":{row.version}'
        data = f',"data":{row.data_json}' if row.op == "upsert" and row.data_json is not None else ""
        items.append(head + data + "}")
    next_cursor = _next_cursor(db, agent["id"], page.last_seq if page.last_seq is not None else after)
    body = f'{{"changes":[{",".join(items)}],"cursor":"{next_cursor}","has_more":{json.dumps(page.has_more)}}}'
    return Response(body.encode(), media_type="application/json")


@router.get("/conversations/{conversation_id}", response_model=ConversationOut, responses=_errors(401, 404),
            tags=["conversations"])
def get_conversation(conversation_id: ConversationId, scope: Scope, db: DB) -> JSONResponse:
    conversation = scopes.visible_conversation(db, scope, conversation_id)
    return JSONResponse(conversation, headers={"ETag": f'"{conversation["version"]}"'})


@router.get("/conversations/{conversation_id}/messages", response_model=list[MessageOut],
            responses=_errors(401, 404), tags=["conversations"])
def list_messages(conversation_id: ConversationId, scope: Scope, db: DB) -> list[dict[str, Any]]:
    scopes.visible_conversation(db, scope, conversation_id)
    return operations.conversation_messages(db, conversation_id)


@router.post(
    "/conversations/{conversation_id}/messages", response_model=MessageSent, status_code=201,
    responses={200: {"model": MessageSent, "description": "A retry: the message first created with this key"},
               **_errors(400, 401, 404, 409, 413, 422)},
    tags=["conversations"],
)
def post_message(
    conversation_id: ConversationId, body: MessageIn, agent: Agent, scope: Scope, db: DB,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    """Add a reply or an internal note. A retry with the same Idempotency-Key returns the first message.

    `attachment_ids` names uploads of this conversation (POST …/attachments) not yet on a message;
    any other id answers 422 `invalid_attachment`. `body_html` is sanitised before it is stored
    (scripts, styles, event attributes removed; images stay references, never fetched), and
    `body` is its plain-text alternative; `body` may be empty only when files are attached.
    """
    if not idempotency.answered(db, agent["id"], idempotency_key):
        scopes.visible_conversation(db, scope, conversation_id)
    message, created = operations.post_message(db, agent, conversation_id, body.kind.value, body.body,
                                               idempotency_key, attachment_ids=body.attachment_ids,
                                               body_html=body.body_html)
    return replies.created({**message, "conversation": operations.get_conversation(db, conversation_id)}, created)


@router.patch(
    "/conversations/{conversation_id}", response_model=ConversationOut,
    responses={412: {"model": ConflictBody, "description": "If-Match names no current entity-tag (stale, never issued or weak: compared strongly); `current` is the record now"},
               **_errors(400, 401, 403, 404, 409, 422)},
    tags=["conversations"],
)
def patch_conversation(
    conversation_id: ConversationId, body: ConversationPatch, agent: Agent, scope: Scope, db: DB,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=64)] = None,
) -> JSONResponse:
    """Change status, priority, assignee, queue or tags; the new version is also the ETag.

    Agents may set `assignee_id` only to themselves (taking an unassigned conversation of a queue
    they serve) or to null on their own conversation, and may not change `queue_id` (that is a
    transfer, with a note): otherwise 403. Leads may change anything.
    """
    changes = body.model_dump(mode="json", exclude_unset=True)
    conversation = operations.patch_conversation(
        db, conversation_id, changes, parse_if_match(if_match), by=agent["id"], sees=scope.sees,
        authorize=lambda current, effective: scopes.check_patch(scope, current, effective))
    return JSONResponse(conversation, headers={"ETag": f'"{conversation["version"]}"'})


@router.post(
    "/inbound", response_model=InboundOut, status_code=201,
    responses={200: {"model": InboundOut, "description": "A repeated external_id: the first result"},
               **_errors(401, 413, 422, 429, 503)},
    dependencies=[Depends(integration_caller)], tags=["channels"],
)
def inbound(body: Annotated[InboundIn, Body()], db: DB, request: Request) -> JSONResponse:
    """A customer's message from a channel: finds or creates the customer and the conversation.

    `attachments` carry the files (base64, each at most `max_bytes` of GET /attachments/limits, else
    413 with `max_bytes`; the request body at most 4/3 of it plus 1 MiB); `body_html` an e-mail's
    HTML part, sanitised before it is stored.
    """
    result, new = operations.receive_inbound(db, body.model_dump(mode="json"), request.app.state.files)
    return JSONResponse(result, status_code=201 if new else 200)


def healthz() -> dict[str, bool]:
    return {"ok": True}


# -- the application ------------------------------------------------------------------------------


def create_app(db_path: str | FilePath, *, integration_key: str | None, demo: bool = False,
               seed: int = DEFAULT_SEED, agents_see_all: bool = False,
               max_attachment_bytes: int | None = None) -> FastAPI:
    """The server over the SQLite file `db_path`; with `demo`, an empty database gets the demo data.

    `agents_see_all`: every agent sees every queue's conversations (small teams); by default an
    agent sees the queues they serve and what is assigned to them (server/scope.py).
    `max_attachment_bytes`: the largest file taken (default $AGENT_DESKTOP_MAX_ATTACHMENT_BYTES or
    25 MB); the files live beside the database (`files.folder_for`).
    """
    file_store = files.FileStore(files.folder_for(db_path), files.max_bytes_setting(max_attachment_bytes))
    database = Database(db_path)
    idempotency.adopt_legacy_tables(database)  # a database written by an older server
    if demo and database.is_empty():
        load_demo(database, seed)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.close()

    app = FastAPI(title="Agent Desktop reference API", version=API_VERSION, description=DESCRIPTION,
                  lifespan=lifespan)
    app.state.db = database
    app.state.files = file_store
    app.state.integration_key = integration_key
    app.state.agents_see_all = agents_see_all
    scopes.note_mode(database, agents_see_all)
    app.state.sign_in_throttle = throttle.SignInThrottle()  # tests swap in ones on a fake clock
    app.state.key_throttle = throttle.KeyThrottle()
    install_error_handlers(app)
    inbound_limit = MAX_BODY_BYTES + file_store.max_bytes * 4 // 3  # files come base64-encoded

    def body_limit(scope: Any) -> int | None:
        if streams_itself(scope):
            return None  # an upload: streamed to disk and capped by its route
        return inbound_limit if scope.get("path") == f"{PREFIX}/inbound" else MAX_BODY_BYTES

    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit)
    app.include_router(router)
    app.include_router(knowledge_router)
    app.include_router(attachments_router)  # limits, uploads, downloads
    app.include_router(stats_router)  # queue tiles, agents table, lead actions
    attach_workflow(app)  # the routes and the offer sweeper
    app.add_api_route("/healthz", healthz, methods=["GET"], response_model=Health, tags=["health"])
    return app


def openapi_document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(FilePath(tmp) / "openapi.sqlite3", integration_key=None)
        try:
            return app.openapi()
        finally:
            app.state.db.close()


def render_openapi() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_openapi(path: str | FilePath) -> None:
    """Write the OpenAPI document (pretty, sorted keys) to `path`, e.g. agent_desktop/resources/openapi.json."""
    FilePath(path).write_text(render_openapi(), encoding="utf-8")
