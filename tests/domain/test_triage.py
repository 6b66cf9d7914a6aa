"""Urgency classes: live contacts, fresh breaches, due soon, backlog, on track."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent_desktop.domain.timeutil import to_iso
from agent_desktop.domain.triage import Urgency, urgency

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def _row(**fields):
    base = {"channel": "email", "status": "open", "created_at": to_iso(NOW - timedelta(hours=10)),
            "first_response_at": None, "waiting_since": None, "sla_due": None}
    return {**base, **fields}


def test_a_chat_customer_who_just_wrote_is_live_whatever_the_sla():
    row = _row(channel="chat", waiting_since=to_iso(NOW - timedelta(minutes=2)), first_response_at="x",
               sla_due=to_iso(NOW - timedelta(days=2)))
    assert urgency(row, NOW) == Urgency.LIVE
    stale = {**row, "waiting_since": to_iso(NOW - timedelta(hours=2))}
    assert urgency(stale, NOW) == Urgency.BACKLOG      # the chat went quiet two hours ago
    assert urgency({**row, "channel": "email"}, NOW) == Urgency.BACKLOG   # e-mail is never live


def test_a_fresh_breach_and_a_three_day_old_one_are_different_classes():
    assert urgency(_row(sla_due=to_iso(NOW - timedelta(minutes=20))), NOW) == Urgency.BREACHED_NOW
    assert urgency(_row(sla_due=to_iso(NOW - timedelta(days=3))), NOW) == Urgency.BACKLOG


def test_due_soon_on_track_and_no_sla():
    started = NOW - timedelta(hours=10)
    assert urgency(_row(created_at=to_iso(started), sla_due=to_iso(NOW + timedelta(minutes=30))), NOW) == Urgency.DUE_SOON
    assert urgency(_row(created_at=to_iso(started), sla_due=to_iso(NOW + timedelta(hours=8))), NOW) == Urgency.ON_TRACK
    assert urgency(_row(sla_due="9999-12-31T00:00:00Z"), NOW) == Urgency.NONE
