"""What every router shares: the FastAPI dependencies (database, caller, lead, integration key), the
common path and header parameters, and how routes document their error answers.

The feature routers import these from here rather than from `app.py`, so `app.py` can include the
routers at the top of the module without an import cycle.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from . import auth, throttle
from . import scope as scopes
from .db import Database
from .errors import ApiError
from .schemas import ErrorBody

PREFIX = "/api/v1"


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status answers with the JSON error body."""
    return {status: {"model": ErrorBody} for status in statuses}


# -- the database and the caller -----------------------------------------------------------------


def get_db(request: Request) -> Database:
    return request.app.state.db


DB = Annotated[Database, Depends(get_db)]

_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/token")


def current_agent(db: DB, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> dict[str, Any]:
    """The signed-in agent; 401 (the client signs in again) for a missing, unknown or expired token."""
    agent = auth.agent_for_token(db, credentials.credentials) if credentials else None
    if agent is None:
        message = "sign in again: the token is unknown or expired" if credentials else "a bearer token is required"
        raise ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})
    return agent


Agent = Annotated[dict[str, Any], Depends(current_agent)]


def require_lead(agent: Agent) -> dict[str, Any]:
    if agent.get("role") != "lead":
        raise ApiError(403, "forbidden", "only team leads may do this")
    return agent


Lead = Annotated[dict[str, Any], Depends(require_lead)]


def current_scope(request: Request, agent: Agent) -> scopes.Scope:
    """The caller's queue scope (server/scope.py), under the server's "agents see all" option."""
    return scopes.Scope.of(agent, agents_see_all=bool(getattr(request.app.state, "agents_see_all", False)))


Scope = Annotated[scopes.Scope, Depends(current_scope)]


def client_address(request: Request) -> str:
    """The address failures are counted under: the TCP peer (`app.state.client_address` may replace
    this, e.g. with a trusted proxy's X-Forwarded-For, or in tests)."""
    override = getattr(request.app.state, "client_address", None)
    if override is not None:
        return override(request)
    return request.client.host if request.client else "unknown"


def integration_caller(
    request: Request, key: Annotated[str | None, Header(alias="X-Integration-Key", max_length=256)] = None
) -> None:
    """Channel connectors authenticate with the shared integration key, not an agent token."""
    configured: str | None = request.app.state.integration_key
    if not configured:
        raise ApiError(503, "inbound_disabled", "no integration key is configured on this server",
                       headers={"Retry-After": "3600"})
    key_throttle: throttle.KeyThrottle = request.app.state.key_throttle
    address = client_address(request)
    wait = key_throttle.retry_after(address)
    if wait:  # refused before the key is compared: a throttled guesser learns nothing
        raise ApiError(429, "rate_limited", "too many wrong integration keys from this address; try again later",
                       headers={"Retry-After": str(wait)})
    if not key or not hmac.compare_digest(key.encode(), configured.encode()):
        key_throttle.failed(address)
        raise ApiError(401, "unauthorized", "missing or wrong X-Integration-Key")


# -- parameters -----------------------------------------------------------------------------------

RecordId = Annotated[str, Path(min_length=1, max_length=128)]
ConversationId = RecordId

# Messages and knowledge writes require the key; the workflow writes take it when the client sends one.
IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=128)]
OptionalIdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]
