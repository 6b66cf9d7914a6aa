"""SLA targets and the state of a countdown (ok, at risk, breached)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .enums import Priority, Tier
from .timeutil import parse_iso

AT_RISK_SHARE = 0.20  # at risk when ≤ 20 % of the target time is left

# Default first-response targets in minutes by channel; tier and priority scale them down.
_FIRST_RESPONSE_MINUTES = {"phone": 2, "chat": 3, "social": 30, "web": 120, "email": 240}
_RESOLUTION_HOURS = {"phone": 24, "chat": 24, "social": 48, "web": 72, "email": 72}
_TIER_FACTOR: dict[str, float] = {Tier.VIP: 0.5, Tier.KEY_ACCOUNT: 0.75, Tier.STANDARD: 1.0}
_PRIORITY_FACTOR: dict[str, float] = {Priority.URGENT: 0.25, Priority.HIGH: 0.5, Priority.NORMAL: 1.0,
                                      Priority.LOW: 2.0}


@dataclass(frozen=True)
class SlaTargets:
    first_response: timedelta
    resolution: timedelta


def targets_for(channel: str, tier: str, priority: str) -> SlaTargets:
    """Default targets for a channel × customer tier × priority (backends may send their own)."""
    factor = _TIER_FACTOR.get(tier, 1.0) * _PRIORITY_FACTOR.get(priority, 1.0)
    first = timedelta(minutes=_FIRST_RESPONSE_MINUTES.get(channel, 60) * factor)
    resolution = timedelta(hours=_RESOLUTION_HOURS.get(channel, 24) * factor)
    return SlaTargets(first_response=first, resolution=resolution)


def next_due(first_response_at: str | None, first_response_due: str | None,
             resolution_due: str | None) -> str | None:
    """The deadline that matters now: first response until answered, then resolution."""
    if first_response_at is None and first_response_due:
        return first_response_due
    return resolution_due


class SlaState:
    NONE = "none"
    OK = "ok"
    AT_RISK = "at_risk"
    BREACHED = "breached"


def sla_state(due: str | None, started: str | None, now: datetime) -> str:
    """Classify a countdown from `started` to `due` at `now`."""
    if not due:
        return SlaState.NONE
    try:
        due_at = parse_iso(due)
    except ValueError:
        return SlaState.NONE
    left = (due_at - now).total_seconds()
    if left <= 0:
        return SlaState.BREACHED
    total = None
    if started:
        try:
            total = (due_at - parse_iso(started)).total_seconds()
        except ValueError:
            total = None
    if total and total > 0 and left <= total * AT_RISK_SHARE:
        return SlaState.AT_RISK
    return SlaState.OK


def format_countdown(seconds: float) -> str:
    """`04:12`, `2h 05m`, `3d 4h`; negative values get a leading minus (overdue)."""
    sign = "-" if seconds < 0 else ""
    seconds = int(abs(seconds))
    if seconds < 3600:
        return f"{sign}{seconds // 60:02d}:{seconds % 60:02d}"
    if seconds < 86400:
        return f"{sign}{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    return f"{sign}{seconds // 86400}d {seconds % 86400 // 3600}h"
