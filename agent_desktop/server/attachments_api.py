"""File endpoints: the size limit, uploads (raw body, streamed to disk) and downloads.

An upload belongs to a conversation and waits for the message that will carry it
(`attachment_ids` of POST …/messages). Its body is never buffered by the body-size middleware
(`streams_itself` lets it through): it is written to a temporary file as it arrives, refused with
413 as soon as it passes the cap, and refused before a byte is read when Content-Length already
says so. Downloads are served as attachments only (`Content-Disposition: attachment`, `nosniff`,
a sandboxing CSP), with the type the bytes have, never the one the sender claimed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.types import Scope as AsgiScope

from agent_desktop.domain.attachments import MAX_ATTACHMENTS_PER_MESSAGE, save_name
from agent_desktop.domain.timeutil import now_iso

from . import db as store
from . import files, idempotency, replies
from . import scope as scopes
from .deps import DB, PREFIX, Agent, ConversationId, OptionalIdempotencyKey, RecordId, Scope
from .deps import error_responses as _errors
from .errors import ApiError
from .operations import new_id
from .schemas import AttachmentLimits, TooLargeBody, UploadOut

router = APIRouter(prefix=PREFIX, tags=["attachments"])

_UPLOAD_PATH = re.compile(rf"^{PREFIX}/conversations/[^/]+/attachments/?$")
_TOO_LARGE: dict[int | str, dict[str, Any]] = {413: {"model": TooLargeBody, "description": "Over the server's `max_bytes` (declared or counted)"}}


def streams_itself(scope: AsgiScope) -> bool:
    """Whether this request is an upload, whose body the route streams and caps itself."""
    return scope.get("method") == "POST" and bool(_UPLOAD_PATH.match(scope.get("path", "")))


def get_files(request: Request) -> files.FileStore:
    return request.app.state.files


Files = Annotated[files.FileStore, Depends(get_files)]


@router.get("/attachments/limits", response_model=AttachmentLimits, responses=_errors(401))
def limits(agent: Agent, file_store: Files) -> dict[str, int]:
    """The largest file this server takes and how many files one message may carry."""
    return {"max_bytes": file_store.max_bytes, "max_per_message": MAX_ATTACHMENTS_PER_MESSAGE}


def _file_name(header: str) -> str:
    try:
        name = unquote(header, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, "bad_filename", "X-Filename must be percent-encoded UTF-8") from None
    try:
        return files.check_name(name)
    except ValueError as exc:
        raise ApiError(400, "bad_filename", f"X-Filename: {exc}") from None


def _writable(db: store.Database, scope: scopes.Scope, conversation_id: str) -> None:
    conversation = scopes.visible_conversation(db, scope, conversation_id)
    if conversation["status"] == "closed":
        raise ApiError(409, "conversation_closed", "the conversation is closed; files can no longer be added")


@router.post(
    "/conversations/{conversation_id}/attachments", response_model=UploadOut, status_code=201,
    responses={200: {"model": UploadOut, "description": "A retry: the upload first stored with this key"},
               **_errors(400, 401, 404, 409, 422), **_TOO_LARGE},
    openapi_extra={"requestBody": {"required": True, "description": "The file's bytes, nothing else",
                                   "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                       "format": "binary"}}}}},
)
async def upload(
    conversation_id: ConversationId, request: Request, agent: Agent, scope: Scope, db: DB, file_store: Files,
    filename: Annotated[str, Header(alias="X-Filename", min_length=1, max_length=4096,
                                    description="The file's name, percent-encoded UTF-8")],
    idempotency_key: OptionalIdempotencyKey = None,
    content_length: Annotated[int | None, Header(alias="Content-Length", ge=0)] = None,
) -> JSONResponse:
    """Store a file for a message of this conversation (the raw body is the file).

    `Content-Type` is only a hint: the stored type is sniffed from the bytes. The same content is
    kept once however often it is sent; a retry with the same `Idempotency-Key` gets the first
    answer and stores nothing. Over `max_bytes` (GET /attachments/limits) answers 413 with
    `max_bytes`, before reading when Content-Length says so.
    """
    name = _file_name(filename)
    if not await run_in_threadpool(idempotency.answered, db, agent["id"], idempotency_key):
        await run_in_threadpool(_writable, db, scope, conversation_id)  # a retry replays whatever changed since
    if content_length is not None and content_length > file_store.max_bytes:
        raise files.too_large_error(file_store.max_bytes)  # not a byte of the body read
    with file_store.upload() as incoming:
        try:
            async for chunk in request.stream():
                if chunk:
                    await run_in_threadpool(incoming.write, chunk)
        except files.TooLarge as exc:
            raise files.too_large_error(exc.max_bytes) from None
        except ClientDisconnect:
            raise ApiError(400, "truncated", "the upload ended before its end") from None
        if content_length is not None and incoming.size != content_length:
            raise ApiError(400, "truncated", f"the upload has {incoming.size} of the {content_length} bytes it declared")
        stored = await run_in_threadpool(incoming.commit)
    answer, first = await run_in_threadpool(_record_upload, db, agent, conversation_id, name, stored, idempotency_key)
    return replies.created(answer, first)


def _record_upload(db: store.Database, agent: dict[str, Any], conversation_id: str, name: str,
                   stored: files.Stored, key: str | None) -> tuple[dict[str, Any], bool]:
    request = {"op": "upload", "id": conversation_id, "name": name, "sha256": stored.sha256, "size": stored.size}

    def act(conn: Any) -> dict[str, Any]:
        row = files.AttachmentRow(new_id("att"), conversation_id, None, name, stored.size, stored.content_type,
                                  stored.sha256, "", False)
        files.insert(conn, row, uploaded_by=agent["id"], created_at=now_iso())
        return row.upload_answer()

    return idempotency.idempotent(db, agent["id"], key, request, act)


def content_disposition(name: str) -> str:
    """`attachment` with a name safe to save (no folders, no invisible characters), in RFC 6266's
    two forms: a plain ASCII one for old clients and the UTF-8 one."""
    safe = save_name(name)
    fallback = safe.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"


@router.get(
    "/attachments/{attachment_id}", responses={
        200: {"description": "The file's bytes", "content": {"application/octet-stream": {
            "schema": {"type": "string", "format": "binary"}}}},
        **_errors(401, 404)},
    response_class=FileResponse,
)
def download(attachment_id: RecordId, scope: Scope, db: DB, file_store: Files) -> FileResponse:
    """The file's bytes, as a download: the sniffed `Content-Type`, `Content-Disposition: attachment`,
    `X-Content-Type-Options: nosniff`. 404 unless the caller may see its conversation."""
    row = files.get(db.reader(), attachment_id)
    conversation = db.get("conversation", row.conversation_id) if row else None
    if row is None or conversation is None or not scope.sees(conversation) or not file_store.has(row.sha256):
        raise ApiError(404, "not_found", f"attachment {attachment_id!r} does not exist")
    return FileResponse(file_store.path(row.sha256), media_type=row.content_type, headers={
        "Content-Disposition": content_disposition(row.name), "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox", "Cache-Control": "private, max-age=86400",
    })
