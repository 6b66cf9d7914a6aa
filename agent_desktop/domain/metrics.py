"""Queue metrics for the lead's tiles and wallboard: definitions, thresholds and tile states.

Pure functions over plain numbers, shared by the reference server (from recorded events) and the
client (offline, from its cache). Definitions and sources: docs/metrics.md. Highlights:

- Service level follows Amazon Connect's "Service level X": contacts removed from the queue
  (answered *or abandoned*) within X seconds, divided by all contacts queued in the period.
  An abandon within X therefore counts as met, an abandon after X as missed, and a contact still
  waiting counts in the denominator only.
- Rates and averages are None when their denominator is zero ("no data", shown as "—"),
  never 0, so an empty queue does not look perfect or broken.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from .sla import SlaState, next_due, sla_state
from .timeutil import parse_iso

# Service-level threshold X by channel (industry default 80 % in 20 s for calls; chats get 60 s).
# Asynchronous channels use the contact's own first-response target as X.
SL_THRESHOLD_SECONDS = {"phone": 20, "chat": 60}
SL_TARGET = 0.80
AGENT_STATES = ("available", "busy", "acw", "break", "offline")
WAITING_STATUSES = ("new", "open")


def sl_threshold_seconds(channel: str, first_response_target_s: float | None = None) -> float:
    """X for one contact: fixed for calls and chats, else the first-response target (default 1 h)."""
    if channel in SL_THRESHOLD_SECONDS:
        return float(SL_THRESHOLD_SECONDS[channel])
    return float(first_response_target_s) if first_response_target_s and first_response_target_s > 0 else 3600.0


@dataclass
class Counters:
    """Sums over contacts of a queue in a period (one hour, or today). Everything else derives from these."""

    offered: int = 0           # contacts that entered the queue
    answered: int = 0          # … and were answered by an agent
    answered_in_sl: int = 0    # … within the service-level threshold X
    abandoned: int = 0         # … left (customer hung up / chat closed) before an answer
    abandoned_in_sl: int = 0   # … within X
    wait_sum_s: float = 0.0    # queue time of the answered ones (for ASA)
    handled: int = 0           # contacts finished by an agent (resolved after an answer)
    handle_sum_s: float = 0.0  # answer → resolve, summed over handled
    acw_sum_s: float = 0.0     # after-contact work following those contacts
    resolved: int = 0          # resolved contacts (FCR denominator)
    fcr: int = 0               # … resolved on first contact: no reopen, no transfer
    csat_n: int = 0            # survey answers (1–5)
    csat_sum: float = 0.0
    csat_satisfied: int = 0    # answers of 4 or 5

    def __add__(self, other: Counters) -> Counters:
        return Counters(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Counters:
        return cls(**{f.name: data.get(f.name) or 0 for f in fields(cls)})

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def service_level(c: Counters) -> float | None:
    """(answered within X + abandoned within X) / contacts queued; None without contacts."""
    return _ratio(c.answered_in_sl + c.abandoned_in_sl, c.offered)


def average_speed_of_answer(c: Counters) -> float | None:
    """Mean seconds in queue of the answered contacts (abandons excluded, as Connect does)."""
    return _ratio(c.wait_sum_s, c.answered)


def abandon_rate(c: Counters) -> float | None:
    return _ratio(c.abandoned, c.offered)


def average_handle_time(c: Counters) -> float | None:
    """(handle time + after-contact work) / handled contacts, in seconds."""
    return _ratio(c.handle_sum_s + c.acw_sum_s, c.handled)


def first_contact_resolution(c: Counters) -> float | None:
    return _ratio(c.fcr, c.resolved)


def csat_average(c: Counters) -> float | None:
    return _ratio(c.csat_sum, c.csat_n)


def csat_satisfied(c: Counters) -> float | None:
    """Share of survey answers that are 4 or 5 (the usual 'CSAT %')."""
    return _ratio(c.csat_satisfied, c.csat_n)


# -- live state of the queue (open work, agents) ------------------------------------------------


@dataclass
class Live:
    waiting: int = 0
    oldest_wait_s: float | None = None
    sla_at_risk: int = 0
    sla_breached: int = 0


@dataclass(frozen=True)
class OpenWork:
    """What the live metrics need of an open conversation (server row or client cache row)."""

    status: str
    created_at: str
    waiting_since: str | None = None
    first_response_at: str | None = None
    first_response_due: str | None = None
    resolution_due: str | None = None


def is_waiting(work: OpenWork) -> bool:
    """In queue: not answered by any agent yet (a reply by the agent takes it out)."""
    return work.status in WAITING_STATUSES and work.first_response_at is None


def live_metrics(open_work: Iterable[OpenWork], now: datetime) -> Live:
    live = Live()
    for work in open_work:
        if is_waiting(work):
            live.waiting += 1
            try:
                age = (now - parse_iso(work.waiting_since or work.created_at)).total_seconds()
            except ValueError:
                age = None
            if age is not None and (live.oldest_wait_s is None or age > live.oldest_wait_s):
                live.oldest_wait_s = max(0.0, age)
        state = sla_state(next_due(work.first_response_at, work.first_response_due, work.resolution_due),
                          work.created_at, now)
        if state == SlaState.BREACHED:
            live.sla_breached += 1
        elif state == SlaState.AT_RISK:
            live.sla_at_risk += 1
    return live


def agents_by_state(states: Iterable[str | None]) -> dict[str, int]:
    """Counts for available, busy, acw, break, offline; an unknown or missing state counts as offline."""
    counts = dict.fromkeys(AGENT_STATES, 0)
    for state in states:
        counts[state if state in counts else "offline"] += 1
    return counts


def occupancy(busy_s: float, acw_s: float, available_s: float) -> float | None:
    """Share of staffed, non-break time spent on contacts: (busy + ACW) / (busy + ACW + available)."""
    return _ratio(busy_s + acw_s, busy_s + acw_s + available_s)


# -- the metric set of one tile -------------------------------------------------------------------

METRICS = ("contacts_waiting", "oldest_wait_s", "service_level", "asa_s", "abandon_rate", "aht_s",
           "fcr_rate", "csat", "sla_at_risk", "sla_breached", "agents_available", "occupancy")
# For these a larger value is better: a breach is falling *below* the threshold.
HIGHER_IS_BETTER = frozenset({"service_level", "fcr_rate", "csat", "agents_available"})


def queue_metrics(counters: Counters, live: Live, agents: Mapping[str, int],
                  occupancy_share: float | None) -> dict[str, Any]:
    """The headline numbers of a tile (None = no data)."""
    return {
        "contacts_waiting": live.waiting, "oldest_wait_s": live.oldest_wait_s,
        "service_level": service_level(counters), "asa_s": average_speed_of_answer(counters),
        "abandon_rate": abandon_rate(counters), "aht_s": average_handle_time(counters),
        "fcr_rate": first_contact_resolution(counters), "csat": csat_average(counters),
        "csat_satisfied": csat_satisfied(counters), "csat_responses": counters.csat_n,
        "sla_at_risk": live.sla_at_risk, "sla_breached": live.sla_breached,
        "agents": dict(agents), "agents_available": agents.get("available", 0),
        "occupancy": occupancy_share,
        "offered": counters.offered, "answered": counters.answered, "abandoned": counters.abandoned,
        "handled": counters.handled,
    }


# -- thresholds and tile state --------------------------------------------------------------------


class Level(enum.IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2


@dataclass(frozen=True)
class Threshold:
    """Warning and critical limits of one metric; either may be None (not watched).

    A limit is the worst value still acceptable: a value exactly at it keeps the lower level
    (service level exactly 80 % against a warning of 80 % is OK).
    """

    warning: float | None = None
    critical: float | None = None


DEFAULT_THRESHOLDS: dict[str, Threshold] = {
    "service_level": Threshold(SL_TARGET, 0.70),
    "contacts_waiting": Threshold(25, 60),
    "oldest_wait_s": Threshold(1800, 4 * 3600),  # queues mix calls with e-mail: half an hour / 4 h
    "abandon_rate": Threshold(0.08, 0.12),
    "asa_s": Threshold(45, 90),
    "sla_breached": Threshold(20, 100),
}


class InvalidThreshold(ValueError):
    """A warning/critical pair that cannot work (e.g. critical milder than warning)."""


def check_threshold(metric: str, threshold: Threshold) -> Threshold:
    if metric not in METRICS:
        raise InvalidThreshold(f"unknown metric {metric!r}")
    for value in (threshold.warning, threshold.critical):
        if value is not None and (not isinstance(value, int | float) or value != value or value < 0):
            raise InvalidThreshold(f"{metric}: a limit must be a number ≥ 0, not {value!r}")
    if threshold.warning is not None and threshold.critical is not None:
        milder = threshold.critical > threshold.warning if metric in HIGHER_IS_BETTER \
            else threshold.critical < threshold.warning
        if milder:
            raise InvalidThreshold(f"{metric}: the critical limit must be beyond the warning limit")
    return threshold


def _crossed(metric: str, value: float, limit: float | None) -> bool:
    if limit is None:
        return False
    return value < limit if metric in HIGHER_IS_BETTER else value > limit


def level(metric: str, value: float | None, threshold: Threshold | None) -> Level:
    """OK, WARNING or CRITICAL for one value; no data or no threshold is OK."""
    if value is None or threshold is None:
        return Level.OK
    if _crossed(metric, value, threshold.critical):
        return Level.CRITICAL
    if _crossed(metric, value, threshold.warning):
        return Level.WARNING
    return Level.OK


def evaluate(metrics: Mapping[str, Any], thresholds: Mapping[str, Threshold]) -> dict[str, Level]:
    return {metric: level(metric, metrics.get(metric), threshold) for metric, threshold in thresholds.items()}


def worst(levels: Iterable[Level]) -> Level:
    return max(levels, default=Level.OK)


@dataclass
class QueueThresholds:
    """Per-queue thresholds: the defaults with this queue's overrides on top."""

    overrides: dict[str, Threshold] = field(default_factory=dict)

    def effective(self) -> dict[str, Threshold]:
        return {**DEFAULT_THRESHOLDS, **self.overrides}


