"""SLA targets, the deadline that matters, the countdown state and its display."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent_desktop.domain.sla import SlaState, format_countdown, next_due, sla_state, targets_for
from agent_desktop.domain.timeutil import to_iso

NOW = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)


def at(minutes: float) -> str:
    return to_iso(NOW + timedelta(minutes=minutes))


# -- sla_state -------------------------------------------------------------------------------------

def test_plenty_of_time_left_is_ok() -> None:
    assert sla_state(at(60), at(-60), NOW) == SlaState.OK          # 50 % left


def test_twenty_percent_or_less_left_is_at_risk() -> None:
    assert sla_state(at(10), at(-90), NOW) == SlaState.AT_RISK     # 10 % left
    assert sla_state(at(20), at(-80), NOW) == SlaState.AT_RISK     # exactly 20 % left
    assert sla_state(at(1 / 60), at(-100), NOW) == SlaState.AT_RISK  # one second left


def test_just_over_twenty_percent_left_is_ok() -> None:
    due = NOW + timedelta(minutes=20, seconds=1)
    started = NOW - timedelta(minutes=80)
    assert sla_state(to_iso(due), to_iso(started), NOW) == SlaState.OK


def test_due_now_or_past_is_breached() -> None:
    assert sla_state(at(0), at(-30), NOW) == SlaState.BREACHED
    assert sla_state(at(-1), at(-30), NOW) == SlaState.BREACHED
    assert sla_state(at(-60 * 24 * 3), None, NOW) == SlaState.BREACHED


def test_no_due_or_unparsable_due_is_none() -> None:
    assert sla_state(None, at(-10), NOW) == SlaState.NONE
    assert sla_state("", at(-10), NOW) == SlaState.NONE
    assert sla_state("not a time", at(-10), NOW) == SlaState.NONE


def test_without_a_start_a_future_due_is_ok_not_at_risk() -> None:
    assert sla_state(at(0.5), None, NOW) == SlaState.OK
    assert sla_state(at(0.5), "garbage", NOW) == SlaState.OK


def test_started_after_due_is_not_at_risk() -> None:
    # nonsensical window (start after due): no share can be computed
    assert sla_state(at(5), at(10), NOW) == SlaState.OK


def test_offsets_are_compared_as_instants() -> None:
    # due 18:05+08:00 == 10:05Z, started 17:00+08:00 == 09:00Z: 5 of 65 minutes left → at risk
    assert sla_state("2026-11-22T18:05:00+08:00", "2026-11-22T17:00:00+08:00", NOW) == SlaState.AT_RISK


# -- targets_for -----------------------------------------------------------------------------------

@pytest.mark.parametrize("channel", ["phone", "chat", "email", "web", "social"])
@pytest.mark.parametrize("priority", ["low", "normal", "high", "urgent"])
def test_vip_targets_are_shorter_than_standard(channel: str, priority: str) -> None:
    vip = targets_for(channel, "vip", priority)
    key = targets_for(channel, "key_account", priority)
    std = targets_for(channel, "standard", priority)
    assert vip.first_response < key.first_response < std.first_response
    assert vip.resolution < key.resolution < std.resolution


@pytest.mark.parametrize("channel", ["phone", "chat", "email", "web", "social"])
@pytest.mark.parametrize("tier", ["vip", "key_account", "standard"])
def test_urgent_targets_are_shorter_than_low(channel: str, tier: str) -> None:
    ordered = [targets_for(channel, tier, p) for p in ("urgent", "high", "normal", "low")]
    firsts = [t.first_response for t in ordered]
    resolutions = [t.resolution for t in ordered]
    assert firsts == sorted(firsts) and len(set(firsts)) == 4
    assert resolutions == sorted(resolutions) and len(set(resolutions)) == 4


@pytest.mark.parametrize("channel", ["phone", "chat", "email", "web", "social"])
def test_tier_and_priority_scale_the_channel_baseline(channel: str) -> None:
    # the per-channel numbers are tuning; the scaling rules are the contract
    base = targets_for(channel, "standard", "normal")
    assert base.first_response > timedelta(0) and base.resolution > base.first_response
    for tier, factor in (("vip", 0.5), ("key_account", 0.75)):
        scaled = targets_for(channel, tier, "normal")
        assert scaled.first_response == base.first_response * factor
        assert scaled.resolution == base.resolution * factor
    for priority, factor in (("urgent", 0.25), ("high", 0.5), ("low", 2.0)):
        scaled = targets_for(channel, "standard", priority)
        assert scaled.first_response == base.first_response * factor
        assert scaled.resolution == base.resolution * factor
    both = targets_for(channel, "vip", "urgent")
    assert both.first_response == base.first_response * 0.125


def test_live_channels_answer_faster_than_email() -> None:
    phone, chat, email = (targets_for(c, "standard", "normal") for c in ("phone", "chat", "email"))
    assert phone.first_response < email.first_response
    assert chat.first_response < email.first_response
    assert phone.first_response <= timedelta(minutes=5)


def test_unknown_inputs_fall_back_to_defaults() -> None:
    assert targets_for("chat", "gold", "normal") == targets_for("chat", "standard", "normal")
    assert targets_for("chat", "standard", "whenever") == targets_for("chat", "standard", "normal")
    fallback = targets_for("pigeon", "standard", "normal")
    assert timedelta(0) < fallback.first_response < fallback.resolution


# -- next_due --------------------------------------------------------------------------------------

def test_next_due_is_first_response_until_answered() -> None:
    assert next_due(None, at(5), at(600)) == at(5)


def test_next_due_is_resolution_once_answered() -> None:
    assert next_due(at(-3), at(5), at(600)) == at(600)


def test_next_due_without_first_response_target_is_resolution() -> None:
    assert next_due(None, None, at(600)) == at(600)
    assert next_due(None, "", at(600)) == at(600)
    assert next_due(None, None, None) is None


# -- format_countdown ------------------------------------------------------------------------------

@pytest.mark.parametrize(("seconds", "text"), [
    (0, "00:00"), (59, "00:59"), (252, "04:12"), (252.9, "04:12"), (3599, "59:59"),
    (3600, "1h 00m"), (7500, "2h 05m"), (86399, "23h 59m"),
    (86400, "1d 0h"), (3 * 86400 + 4 * 3600 + 59, "3d 4h"),
    (-252, "-04:12"), (-7500, "-2h 05m"), (-3 * 86400 - 4 * 3600, "-3d 4h"),
])
def test_format_countdown(seconds: float, text: str) -> None:
    assert format_countdown(seconds) == text
