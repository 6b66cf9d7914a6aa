"""The Backend protocol every adapter implements, and the errors it may raise.

The sync engine only ever sees these errors, so it can decide: retry later (network, 5xx,
429), ask the user to sign in (401), resync (410), show a conflict (412), or mark an action
failed (other 4xx) — the same way for every vendor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class BackendError(Exception):
    """Base class; `str()` is a sentence a user can read. Never contains secrets."""


class NetworkError(BackendError):
    """Could not reach the server, or its answer was cut off: try again later."""


class ServerBusy(BackendError):
    """5xx, 429 or 503: try again after `retry_after` seconds (None: use backoff)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthRequired(BackendError):
    """401: the token expired or was revoked. Queued work waits for a new sign-in."""


class CursorExpired(BackendError):
    """410: the server no longer has changes since our cursor; resync from scratch."""


class VersionConflict(BackendError):
    """412: the record changed on the server; `current` is its state now."""

    def __init__(self, message: str, current: dict[str, Any] | None) -> None:
        super().__init__(message)
        self.current = current


class Rejected(BackendError):
    """Another 4xx: the server will never accept this request as it is."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class Unsupported(BackendError):
    """The connected backend cannot do this at all (a capability it lacks): never worth a retry."""


# What a backend can do beyond the core (sync, reply, note, ticket changes). An adapter declares the
# ones it offers in `capabilities`; the app greys out the rest and refuses their outbox items.
CORE = "core"
WORKFLOW = "workflow"      # transfer, callbacks, CSAT, customer notes and tags, agent state, offers
KNOWLEDGE = "knowledge"    # personal scripts, FAQ feedback, usage counts
ALL_CAPABILITIES = frozenset({CORE, WORKFLOW, KNOWLEDGE})


def capabilities_of(backend: object) -> frozenset[str]:
    """An adapter that declares nothing offers the core only (the Backend protocol's operations)."""
    declared = getattr(backend, "capabilities", None)
    return frozenset(declared) if declared is not None else frozenset({CORE})


class MalformedResponse(BackendError):
    """The server answered, but not with what the contract promises (e.g. a captive portal)."""


@dataclass
class SignIn:
    token: str
    agent: dict[str, Any]
    expires_at: str | None = None


@dataclass
class ChangeBatch:
    changes: list[Any]
    cursor: str | None
    has_more: bool
    extra: dict[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    base_url: str

    def sign_in(self, username: str, password: str) -> SignIn: ...

    def set_token(self, token: str | None) -> None: ...

    def changes(self, cursor: str | None, limit: int = 500) -> ChangeBatch: ...

    def post_message(self, conversation_id: str, kind: str, body: str, idempotency_key: str) -> dict[str, Any]: ...

    def patch_conversation(self, conversation_id: str, fields: dict[str, Any],
                           if_match: int | None) -> dict[str, Any]: ...