def thresholds_from_json(data: Any) -> dict[str, dict[str, Threshold]]:
    """{queue_id: {metric: Threshold}} from stored JSON; raises InvalidThreshold on bad input."""
    if not isinstance(data, dict):
        raise InvalidThreshold("thresholds must be an object by queue")
    result: dict[str, dict[str, Threshold]] = {}
    for queue_id, metrics in data.items():
        if not isinstance(metrics, dict):
            raise InvalidThreshold(f"thresholds of {queue_id!r} must be an object by metric")
        result[str(queue_id)] = {}
        for metric, pair in metrics.items():
            if not isinstance(pair, dict):
                raise InvalidThreshold(f"{metric}: expected {{warning, critical}}")
            result[str(queue_id)][metric] = check_threshold(
                metric, Threshold(pair.get("warning"), pair.get("critical")))
    return result


def thresholds_to_json(data: Mapping[str, Mapping[str, Threshold]]) -> dict[str, Any]:
    return {queue_id: {metric: {"warning": t.warning, "critical": t.critical} for metric, t in metrics.items()}
            for queue_id, metrics in data.items()}


# -- per-hour series for the charts ---------------------------------------------------------------


def hourly_series(buckets: Mapping[str, Counters], hours: Iterable[str]) -> list[dict[str, Any]]:
    """One point per hour (`hours` in order, missing buckets are zero): contacts and service level."""
    series = []
    for hour in hours:
        counters = buckets.get(hour, Counters())
        series.append({"hour": hour, "offered": counters.offered, "answered": counters.answered,
                       "abandoned": counters.abandoned, "service_level": service_level(counters)})
    return series
