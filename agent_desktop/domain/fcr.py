"""First-contact resolution (首解): resolved on the first contact, no transfer, no reopen within 7 days."""

from __future__ import annotations

from datetime import datetime, timedelta

from .timeutil import parse_iso

REOPEN_WINDOW = timedelta(days=7)


class Fcr:
    YES = "yes"          # counts for the KPI
    NO = "no"
    PROVISIONAL = "provisional"  # resolved cleanly, but the 7-day reopen window is still open
    NOT_RESOLVED = "not_resolved"


def fcr_state(*, resolved_at: str | None, transfer_count: int, reopen_count: int,
              customer_contacts: int, now: datetime) -> str:
    """Classify one conversation.

    `customer_contacts` counts separate customer contacts (the first message plus each time the
    customer had to come back after we answered, e.g. out of pending); more than one is not "first".
    """
    if not resolved_at:
        return Fcr.NO if (transfer_count or reopen_count) else Fcr.NOT_RESOLVED
    if transfer_count > 0 or reopen_count > 0 or customer_contacts > 1:
        return Fcr.NO
    try:
        resolved = parse_iso(resolved_at)
    except ValueError:
        return Fcr.NO
    return Fcr.YES if now - resolved >= REOPEN_WINDOW else Fcr.PROVISIONAL


def fcr_rate(states: list[str]) -> float | None:
    """Share of decided conversations that were first-contact resolutions (provisional ones excluded)."""
    decided = [state for state in states if state in (Fcr.YES, Fcr.NO)]
    if not decided:
        return None
    return sum(state == Fcr.YES for state in decided) / len(decided)
