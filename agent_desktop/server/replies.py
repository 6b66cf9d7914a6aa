"""How a router answers an idempotent write: the first answer as the route documents it, a replay
with 200 (204 stays 204) and `Idempotent-Replayed: true`, so a client can tell a retry landed."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse, Response

REPLAYED = {"Idempotent-Replayed": "true"}


def created(answer: Any, first: bool) -> JSONResponse:
    """201 the first time, 200 for a replay."""
    return JSONResponse(answer, status_code=201 if first else 200, headers=None if first else REPLAYED)


def replayed(answer: Any) -> JSONResponse:
    """A replay of a 200 answer (the first one goes through the route's response model)."""
    return JSONResponse(answer, status_code=200, headers=REPLAYED)


def no_content(first: bool) -> Response:
    return Response(status_code=204, headers=None if first else REPLAYED)
