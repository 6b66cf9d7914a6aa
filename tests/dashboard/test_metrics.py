"""Each metric against hand-computed fixtures, with the edge cases: no contacts, all abandoned, limits met."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent_desktop.domain import metrics as m
from agent_desktop.domain.timeutil import to_iso

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def ago(**delta: float) -> str:
    return to_iso(NOW - timedelta(**delta))


def test_no_contacts_gives_no_data_not_zero() -> None:
    empty = m.Counters()
    assert [m.service_level(empty), m.average_speed_of_answer(empty), m.abandon_rate(empty),
            m.average_handle_time(empty), m.first_contact_resolution(empty), m.csat_average(empty)] == [None] * 6
    metrics = m.queue_metrics(empty, m.live_metrics([], NOW), m.agents_by_state([]), None)
    assert metrics["contacts_waiting"] == 0 and metrics["oldest_wait_s"] is None
    assert m.worst(m.evaluate(metrics, m.DEFAULT_THRESHOLDS).values()) == m.Level.OK


def test_service_level_counts_abandons_the_amazon_connect_way() -> None:
    # 10 queued: 7 answered (5 within X), 2 abandoned (1 within X), 1 still waiting.
    c = m.Counters(offered=10, answered=7, answered_in_sl=5, abandoned=2, abandoned_in_sl=1, wait_sum_s=140)
    assert m.service_level(c) == pytest.approx(0.6)       # (5 + 1) / 10
    assert m.average_speed_of_answer(c) == pytest.approx(20)  # 140 / 7, abandons excluded
    assert m.abandon_rate(c) == pytest.approx(0.2)


def test_all_abandoned() -> None:
    c = m.Counters(offered=4, abandoned=4, abandoned_in_sl=1)
    assert m.service_level(c) == pytest.approx(0.25)  # the one that left within X counts as met
    assert m.abandon_rate(c) == 1.0
    assert m.average_speed_of_answer(c) is None
    assert m.average_handle_time(c) is None


def test_handle_time_includes_after_contact_work_and_quality_rates() -> None:
    c = m.Counters(handled=4, handle_sum_s=1000, acw_sum_s=200, resolved=5, fcr=4, csat_n=4, csat_sum=17,
                   csat_satisfied=3)
    assert m.average_handle_time(c) == pytest.approx(300)
    assert m.first_contact_resolution(c) == pytest.approx(0.8)
    assert m.csat_average(c) == pytest.approx(4.25)
    assert m.csat_satisfied(c) == pytest.approx(0.75)


def test_counters_add_up_across_hours() -> None:
    total = m.Counters(offered=3, answered=2) + m.Counters(offered=1, abandoned=1)
    assert (total.offered, total.answered, total.abandoned) == (4, 2, 1)
    assert m.Counters.from_mapping(total.as_dict()) == total


def test_sl_threshold_per_channel() -> None:
    assert m.sl_threshold_seconds("phone") == 20
    assert m.sl_threshold_seconds("chat", 9999) == 60
    assert m.sl_threshold_seconds("email", 7200) == 7200
    assert m.sl_threshold_seconds("web") == 3600


def test_live_metrics_waiting_oldest_and_sla_states() -> None:
    work = [
        m.OpenWork("new", ago(minutes=10), waiting_since=ago(minutes=10), first_response_due=ago(minutes=-50)),
        m.OpenWork("new", ago(minutes=9), first_response_due=ago(minutes=-1)),        # 10 % of 10 min left: at risk
        m.OpenWork("open", ago(hours=3), first_response_at=ago(hours=2), resolution_due=ago(minutes=5)),  # breached
        m.OpenWork("pending", ago(hours=1), first_response_at=ago(minutes=50), resolution_due=ago(hours=-20)),
    ]
    live = m.live_metrics(work, NOW)
    assert live.waiting == 2
    assert live.oldest_wait_s == pytest.approx(600)
    assert (live.sla_at_risk, live.sla_breached) == (1, 1)


def test_agents_by_state_and_occupancy() -> None:
    counts = m.agents_by_state(["available", "busy", "busy", "acw", "break", None, "asleep"])
    assert counts == {"available": 1, "busy": 2, "acw": 1, "break": 1, "offline": 2}
    assert m.occupancy(3000, 600, 2400) == pytest.approx(0.6)
    assert m.occupancy(0, 0, 0) is None


def test_threshold_exactly_met_is_within_it() -> None:
    sl = m.Threshold(warning=0.80, critical=0.70)
    assert m.level("service_level", 0.80, sl) == m.Level.OK
    assert m.level("service_level", 0.7999, sl) == m.Level.WARNING
    assert m.level("service_level", 0.70, sl) == m.Level.WARNING
    assert m.level("service_level", 0.69, sl) == m.Level.CRITICAL
    waiting = m.Threshold(warning=25, critical=60)
    assert m.level("contacts_waiting", 25, waiting) == m.Level.OK
    assert m.level("contacts_waiting", 26, waiting) == m.Level.WARNING
    assert m.level("contacts_waiting", 61, waiting) == m.Level.CRITICAL
    assert m.level("contacts_waiting", None, waiting) == m.Level.OK
    assert m.level("contacts_waiting", 99, m.Threshold()) == m.Level.OK


def test_tile_state_is_the_worst_metric() -> None:
    levels = m.evaluate({"service_level": 0.75, "contacts_waiting": 70, "asa_s": 10},
                        {"service_level": m.Threshold(0.8, 0.7), "contacts_waiting": m.Threshold(25, 60),
                         "asa_s": m.Threshold(30, 60)})
    assert levels == {"service_level": m.Level.WARNING, "contacts_waiting": m.Level.CRITICAL, "asa_s": m.Level.OK}
    assert m.worst(levels.values()) == m.Level.CRITICAL
    assert m.worst([]) == m.Level.OK


@pytest.mark.parametrize(("metric", "threshold"), [
    ("service_level", m.Threshold(0.7, 0.8)),      # critical milder than warning (higher is better)
    ("contacts_waiting", m.Threshold(10, 5)),      # critical milder than warning (lower is better)
    ("contacts_waiting", m.Threshold(-1, None)),
    ("bogus", m.Threshold(1, 2)),
])
def test_impossible_thresholds_are_refused(metric: str, threshold: m.Threshold) -> None:
    with pytest.raises(m.InvalidThreshold):
        m.check_threshold(metric, threshold)


def test_thresholds_json_round_trip_and_bad_input() -> None:
    data = {"q-1": {"service_level": m.Threshold(0.9, 0.8), "asa_s": m.Threshold(None, 120)}}
    assert m.thresholds_from_json(m.thresholds_to_json(data)) == data
    for bad in ([], {"q": []}, {"q": {"asa_s": 5}}, {"q": {"asa_s": {"warning": "x"}}}):
        with pytest.raises(m.InvalidThreshold):
            m.thresholds_from_json(bad)


def test_hourly_series_fills_missing_hours() -> None:
    series = m.hourly_series({"h2": m.Counters(offered=4, answered=3, answered_in_sl=3, abandoned=1)}, ["h1", "h2"])
    assert series[0] == {"hour": "h1", "offered": 0, "answered": 0, "abandoned": 0, "service_level": None}
    assert series[1]["service_level"] == pytest.approx(0.75)
