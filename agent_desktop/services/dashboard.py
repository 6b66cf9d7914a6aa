"""The lead's dashboard: queue statistics from the server, or from the local cache when offline.

`refresh()` runs the HTTP calls (or the offline computation) on a worker thread; the caller's
loop only awaits, so the GUI never waits on the network. Offline, the live numbers (waiting,
oldest, SLA, agents) are computed from the cache with the same `domain.metrics` rules, today's
counters (service level, AHT, …) come from the last server answer, and every tile is `stale`.
Thresholds are the lead's own settings, kept in the cache's meta table.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from ..backends.base import AuthRequired, Backend, BackendError, Capability, NetworkError, ServerBusy
from ..backends.protocols import LeadActions, QueueStats, Record, require
from ..domain import metrics as m
from ..domain.timeutil import now_iso, utcnow
from ..store import Database, meta

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0
THRESHOLDS_KEY = "dashboard.thresholds"
LAST_STATS_KEY = "dashboard.last_stats"
REMEMBER_EVERY_S = 60.0


@dataclass
class Snapshot:
    """What the dashboard shows: one entry per queue (server shape), the agents table, freshness."""

    queues: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    as_of: str | None
    received_at: float             # time.monotonic() when this snapshot was made
    stale: bool = False            # offline: live numbers from the cache, counters from the last answer
    error: str | None = None
    levels: dict[str, dict[str, m.Level]] = field(default_factory=dict)

    def tile_level(self, queue_id: str) -> m.Level:
        return m.worst(self.levels.get(queue_id, {}).values())


class DashboardService:
    def __init__(self, db: Database, backend: Backend, agent: dict[str, Any]) -> None:
        self.db = db
        self.backend = backend
        self.agent = agent
        self.last: Snapshot | None = None
        self._last_online: list[dict[str, Any]] | None = None
        self._remembered_at = -REMEMBER_EVERY_S
        self.thresholds = self._load_thresholds()

    @property
    def is_lead(self) -> bool:
        return self.agent.get("role") == "lead"

    # -- thresholds ------------------------------------------------------------------------------
    def _load_thresholds(self) -> dict[str, dict[str, m.Threshold]]:
        raw = meta.get(self.db.reader(), THRESHOLDS_KEY)
        if not raw:
            return {}
        try:
            return m.thresholds_from_json(json.loads(raw))
        except (ValueError, m.InvalidThreshold) as exc:  # a damaged setting falls back to the defaults
            log.warning("ignoring stored dashboard thresholds: %s", exc)
            return {}

    def thresholds_for(self, queue_id: str) -> dict[str, m.Threshold]:
        return {**m.DEFAULT_THRESHOLDS, **self.thresholds.get(queue_id, {})}

    async def set_thresholds(self, queue_id: str, thresholds: dict[str, m.Threshold]) -> None:
        """Validate and save one queue's thresholds; raises InvalidThreshold and saves nothing then."""
        checked = {metric: m.check_threshold(metric, t) for metric, t in thresholds.items()}
        updated = {**self.thresholds, queue_id: checked}
        text = json.dumps(m.thresholds_to_json(updated))
        await asyncio.wrap_future(self.db.write(meta.put, THRESHOLDS_KEY, text))
        self.thresholds = updated
        if self.last is not None:
            self.last.levels = self.evaluate(self.last.queues)

    def evaluate(self, queues: list[dict[str, Any]]) -> dict[str, dict[str, m.Level]]:
        return {q["queue_id"]: m.evaluate(q.get("metrics", {}), self.thresholds_for(q["queue_id"])) for q in queues}

    # -- refreshing ------------------------------------------------------------------------------
    async def refresh(self) -> Snapshot:
        snapshot = await asyncio.to_thread(self._refresh_blocking)
        self.last = snapshot
        return snapshot

    def _refresh_blocking(self) -> Snapshot:
        try:
            stats = require(self.backend, Capability.STATS, QueueStats)
            queues, agents = stats.queue_stats(), stats.queue_agents()
            self._last_online = queues
            self._remember(queues)
            return Snapshot(queues, [a for a in agents if isinstance(a, dict)], queues[0]["as_of"] if queues else None,
                            time.monotonic(), levels=self.evaluate(queues))
        except (NetworkError, ServerBusy, AuthRequired) as exc:
            return self._offline(str(exc))
        except (BackendError, ValueError, KeyError) as exc:
            log.warning("queue statistics unusable: %s", exc)
            return self._offline(str(exc))

    def _remember(self, queues: list[dict[str, Any]]) -> None:
        # Kept for an offline start: today's counters are only known to the server. Once a
        # minute is enough; the in-memory copy serves offline spells within a session.
        if time.monotonic() - self._remembered_at < REMEMBER_EVERY_S:
            return
        self._remembered_at = time.monotonic()
        try:
            self.db.write(meta.put, LAST_STATS_KEY, json.dumps(queues, ensure_ascii=False))
        except Exception:  # the cache may be closing; the next answer is remembered instead
            log.debug("could not remember the statistics", exc_info=True)

    def _previous(self) -> list[dict[str, Any]]:
        if self._last_online is not None:
            return self._last_online
        raw = meta.get(self.db.reader(), LAST_STATS_KEY)
        try:
            return json.loads(raw) if raw else []
        except ValueError:
            return []

    def _offline(self, error: str) -> Snapshot:
        previous = {q["queue_id"]: q for q in self._previous() if isinstance(q, dict) and "queue_id" in q}
        queues = offline_queue_stats(self.db.reader(), previous, self.agent)
        return Snapshot(queues, offline_agents(self.db.reader(), previous_agents(self.last)), now_iso(),
                        time.monotonic(), stale=True, error=error, levels=self.evaluate(queues))

    # -- drill-down -------------------------------------------------------------------------------
    def waiting_conversations(self, queue_id: str, limit: int = 200) -> list[dict[str, Any]]:
        """The queue's contacts not yet answered, longest waiting first (indexed by queue)."""
        rows = self.db.reader().execute(
            "SELECT c.id, c.subject, c.channel, c.priority, c.created_at, c.waiting_since, c.assignee_id, "
            "cu.name, a.name FROM conversations c LEFT JOIN customers cu ON cu.id = c.customer_id "
            "LEFT JOIN agents a ON a.id = c.assignee_id "
            "WHERE c.queue_id = ? AND c.is_open = 1 AND c.status IN ('new', 'open') AND c.first_response_at IS NULL "
            "ORDER BY coalesce(c.waiting_since, c.created_at) LIMIT ?", (queue_id, limit)).fetchall()
        keys = ("id", "subject", "channel", "priority", "created_at", "waiting_since", "assignee_id",
                "customer_name", "assignee_name")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def queue_agents(self, queue_id: str | None = None) -> list[dict[str, Any]]:
        rows = self.db.reader().execute("SELECT id, name, username, role, queue_ids, state FROM agents ORDER BY name")
        agents = []
        for agent_id, name, username, role, queue_ids, state in rows:
            queues = _json_list(queue_ids)
            if queue_id is None or queue_id in queues:
                agents.append({"id": agent_id, "name": name or username or agent_id, "role": role,
                               "queue_ids": queues, "state": state or "offline"})
        return agents

    def queue_names(self) -> dict[str, tuple[str, str]]:
        return {row[0]: (row[1] or row[0], row[2] or row[1] or row[0])
                for row in self.db.reader().execute("SELECT id, name, name_en FROM queues ORDER BY id")}

    # -- lead actions (online only: they change other people's work) ----------------------------
    async def reassign(self, conversation_id: str, assignee_id: str | None,
                       queue_id: str | None = None) -> list[Record]:
        lead = require(self.backend, Capability.LEAD_ACTIONS, LeadActions)
        return await asyncio.to_thread(lead.reassign, conversation_id, assignee_id, queue_id)

    async def set_agent_queues(self, agent_id: str, queue_ids: list[str]) -> list[Record]:
        lead = require(self.backend, Capability.LEAD_ACTIONS, LeadActions)
        return await asyncio.to_thread(lead.set_agent_queues, agent_id, queue_ids)


