"""The Backend protocol every adapter implements, and the errors it may raise.

The sync engine only ever sees these errors, so it can decide: retry later (network, 5xx,
429), ask the user to sign in (401), resync (410), show a conflict (412), or mark an action
failed (other 4xx) — the same way for every vendor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class BackendError(Exception):
    """Base class; `str()` is a sentence a user can read. Never contains secrets."""


class NetworkError(BackendError):
    """Could not reach the server, or its answer was cut off: try again later."""


class TlsError(NetworkError):
    """The server's TLS certificate could not be verified (wrong address, or a CA the system lacks)."""


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


class PermissionDenied(Rejected):
    """403: signed in, but this account may not do that (a right the administrator grants)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 403)


class TransferCancelled(BackendError):
    """The agent cancelled an upload or download (raised by its progress callback)."""


class UnsupportedVersion(BackendError):
    """The server answers, but is a version (or a product) this adapter does not speak."""


class Unsupported(BackendError):
    """The connected backend cannot do this at all (a capability it lacks): never worth a retry."""


class Capability(StrEnum):
    """What a backend can do. An adapter declares the ones it offers in `capabilities`; the app
    greys out the rest (saying why) and refuses their outbox items without blocking the others."""

    CORE = "core"                  # the change feed, replies, notes, ticket changes (`Backend`)
    HANDOFF = "handoff"            # transfer / escalate with a note (`HandOffs`)
    CALLBACKS = "callbacks"        # scheduled callbacks and their outcomes (`Callbacks`)
    CSAT = "csat"                  # satisfaction scores recorded by the agent (`Surveys`)
    CUSTOMERS = "customers"        # customer notes, tags, linking and creating customers (`CustomerRecords`)
    AGENT_STATE = "agent_state"    # the agent's state on the server (`AgentStates`)
    OFFERS = "offers"              # routing offers accepted or declined (`Offers`)
    PRESENCE = "presence"          # who else views or replies (`Presence`)
    SCRIPTS = "scripts"            # personal scripts written back (`Scripts`)
    KNOWLEDGE_FEEDBACK = "knowledge_feedback"  # FAQ "helped?" and usage counts (`KnowledgeFeedback`)
    STATS = "stats"                # live queue statistics for the tiles (`QueueStats`)
    LEAD_ACTIONS = "lead_actions"  # a lead reassigns work and moves agents between queues (`LeadActions`)
    ATTACHMENTS = "attachments"    # files on messages, in and out, and HTML e-mail replies (`Attachments`)


CORE = Capability.CORE
ALL_CAPABILITIES = frozenset(Capability)


def capabilities_of(backend: object) -> frozenset[str]:
    """An adapter that declares nothing offers the core only (the Backend protocol's operations)."""
    declared = getattr(backend, "capabilities", None)
    return frozenset(declared) if declared is not None else frozenset({CORE})


def sends_idempotently(backend: object) -> bool:
    """Does the backend honour our Idempotency-Key? An adapter that cannot says
    `idempotency_keys = False` and takes `resend_since=` (when an earlier attempt began, or None)."""
    return bool(getattr(backend, "idempotency_keys", True))


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

    def post_message(self, conversation_id: str, kind: str, body: str, idempotency_key: str, *,
                     resend_since: str | None = None) -> dict[str, Any]:
        """The message as stored. `resend_since` is given only to adapters without idempotency keys
        (`sends_idempotently`): when an earlier attempt began, so they look before writing again."""
        ...

    def patch_conversation(self, conversation_id: str, fields: dict[str, Any],
                           if_match: int | None) -> dict[str, Any]: ...
