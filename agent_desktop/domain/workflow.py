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


# -- wrap-up, transfer and escalation (issue 4) ---------------------------------------------------

HANDOFF_NOTE_MIN_CHARS = 5  # "ok" is not a hand-off: the receiver must learn what was done and what is left
HANDOFF_NOTE_MAX_CHARS = 4000
ACW_DEFAULT_SECONDS = 60  # after-contact work: time to finish notes before the next contact is offered


class HandOffRefused(ValueError):
    """A transfer or escalation the workflow does not allow; `str()` says why."""


def check_resolution(target: str, disposition: str | None, known_dispositions: set[str] | None = None) -> None:
    """Resolving needs a wrap-up (disposition) code, and it must be one the backend lists."""
    if target != Status.RESOLVED:
        return
    if not disposition or not disposition.strip():
        raise TransitionRefused("choose a wrap-up code (disposition) before resolving")
    if known_dispositions is not None and disposition not in known_dispositions:
        raise TransitionRefused(f"unknown wrap-up code {disposition!r}")


def check_change(current: dict[str, object], changes: dict[str, object],
                 known_dispositions: set[str] | None = None) -> None:
    """All workflow rules for one ticket change (status transition, wrap-up code)."""
    if "status" in changes:
        check_transition(str(current.get("status", "")), str(changes["status"]))
        disposition = changes.get("disposition", current.get("disposition"))
        check_resolution(str(changes["status"]), disposition if isinstance(disposition, str) else None,
                         known_dispositions)
    elif "disposition" in changes and changes["disposition"] is not None and known_dispositions is not None:
        if changes["disposition"] not in known_dispositions:
            raise TransitionRefused(f"unknown wrap-up code {changes['disposition']!r}")


def check_handoff(current_status: str, note: str | None, *, queue_id: str | None,
                  assignee_id: str | None, current_queue: str | None = None,
                  current_assignee: str | None = None) -> str:
    """A transfer or escalation needs a target and a real hand-off note; returns the cleaned note."""
    if current_status in (Status.RESOLVED, Status.CLOSED):
        raise HandOffRefused(f"a {current_status} conversation cannot be transferred; reopen it first")
    if not queue_id and not assignee_id:
        raise HandOffRefused("choose a queue or an agent to hand the conversation to")
    if queue_id == current_queue and (not assignee_id or assignee_id == current_assignee):
        raise HandOffRefused("the conversation is already in that queue")
    text = (note or "").strip()
    if len(text) < HANDOFF_NOTE_MIN_CHARS:
        raise HandOffRefused("write a hand-off note: what the customer needs, what was done, what is left")
    if len(text) > HANDOFF_NOTE_MAX_CHARS:
        raise HandOffRefused(f"the hand-off note is longer than {HANDOFF_NOTE_MAX_CHARS} characters")
    return text


def status_after_handoff(current: str) -> str:
    """A handed-off conversation waits for its new owner: back to new unless someone is working it."""
    return Status.OPEN.value if current == Status.PENDING else current
