"""Business hours: callbacks and follow-ups land when the queue is open, in its own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time

from agent_desktop.domain import care
from agent_desktop.domain.business_hours import DEFAULT, BusinessHours, parse_business_hours


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_inside_hours_a_moment_stays_where_it_is():
    moment = _utc("2026-12-03T02:00:00")   # Thursday 10:00 in Shanghai
    assert DEFAULT.is_open(moment) and DEFAULT.next_open(moment) == moment


def test_a_late_evening_csat_follow_up_moves_to_the_next_morning():
    rated = _utc("2026-12-03T13:41:00")    # Thursday 21:41 in Shanghai: closed
    due = DEFAULT.at_least(care.follow_up_due(rated))   # + 4 h would be 01:41
    assert due == _utc("2026-12-04T01:00:00")   # Friday 09:00 in Shanghai


def test_closed_days_are_skipped_and_before_opening_means_today():
    saturday_night = _utc("2026-12-05T14:00:00")   # Saturday 22:00 Shanghai; Sunday closed
    assert DEFAULT.next_open(saturday_night) == _utc("2026-12-07T01:00:00")   # Monday 09:00
    early = _utc("2026-12-03T00:30:00")             # Thursday 08:30 Shanghai
    assert DEFAULT.next_open(early) == _utc("2026-12-03T01:00:00")


def test_another_time_zone_and_malformed_parts_fall_back_per_part():
    london = parse_business_hours({"timezone": "Europe/London", "days": [0, 1, 2, 3, 4], "opens": "08:00",
                                   "closes": "17:30"})
    assert london == BusinessHours("Europe/London", frozenset(range(5)), time(8, 0), time(17, 30))
    assert london.next_open(_utc("2026-12-04T18:00:00")) == _utc("2026-12-07T08:00:00")  # Fri eve → Mon
    broken = parse_business_hours({"timezone": "Mars/Olympus", "days": ["x"], "opens": "9", "closes": "08:00"})
    assert broken == DEFAULT
    assert parse_business_hours(None) == DEFAULT
    assert DEFAULT.describe_days() == "Mon–Sat"


def test_a_queue_record_keeps_valid_hours_and_drops_malformed_ones():
    import json

    from agent_desktop.domain.records import parse_queue

    queue = parse_queue("q-1", {"name": "售后", "version": 1, "business_hours": {
        "timezone": "Asia/Hong_Kong", "days": [0, 1, 2, 3, 4], "opens": "10:00", "closes": "19:00"}})
    assert json.loads(queue.business_hours) == {"timezone": "Asia/Hong_Kong", "days": [0, 1, 2, 3, 4],
                                                "opens": "10:00", "closes": "19:00"}
    assert parse_queue("q-2", {"name": "x", "version": 1, "business_hours": "9-5"}).business_hours == ""


def test_the_no_answer_retry_lands_inside_business_hours():
    evening = _utc("2026-12-03T12:30:00")  # Thursday 20:30 Shanghai: +2 h would be 22:30
    assert care.reschedule_due("no_answer", evening, None) == _utc("2026-12-04T01:00:00")
