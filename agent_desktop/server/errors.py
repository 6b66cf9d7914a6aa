"""JSON errors everywhere (`{"error": {"code", "message"}}`) and the request body size limit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
# A client that declared a slightly too large body gets it read and thrown away, so it can read
# our 413 instead of a connection reset; beyond this we stop reading and let the connection drop.
_DRAIN_LIMIT = 16 * MAX_BODY_BYTES

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "cursor_expired",
    412: "version_conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error reply: status, stable machine code, human message, optional headers and extra fields."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.extra = extra or {}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}, **extra}


def error_response(status: int, code: str, message: str, *, headers: dict[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    return JSONResponse(error_body(code, message, **extra), status_code=status, headers=headers)


def _on_api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, headers=exc.headers, **exc.extra)


def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    return error_response(exc.status_code, _CODES.get(exc.status_code, "error"), message,
                          headers=getattr(exc, "headers", None))


def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only location, text and type: `input` may echo a whole (large, untrusted) body back.
    details: list[dict[str, Any]] = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "")),
         "type": str(error.get("type", ""))}
        for error in exc.errors()
    ]
    first: dict[str, Any] = details[0] if details else {"loc": [], "msg": "invalid request"}
    where = ".".join(first["loc"])
    message = f"{where}: {first['msg']}" if where else str(first["msg"])
    return error_response(422, "validation_error", message, details=details)


def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(Exception, _on_unexpected)


class BodyLimitMiddleware:
    """Refuse request bodies over `max_bytes` with 413, whether declared (Content-Length) or streamed.

    The body is read here (at most `max_bytes`) and replayed to the app, so a chunked upload
    cannot slip past the limit. `limit_for(scope)` may give a route its own limit, or None: the
    route streams the body itself and enforces its own cap (file uploads), so it is passed on unread.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES,
                 limit_for: Callable[[Scope], int | None] | None = None) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.default_max_bytes if self.limit_for is None else self.limit_for(scope)
        if limit is None:
            await _stream_through(self.app, scope, receive, send)  # streamed and capped by the route itself
            return
        await self._buffered(scope, receive, send, limit)

    async def _buffered(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body
            return
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _send_error(send, 400, "bad_request", "invalid Content-Length")
                return
            if length > max_bytes:
                if length <= _DRAIN_LIMIT:
                    await _drain(receive)
                await self._too_large(send, max_bytes)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_bytes:
                if size <= _DRAIN_LIMIT:
                    await _drain(receive, size)
                await self._too_large(send, max_bytes)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _too_large(self, send: Send, max_bytes: int) -> None:
        await _send_error(send, 413, "payload_too_large",
                          f"request body is larger than {max_bytes} bytes", close=True)


async def _stream_through(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Hand the body to the route unread; an answer given before the body's end (a refusal:
    too large, not allowed) closes the connection, so the server never waits for the rest."""
    finished = False

    async def tracked() -> Message:
        nonlocal finished
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            finished = True
        return message

    async def closing(message: Message) -> None:
        if message["type"] == "http.response.start" and not finished:
            headers = [(name, value) for name, value in message.get("headers", []) if name.lower() != b"connection"]
            message = {**message, "headers": [*headers, (b"connection", b"close")]}
        await send(message)

    await app(scope, tracked, closing)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # later calls wait for the disconnect, as the server would
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _drain(receive: Receive, size: int = 0) -> None:
    while size <= _DRAIN_LIMIT:
        message = await receive()
        if message["type"] != "http.request":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _send_error(send: Send, status: int, code: str, message: str, *, close: bool = False) -> None:
    response = error_response(status, code, message, headers={"Connection": "close"} if close else None)
    await send({"type": "http.response.start", "status": response.status_code,
                "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})
