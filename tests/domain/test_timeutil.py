"""Timestamps: one canonical UTC form that sorts as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from agent_desktop.domain.timeutil import normalise_iso, now_iso, parse_iso, to_iso


def test_to_iso_is_utc_with_milliseconds() -> None:
    moment = datetime(2026, 11, 22, 18, 0, 0, 123999, tzinfo=timezone(timedelta(hours=8)))
    assert to_iso(moment) == "2026-11-22T10:00:00.123Z"


def test_parse_iso_round_trips_and_takes_naive_as_utc() -> None:
    assert parse_iso("2026-11-22T10:00:00") == datetime(2026, 11, 22, 10, tzinfo=UTC)
    assert parse_iso(" 2026-11-22T10:00:00Z ") == datetime(2026, 11, 22, 10, tzinfo=UTC)
    assert parse_iso(to_iso(datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC))) == \
        datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["", None, 5, "22/11/2026", "2026-11-22T10:00:00+99:00"])
def test_parse_iso_refuses_non_timestamps(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_iso(bad)  # type: ignore[arg-type]


def test_normalised_strings_sort_like_instants() -> None:
    wire = ["2026-11-22T18:00:00+08:00", "2026-11-22T09:59:59.999Z", "2026-11-22T05:00:01-05:00",
            "2026-11-21T23:00:00-12:00"]
    normalised = [normalise_iso(w) for w in wire]
    assert sorted(normalised) == [normalise_iso(w) for w in sorted(wire, key=parse_iso)]
    assert normalise_iso(None) is None


def test_now_iso_is_canonical_and_current() -> None:
    text = now_iso()
    assert text.endswith("Z") and len(text) == len("2026-11-22T10:00:00.000Z")
    assert abs((parse_iso(text) - datetime.now(UTC)).total_seconds()) < 5


def test_years_before_1000_stay_four_digits() -> None:
    assert normalise_iso("0999-01-01T00:00:00Z") == "0999-01-01T00:00:00.000Z"
