"""Status lifecycle of a conversation: which transitions are allowed, and why not."""

from __future__ import annotations

from .enums import Status

# new → open → pending → resolved → closed; resolved can be reopened, closed is final.
_ALLOWED: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.RESOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class TransitionRefused(ValueError):
    """A status change the workflow does not allow; `str()` says why."""


def allowed_transitions(current: str) -> frozenset[str]:
    return _ALLOWED.get(current, frozenset())


def check_transition(current: str, target: str) -> None:
    """Raise TransitionRefused with a reason unless `current → target` is allowed."""
    if target not in Status.values():
        raise TransitionRefused(f"unknown status {target!r}")
    if current == target:
        raise TransitionRefused(f"the conversation is already {target}")
    if current == Status.CLOSED:
        raise TransitionRefused("a closed conversation cannot change; the customer's next message opens a new one")
    if target == Status.NEW:
        raise TransitionRefused("a conversation cannot go back to new")
    if target not in allowed_transitions(current):
        raise TransitionRefused(f"{current} cannot go to {target}; resolve it first")


def status_after_customer_message(current: str) -> str:
    """A customer writing again wakes a pending or resolved conversation."""
    if current in (Status.PENDING, Status.RESOLVED):
        return Status.OPEN.value
    return current


def status_after_agent_reply(current: str) -> str:
    """The first agent reply takes a new conversation into open."""
    return Status.OPEN.value if current == Status.NEW else current