def _json_list(text: Any) -> list[str]:
    if isinstance(text, list):
        return text
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def previous_agents(snapshot: Snapshot | None) -> dict[str, dict[str, Any]]:
    return {a["id"]: a for a in snapshot.agents} if snapshot else {}


def offline_queue_stats(conn: sqlite3.Connection, previous: dict[str, dict[str, Any]],
                        agent: dict[str, Any]) -> list[dict[str, Any]]:
    """Tiles from the cache: live numbers recomputed, today's counters carried over from `previous`."""
    now = utcnow()
    work: dict[str, list[m.OpenWork]] = {}
    for row in conn.execute(
            "SELECT queue_id, status, created_at, waiting_since, first_response_at, first_response_due, resolution_due "
            "FROM conversations WHERE is_open = 1"):
        work.setdefault(row[0], []).append(m.OpenWork(row[1], row[2], row[3], row[4], row[5], row[6]))
    agents = conn.execute("SELECT role, queue_ids, state FROM agents").fetchall()
    allowed = None if agent.get("role") == "lead" else set(agent.get("queue_ids") or [])
    result = []
    for queue_id, name, name_en in conn.execute("SELECT id, name, name_en FROM queues ORDER BY id").fetchall():
        if allowed is not None and queue_id not in allowed:
            continue
        before = previous.get(queue_id, {})
        counters = m.Counters.from_mapping(before.get("counters") or {})
        states = [state for role, queues, state in agents if role != "lead" and queue_id in _json_list(queues)]
        before_metrics = before.get("metrics") or {}
        metrics = m.queue_metrics(counters, m.live_metrics(work.get(queue_id, []), now), m.agents_by_state(states),
                                  before_metrics.get("occupancy"))
        result.append({"queue_id": queue_id, "name": name or queue_id, "name_en": name_en or name or queue_id,
                       "metrics": metrics, "counters": counters.as_dict(), "hourly": before.get("hourly") or [],
                       "as_of": before.get("as_of"), "stale": True})
    return result


def offline_agents(conn: sqlite3.Connection, previous: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT id, name, username, role, queue_ids, state FROM agents ORDER BY id").fetchall()
    result = []
    for agent_id, name, username, role, queue_ids, state in rows:
        before = previous.get(agent_id, {})
        result.append({"id": agent_id, "name": name or "", "username": username or "", "role": role or "agent",
                       "queue_ids": _json_list(queue_ids), "state": state or "offline",
                       "state_since": before.get("state_since") if before.get("state") == state else None,
                       "handled_today": before.get("handled_today", 0), "aht_s": before.get("aht_s"),
                       "csat": before.get("csat"), "occupancy": before.get("occupancy")})
    return result
