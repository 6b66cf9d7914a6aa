"""Domain rules of the workflow: wrap-up, hand-off, FCR, SLA policies and alerts, routing, callbacks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent_desktop.domain import care
from agent_desktop.domain.business_hours import DEFAULT as DEFAULT_HOURS
from agent_desktop.domain.fcr import Fcr, fcr_rate, fcr_state
from agent_desktop.domain.records import InvalidRecord, parse_conversation
from agent_desktop.domain.routing import AgentSlot, choose_agent, routing_order
from agent_desktop.domain.sla import SlaState
from agent_desktop.domain.sla_policy import SlaWatch, parse_sla_policy, targets_from_policies
from agent_desktop.domain.timeutil import to_iso
from agent_desktop.domain.workflow import (
    HandOffRefused,
    TransitionRefused,
    check_change,
    check_handoff,
    check_resolution,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_resolving_needs_a_disposition_from_the_list() -> None:
    with pytest.raises(TransitionRefused, match="wrap-up"):
        check_resolution("resolved", None)
    with pytest.raises(TransitionRefused, match="wrap-up"):
        check_resolution("resolved", "  ")
    with pytest.raises(TransitionRefused, match="unknown"):
        check_resolution("resolved", "x", {"refund-issued"})
    check_resolution("resolved", "refund-issued", {"refund-issued"})
    check_resolution("pending", None)  # only resolving needs one


def test_check_change_combines_transition_and_wrap_up() -> None:
    with pytest.raises(TransitionRefused, match="closed"):
        check_change({"status": "closed"}, {"status": "open"})
    with pytest.raises(TransitionRefused, match="wrap-up"):
        check_change({"status": "open"}, {"status": "resolved"})
    check_change({"status": "open"}, {"status": "resolved", "disposition": "d"})
    check_change({"status": "open", "disposition": "d"}, {"status": "resolved"})
    with pytest.raises(TransitionRefused):
        check_change({"status": "open"}, {"disposition": "nope"}, {"d"})


def test_handoff_needs_target_and_a_real_note() -> None:
    with pytest.raises(HandOffRefused, match="queue or an agent"):
        check_handoff("open", "a long enough note", queue_id=None, assignee_id=None)
    with pytest.raises(HandOffRefused, match="hand-off note"):
        check_handoff("open", " ok ", queue_id="q-l2", assignee_id=None)
    with pytest.raises(HandOffRefused, match="reopen"):
        check_handoff("resolved", "a long enough note", queue_id="q-l2", assignee_id=None)
    with pytest.raises(HandOffRefused, match="already"):
        check_handoff("open", "a long enough note", queue_id="q-a", assignee_id=None, current_queue="q-a")
    assert check_handoff("open", "  客户要求退款，已核实订单  ", queue_id="q-l2", assignee_id=None) == "客户要求退款，已核实订单"


@pytest.mark.parametrize(("resolved_days_ago", "transfers", "reopens", "contacts", "expected"), [
    (None, 0, 0, 1, Fcr.NOT_RESOLVED),
    (None, 1, 0, 1, Fcr.NO),
    (8, 0, 0, 1, Fcr.YES),
    (2, 0, 0, 1, Fcr.PROVISIONAL),
    (8, 1, 0, 1, Fcr.NO),
    (8, 0, 1, 1, Fcr.NO),
    (8, 0, 0, 2, Fcr.NO),
])
def test_fcr(resolved_days_ago, transfers, reopens, contacts, expected) -> None:
    resolved = to_iso(NOW - timedelta(days=resolved_days_ago)) if resolved_days_ago is not None else None
    assert fcr_state(resolved_at=resolved, transfer_count=transfers, reopen_count=reopens,
                     customer_contacts=contacts, now=NOW) == expected


def test_fcr_rate_ignores_undecided() -> None:
    assert fcr_rate([Fcr.YES, Fcr.NO, Fcr.PROVISIONAL, Fcr.YES]) == pytest.approx(2 / 3)
    assert fcr_rate([Fcr.PROVISIONAL]) is None


def _policy(pid: str, first: float, resolution: float, **keys) -> object:
    return parse_sla_policy(pid, {"first_response_minutes": first, "resolution_minutes": resolution,
                                  "version": 1, **keys})


def test_sla_policy_most_specific_wins_and_falls_back_to_channel_defaults() -> None:
    policies = [_policy("tier", 60, 600, tier="standard"), _policy("tier-prio", 30, 300, tier="standard",
                                                                   priority="high"),
                _policy("queue", 10, 100, queue_id="q-complaints"), _policy("vip", 5, 50, tier="vip")]
    high = targets_from_policies(policies, queue_id="q-sales", tier="standard", priority="high", channel="email")
    assert high.first_response == timedelta(minutes=30)
    assert targets_from_policies(policies, queue_id="q-complaints", tier="standard", priority="high",
                                 channel="email").first_response == timedelta(minutes=10)
    fallback = targets_from_policies(policies, queue_id="q-x", tier="key_account", priority="low", channel="chat")
    assert fallback.first_response == timedelta(minutes=3 * 0.75 * 2)
    vip = targets_from_policies(policies, queue_id="q-x", tier="vip", priority="normal", channel="email")
    assert vip.first_response < high.first_response  # VIP conversations rise in the SLA-ordered inbox


def test_sla_policy_validation() -> None:
    with pytest.raises(InvalidRecord, match="tier"):
        _policy("p", 1, 2, tier="gold")
    with pytest.raises(InvalidRecord, match="shorter"):
        _policy("p", 10, 5)
    with pytest.raises(InvalidRecord, match="minutes"):
        _policy("p", -1, 5)


def test_sla_watch_alerts_once_per_worsening() -> None:
    watch = SlaWatch()
    start = to_iso(NOW - timedelta(minutes=50))
    due = to_iso(NOW + timedelta(minutes=50))
    assert watch.update([("a", due, start)], NOW) == []
    assert watch.update([("a", due, start)], NOW + timedelta(minutes=35)) == [("a", SlaState.AT_RISK)]
    assert watch.update([("a", due, start)], NOW + timedelta(minutes=36)) == []
    assert watch.update([("a", due, start)], NOW + timedelta(minutes=51)) == [("a", SlaState.BREACHED)]
    assert watch.update([("a", due, start)], NOW + timedelta(minutes=52)) == []


def _agent(aid: str, idle: str, state: str = "available", queues=("q1",), load=None, declined=()) -> AgentSlot:
    return AgentSlot(id=aid, state=state, queue_ids=frozenset(queues), idle_since=idle, load=load or {},
                     declined=frozenset(declined))


def test_routing_longest_idle_available_member_with_room() -> None:
    agents = [_agent("a", "2026-11-22T11:50:00.000Z"), _agent("b", "2026-11-22T11:00:00.000Z"),
              _agent("c", "2026-11-22T10:00:00.000Z", state="break"),
              _agent("d", "2026-11-22T09:00:00.000Z", queues=("q2",))]
    assert choose_agent(agents, conversation_id="cv", queue_id="q1", channel="chat").id == "b"
    busy_b = [*agents[:1], _agent("b", "2026-11-22T11:00:00.000Z", load={"chat": 3})]
    assert choose_agent(busy_b, conversation_id="cv", queue_id="q1", channel="chat").id == "a"
    declined = [_agent("b", "2026-11-22T11:00:00.000Z", declined=("cv",))]
    assert choose_agent(declined, conversation_id="cv", queue_id="q1", channel="chat") is None


def test_capacity_defaults_and_voice_is_exclusive() -> None:
    idle = "2026-11-22T11:00:00.000Z"
    assert _agent("a", idle, load={"chat": 2}).has_room("chat")
    assert not _agent("a", idle, load={"phone": 1}).has_room("phone")
    assert not _agent("a", idle, load={"chat": 1}).has_room("phone")
    assert not _agent("a", idle, load={"phone": 1}).has_room("email")
    assert _agent("a", idle, load={"email": 4}).has_room("email")
    assert not _agent("a", idle, load={"email": 5}).has_room("email")


def test_routing_order_urgent_then_deadline() -> None:
    waiting = [{"id": "1", "priority": "normal", "first_response_due": "2026-01-01"},
               {"id": "2", "priority": "urgent", "first_response_due": "2026-06-01"},
               {"id": "3", "priority": "normal", "first_response_due": "2025-01-01"}]
    assert [c["id"] for c in routing_order(waiting)] == ["2", "3", "1"]


def test_csat_rules_and_callback_outcomes() -> None:
    assert care.needs_follow_up(1) and care.needs_follow_up(2) and not care.needs_follow_up(3)
    assert care.reschedule_due("done", NOW, None) is None
    assert care.reschedule_due("no_answer", NOW, None) == DEFAULT_HOURS.at_least(NOW + care.NO_ANSWER_RETRY)
    later = NOW + timedelta(days=1)
    assert care.reschedule_due("reschedule", NOW, later) == later
    with pytest.raises(ValueError, match="new time"):
        care.reschedule_due("reschedule", NOW, None)
    with pytest.raises(ValueError, match="past"):
        care.reschedule_due("reschedule", NOW, NOW - timedelta(minutes=1))
    with pytest.raises(InvalidRecord, match="score"):
        care.parse_csat("x", {"conversation_id": "c", "customer_id": "u", "score": 0, "version": 1})


def test_records_parse_and_reject() -> None:
    callback = care.parse_callback("cb", {"customer_id": "c1", "due_at": "2026-11-22T12:00:00Z", "version": 2})
    assert callback.status == "scheduled" and callback.due_at == "2026-11-22T12:00:00.000Z"
    with pytest.raises(InvalidRecord, match="due_at"):
        care.parse_callback("cb", {"customer_id": "c1", "version": 1})
    order = care.parse_order("o", {"customer_id": "c", "number": "1", "status": "paid", "total": "9.90",
                                   "items": [{"name": "杯子", "quantity": 2, "price": "4.95"}], "version": 1})
    assert order.items[0].quantity == 2
    with pytest.raises(InvalidRecord, match="load"):
        care.parse_agent_status("a", {"state": "available", "load": {"chat": -1}, "version": 1})
    conversation = parse_conversation("cv", {"channel": "chat", "status": "resolved", "customer_id": "c",
                                             "version": 3, "disposition": "refund-issued", "transfer_count": 1})
    assert conversation.disposition == "refund-issued" and conversation.transfer_count == 1
    with pytest.raises(InvalidRecord, match="transfer_count"):
        parse_conversation("cv", {"channel": "chat", "status": "open", "customer_id": "c", "version": 1,
                                  "transfer_count": -2})
