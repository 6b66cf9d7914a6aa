"""SLA targets per queue × customer tier × priority, as the backend publishes them (`sla_policy`).

A policy row may leave queue, tier or priority empty (a wildcard); the most specific row wins.
Without any matching row the channel defaults of `sla.targets_for` apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .enums import Priority, Tier
from .records import InvalidRecord, _id, _require_dict, _version
from .sla import SlaState, SlaTargets, sla_state, targets_for


@dataclass(frozen=True)
class SlaPolicy:
    id: str
    version: int
    first_response_minutes: float
    resolution_minutes: float
    queue_id: str | None = None
    tier: str | None = None
    priority: str | None = None

    @property
    def specificity(self) -> int:
        return (self.queue_id is not None) * 4 + (self.tier is not None) * 2 + (self.priority is not None)

    def matches(self, queue_id: str | None, tier: str, priority: str) -> bool:
        return ((self.queue_id is None or self.queue_id == queue_id)
                and (self.tier is None or self.tier == tier)
                and (self.priority is None or self.priority == priority))


def _minutes(data: dict, key: str) -> float:
    value = data.get(key)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= 60 * 24 * 365:
        raise InvalidRecord(f"field {key!r} must be a positive number of minutes")
    return float(value)


def parse_sla_policy(record_id: str, data: object) -> SlaPolicy:
    data = _require_dict(data)
    tier, priority = data.get("tier"), data.get("priority")
    if tier is not None and tier not in Tier.values():
        raise InvalidRecord(f"field 'tier' must be one of {', '.join(Tier.values())}")
    if priority is not None and priority not in Priority.values():
        raise InvalidRecord(f"field 'priority' must be one of {', '.join(Priority.values())}")
    first, resolution = _minutes(data, "first_response_minutes"), _minutes(data, "resolution_minutes")
    if resolution < first:
        raise InvalidRecord("resolution target is shorter than the first-response target")
    return SlaPolicy(id=record_id, version=_version(data), first_response_minutes=first,
                     resolution_minutes=resolution, queue_id=_id(data, "queue_id", required=False),
                     tier=tier, priority=priority)


def targets_from_policies(policies: list[SlaPolicy], *, queue_id: str | None, tier: str, priority: str,
                          channel: str) -> SlaTargets:
    """The most specific matching policy; ties go to the stricter one (shorter first response)."""
    matching = [p for p in policies if p.matches(queue_id, tier, priority)]
    if not matching:
        return targets_for(channel, tier, priority)
    best = max(matching, key=lambda p: (p.specificity, -p.first_response_minutes))
    return SlaTargets(first_response=timedelta(minutes=best.first_response_minutes),
                      resolution=timedelta(minutes=best.resolution_minutes))


ALERT_STATES = (SlaState.AT_RISK, SlaState.BREACHED)


class SlaWatch:
    """Remembers each conversation's last SLA state and reports the ones that just got worse.

    The agent is told once when a conversation becomes at risk, and once more when it breaches;
    a conversation already breached when first seen is reported once too.
    """

    def __init__(self) -> None:
        self._last: dict[str, str] = {}

    def update(self, items: list[tuple[str, str | None, str | None]], now: datetime) -> list[tuple[str, str]]:
        """`items` are (id, due, started); returns [(id, new state)] that need a notification."""
        alerts = []
        seen = set()
        for conversation_id, due, started in items:
            seen.add(conversation_id)
            state = sla_state(due, started, now)
            before = self._last.get(conversation_id)
            self._last[conversation_id] = state
            if state in ALERT_STATES and state != before and not (
                    before == SlaState.BREACHED and state == SlaState.AT_RISK):
                alerts.append((conversation_id, state))
        for gone in set(self._last) - seen:
            del self._last[gone]
        return alerts
