"""What needs an answer first, at a glance: a customer waiting live stands out from the backlog,
and "over by 3 days" looks different from "due in 5 minutes".

The inbox paints each row by its urgency, so red keeps a meaning even when every row is late.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .sla import SlaState, sla_state
from .timeutil import parse_iso

LIVE_CHANNELS = ("chat", "phone")
LIVE_WINDOW = timedelta(minutes=15)    # a chat or call whose customer wrote within this is live
JUST_BREACHED = timedelta(hours=1)     # breached within this: act now; longer ago: backlog


class Urgency:
    LIVE = "live"                  # a customer on chat or phone is waiting right now
    BREACHED_NOW = "breached_now"  # the deadline passed within the last hour
    DUE_SOON = "due_soon"          # at risk: ≤ 20 % of the target time left
    BACKLOG = "backlog"            # long overdue: still late, but no longer an emergency
    ON_TRACK = "on_track"
    NONE = "none"


def urgency(row: dict, now: datetime) -> str:
    """`row`: an inbox row (channel, status, waiting_since, first_response_at, created_at, sla_due)."""
    status = row.get("status")
    waiting = _time(row.get("waiting_since"))
    if (row.get("channel") in LIVE_CHANNELS and status in ("new", "open") and waiting is not None
            and now - waiting <= LIVE_WINDOW):
        return Urgency.LIVE
    due = row.get("sla_due")
    if not due or str(due).startswith("9999"):
        return Urgency.NONE
    started = row.get("waiting_since") if row.get("first_response_at") else row.get("created_at")
    state = sla_state(due, started, now)
    if state == SlaState.BREACHED:
        due_at = _time(due)
        return Urgency.BREACHED_NOW if due_at is not None and now - due_at <= JUST_BREACHED else Urgency.BACKLOG
    if state == SlaState.AT_RISK:
        return Urgency.DUE_SOON
    return Urgency.ON_TRACK if state == SlaState.OK else Urgency.NONE


def _time(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return parse_iso(str(value))
    except ValueError:
        return None
