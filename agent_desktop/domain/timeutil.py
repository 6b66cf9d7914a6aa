"""UTC timestamps as ISO-8601 strings: the only time format on the wire and in the stores."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# The form to_iso writes; a synced record carries a dozen of them, so they skip re-formatting.
_CANONICAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """Format as `2026-11-22T10:00:00.123Z` (UTC, millisecond precision, sortable as text)."""
    moment = moment.astimezone(UTC)
    return f"{moment.year:04d}" + moment.strftime("-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_iso() -> str:
    return to_iso(utcnow())


def parse_iso(text: str) -> datetime:
    """Parse an ISO-8601 timestamp; naive values are taken as UTC. Raises ValueError."""
    if not isinstance(text, str) or not text:
        raise ValueError(f"not a timestamp: {text!r}")
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def normalise_iso(text: str | None) -> str | None:
    """Any accepted ISO form → our canonical sortable form; None stays None."""
    if text is None:
        return None
    if isinstance(text, str) and _CANONICAL.fullmatch(text):
        datetime.fromisoformat(text[:-1])  # still a real date and time (raises ValueError if not)
        return text
    return to_iso(parse_iso(text))
