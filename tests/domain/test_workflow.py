"""Status lifecycle: which transitions are allowed, and the reason given when one is refused."""

from __future__ import annotations

import pytest

from agent_desktop.domain.enums import Status
from agent_desktop.domain.workflow import (
    TransitionRefused,
    allowed_transitions,
    check_transition,
    status_after_agent_reply,
    status_after_customer_message,
)

ALLOWED = {
    ("new", "open"), ("new", "pending"), ("new", "resolved"),
    ("open", "pending"), ("open", "resolved"),
    ("pending", "open"), ("pending", "resolved"),
    ("resolved", "open"), ("resolved", "closed"),
}
STATUSES = Status.values()


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_transitions_pass(current: str, target: str) -> None:
    check_transition(current, target)  # must not raise
    assert target in allowed_transitions(current)


@pytest.mark.parametrize(("current", "target"),
                         [(c, t) for c in STATUSES for t in STATUSES if (c, t) not in ALLOWED])
def test_every_other_pair_is_refused(current: str, target: str) -> None:
    with pytest.raises(TransitionRefused):
        check_transition(current, target)


@pytest.mark.parametrize("target", ["new", "open", "pending", "resolved"])
def test_closed_is_final(target: str) -> None:
    with pytest.raises(TransitionRefused, match="closed conversation cannot change"):
        check_transition("closed", target)
    assert allowed_transitions("closed") == frozenset()


@pytest.mark.parametrize("current", ["open", "pending", "resolved"])
def test_cannot_go_back_to_new(current: str) -> None:
    with pytest.raises(TransitionRefused, match="cannot go back to new"):
        check_transition(current, "new")


@pytest.mark.parametrize("status", STATUSES)
def test_same_status_is_refused(status: str) -> None:
    with pytest.raises(TransitionRefused, match=f"already {status}"):
        check_transition(status, status)


@pytest.mark.parametrize("current", ["open", "pending", "new"])
def test_closing_requires_resolving_first(current: str) -> None:
    with pytest.raises(TransitionRefused, match="resolve it first"):
        check_transition(current, "closed")


def test_unknown_target_status_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="unknown status 'archived'"):
        check_transition("open", "archived")


def test_refusal_is_a_value_error() -> None:
    assert issubclass(TransitionRefused, ValueError)


def test_unknown_current_status_allows_nothing() -> None:
    assert allowed_transitions("bogus") == frozenset()


@pytest.mark.parametrize(("current", "after"), [
    ("new", "new"), ("open", "open"), ("pending", "open"), ("resolved", "open"), ("closed", "closed"),
])
def test_customer_message_wakes_pending_and_resolved(current: str, after: str) -> None:
    assert status_after_customer_message(current) == after


@pytest.mark.parametrize(("current", "after"), [
    ("new", "open"), ("open", "open"), ("pending", "pending"), ("resolved", "resolved"),
])
def test_first_agent_reply_opens_a_new_conversation(current: str, after: str) -> None:
    assert status_after_agent_reply(current) == after
