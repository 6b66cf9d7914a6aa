"""Business hours per queue, in the queue's own time zone.

Callbacks, follow-ups and retries land inside them: a CSAT of 2 given at 21:41 is followed up
the next morning at opening time, not at 01:41. A queue's record may carry
`business_hours: {"timezone": "Asia/Shanghai", "days": [0..6, Monday = 0], "opens": "09:00",
"closes": "21:00"}`; without one, DEFAULT applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class BusinessHours:
    timezone: str = "Asia/Shanghai"
    days: frozenset[int] = frozenset(range(6))   # Monday to Saturday
    opens: time = time(9, 0)
    closes: time = time(21, 0)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_open(self, moment: datetime) -> datetime:
        """`moment` itself when the queue is open then, else the next opening (in UTC)."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(self.zone)
        day = local.date()
        if local.time() >= self.opens:
            day += timedelta(days=1)   # today's opening has passed (or we are after closing)
        for _ in range(8):
            if day.weekday() in self.days:
                return datetime.combine(day, self.opens, self.zone).astimezone(UTC)
            day += timedelta(days=1)
        return moment  # no open day at all: nothing to move to

    def at_least(self, earliest: datetime) -> datetime:
        """The first business moment at or after `earliest`."""
        return self.next_open(earliest)

    def describe_days(self) -> str:
        """Mon–Sat style, for labels (the UI translates the day names it shows)."""
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        ordered = sorted(self.days)
        if ordered and ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
            return f"{names[ordered[0]]}–{names[ordered[-1]]}"
        return ", ".join(names[d] for d in ordered)


DEFAULT = BusinessHours()


def parse_business_hours(data: Any) -> BusinessHours:
    """A queue's `business_hours`; anything missing or malformed falls back to DEFAULT's part."""
    if not isinstance(data, dict):
        return DEFAULT
    given = data.get("timezone")
    timezone: str = given if isinstance(given, str) else DEFAULT.timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        timezone = DEFAULT.timezone
    days = data.get("days")
    if isinstance(days, list) and days and all(isinstance(d, int) and 0 <= d <= 6 for d in days):
        day_set = frozenset(days)
    else:
        day_set = DEFAULT.days
    opens, closes = _clock(data.get("opens"), DEFAULT.opens), _clock(data.get("closes"), DEFAULT.closes)
    if closes <= opens:
        opens, closes = DEFAULT.opens, DEFAULT.closes
    return BusinessHours(timezone=timezone, days=day_set, opens=opens, closes=closes)


def _clock(value: Any, default: time) -> time:
    if not isinstance(value, str):
        return default
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return default
