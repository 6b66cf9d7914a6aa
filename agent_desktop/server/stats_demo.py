"""Demo statistics: today's history up to now (so the dashboard has numbers at once), and a floor of
simulated agents for `--simulate` that answers, resolves, loses contacts and changes state.

The history is deterministic for a seed and `now` (`random.Random(seed + 50)`); the floor goes
through the same operations as real agents, so every number it moves is recorded the real way.
"""

from __future__ import annotations

import json
import logging
import math
import random
from datetime import datetime, timedelta
from typing import Any

from agent_desktop.domain.timeutil import parse_iso, to_iso, utcnow

from . import db as store
from . import operations, stats, stats_ops
from .errors import ApiError
from .ticker import Ticker

log = logging.getLogger(__name__)

# Contacts per hour at the daily peak, and how well each queue copes (share answered within X).
PEAK_PER_HOUR = {"q-presales": 60, "q-aftersales": 110, "q-complaints": 22, "q-key-accounts": 30}
SL_QUALITY = {"q-presales": 0.9, "q-aftersales": 0.74, "q-complaints": 0.66, "q-key-accounts": 0.93}


def _load_curve(local_hour: float) -> float:
    """Traffic shape of a Chinese service desk: quiet at night, peaks mid-morning and afternoon."""
    if local_hour < 7 or local_hour >= 23:
        return 0.04
    return 0.15 + 0.85 * max(math.exp(-((local_hour - 10.5) / 1.8) ** 2), 0.9 * math.exp(-((local_hour - 15.5) / 2.2) ** 2))


def build_history(seed: int, now: datetime, queue_ids: list[str],
                  agents: list[tuple[str, list[str]]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(stats_hourly rows, stats_agent_daily rows) for today until `now`."""
    rng = random.Random(seed + 50)
    hourly: list[tuple[Any, ...]] = []
    handled_by_queue: dict[str, float] = {}
    for hour in stats.today_hours(now):
        start = parse_iso(hour)
        fraction = min(1.0, max(0.0, (now - start).total_seconds() / 3600))
        local_hour = start.astimezone().hour + 0.5
        for queue_id in queue_ids:
            load = _load_curve(local_hour)
            offered = round(PEAK_PER_HOUR.get(queue_id, 30) * load * fraction * rng.uniform(0.8, 1.2))
            # A 24-hour desk always has a night shift: even just after midnight there is some traffic.
            offered = max(offered, rng.randint(4, 9))
            quality = SL_QUALITY.get(queue_id, 0.85) - 0.12 * load + rng.uniform(-0.05, 0.05)
            abandoned = round(offered * max(0.0, (1 - quality) * 0.35 + rng.uniform(-0.01, 0.02)))
            answered = max(0, offered - abandoned)
            in_sl = round(answered * min(1.0, quality + 0.05))
            abandoned_in_sl = round(abandoned * rng.uniform(0.2, 0.5))
            asa = rng.uniform(8, 20) + (1 - quality) * 120
            handled = round(answered * rng.uniform(0.85, 0.97))
            aht = rng.uniform(240, 420) if queue_id != "q-complaints" else rng.uniform(480, 720)
            fcr = round(handled * rng.uniform(0.68, 0.86))
            csat_n = round(handled * 0.22)
            csat_avg = min(5.0, max(1.0, 3.6 + quality * 0.8 + rng.uniform(-0.2, 0.2)))
            hourly.append((hour, queue_id, offered, answered, in_sl, abandoned, abandoned_in_sl, answered * asa,
                           handled, handled * aht, handled * rng.uniform(25, 70), handled, fcr, csat_n,
                           round(csat_n * csat_avg, 1), round(csat_n * min(1.0, (csat_avg - 1) / 4 + 0.05))))
            handled_by_queue[queue_id] = handled_by_queue.get(queue_id, 0) + handled
    daily: list[tuple[Any, ...]] = []
    worked = min(9 * 3600.0, max(0.0, (now - stats.day_start(now)).total_seconds() - 8 * 3600))
    for agent_id, queues in agents:
        share = sum(handled_by_queue.get(q, 0) / max(1, sum(1 for _, qs in agents if q in qs)) for q in queues)
        aht = rng.uniform(260, 520)
        busy = worked * rng.uniform(0.55, 0.75)
        # What fits in the hours worked: handled × AHT never exceeds the time spent busy (a lead
        # would not trust 211 contacts at 6 min each in one shift).
        handled = min(round(share * rng.uniform(0.7, 1.1)), int(busy / aht))
        acw = min(worked * 0.1, handled * rng.uniform(25, 60))
        csat_n = round(handled * 0.2)
        daily.append((stats.day_key(now), agent_id, handled, handled * aht, acw, csat_n,
                      round(csat_n * rng.uniform(3.7, 4.8), 1), busy, acw, max(0.0, worked - busy - acw) * 0.85))
    return hourly, daily


def load_history(conn: Any, seed: int, now: datetime | None = None) -> None:
    """Write today's demo history (inside `load_demo`'s transaction)."""
    now = (now or utcnow())
    queue_ids = [row[0] for row in conn.execute("SELECT id FROM queues ORDER BY id")]
    agents = []
    presence = []
    rng = random.Random(seed + 51)
    for agent_id, data in conn.execute("SELECT id, data FROM agents ORDER BY id").fetchall():
        agent = json.loads(data)
        if agent.get("role") != "lead":
            agents.append((agent_id, agent.get("queue_ids", [])))
        since = now - timedelta(minutes=rng.uniform(0.5, 45))
        presence.append((agent_id, agent.get("state") or "offline", to_iso(since)))
    hourly, daily = build_history(seed, now, queue_ids, agents)
    columns = ("hour", "queue_id", *stats.COUNTER_COLUMNS)
    conn.executemany(f"INSERT OR REPLACE INTO stats_hourly ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                     hourly)
    columns = ("day", "agent_id", *stats.AGENT_COLUMNS)
    conn.executemany(
        f"INSERT OR REPLACE INTO stats_agent_daily ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", daily)
    conn.executemany("INSERT OR REPLACE INTO stats_presence (agent_id, state, since) VALUES (?, ?, ?)", presence)


# -- the simulated floor (--simulate) -------------------------------------------------------------

FLOOR_STATES = ("available", "available", "available", "busy", "busy", "acw", "break")
REPLY = {"zh": "您好，我是{name}，已收到您的问题，马上为您处理。", "en": "Hello, this is {name}. I have your request and am on it."}


class DemoFloor(Ticker):
    """Simulated colleagues of the demo: every `interval` s one of them does something a real agent does."""

    thread_name = "demo-floor"

    def __init__(self, database: store.Database, *, interval: float = 2.0, seed: int | None = None,
                 spare: tuple[str, ...] = ("agent1", "lead1")) -> None:
        super().__init__(interval)
        self.db = database
        self.spare = spare  # the accounts people sign in with: never act for them
        self._rng = random.Random(seed)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.step()
            except Exception:  # a demo helper must never take the server down
                log.exception("demo floor step failed")

    def _agents(self) -> list[dict[str, Any]]:
        rows = self.db.reader().execute("SELECT id, data FROM agents").fetchall()
        agents = [store.with_id(agent_id, json.loads(data)) for agent_id, data in rows]
        return [a for a in agents if a.get("username") not in self.spare and a.get("role") != "lead"]

    def step(self) -> str:
        """One action: answer, resolve, abandon or change state; returns what it did (for tests)."""
        roll = self._rng.random()
        for action in ((self.answer, self.resolve, self.abandon, self.change_state) if roll < 0.45 else
                       (self.resolve, self.answer, self.change_state, self.abandon) if roll < 0.75 else
                       (self.change_state, self.abandon, self.answer, self.resolve) if roll < 0.9 else
                       (self.abandon, self.answer, self.resolve, self.change_state)):
            try:
                if action():
                    return action.__name__
            except ApiError as exc:  # a real agent got there first, or a rule refused: try something else
                log.debug("demo floor %s: %s", action.__name__, exc)
        return "nothing"

    def answer(self) -> bool:
        # Live calls and chats first (as routing would), then the backlog, longest waiting first.
        rows = self.db.reader().execute(
            "SELECT c.id, c.queue_id FROM conversations c JOIN stats_contacts s ON s.conversation_id = c.id "
            "WHERE c.status IN ('new', 'open') AND s.answered_at IS NULL AND s.abandoned_at IS NULL "
            "ORDER BY s.channel NOT IN ('phone', 'chat'), s.offered_at LIMIT 20").fetchall()
        if not rows:
            rows = self.db.reader().execute(
                "SELECT id, queue_id FROM conversations WHERE status IN ('new', 'open') "
                "AND json_extract(data, '$.first_response_at') IS NULL ORDER BY created_at LIMIT 20").fetchall()
        agents = [a for a in self._agents() if a.get("state") in ("available", "busy")]
        rows = rows[:3]
        self._rng.shuffle(rows)
        for conversation_id, queue_id in rows:
            staff = [a for a in agents if queue_id in a.get("queue_ids", [])]
            if staff:
                agent = self._rng.choice(staff)
                lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in agent.get("name", "")) else "en"
                operations.patch_conversation(self.db, conversation_id, {"assignee_id": agent["id"]}, None,
                                              by=agent["id"])
                operations.post_message(self.db, agent, conversation_id, "reply",
                                        REPLY[lang].format(name=agent.get("name", "")), f"floor-{conversation_id}")
                return True
        return False

    def resolve(self) -> bool:
        spare_ids = [a_id for (a_id,) in self.db.reader().execute(
            f"SELECT id FROM agents WHERE username IN ({', '.join('?' * len(self.spare))})", self.spare)]
        placeholders = ", ".join("?" * len(spare_ids)) or "''"
        row = self.db.reader().execute(
            "SELECT c.id FROM conversations c JOIN stats_contacts s ON s.conversation_id = c.id "
            f"WHERE c.status = 'open' AND s.answered_at IS NOT NULL AND c.assignee_id NOT IN ({placeholders}) "
            "ORDER BY s.answered_at LIMIT 1", spare_ids).fetchone()
        if row is None:
            return False
        disposition = self.db.reader().execute("SELECT id FROM dispositions ORDER BY id LIMIT 1").fetchone()
        changes: dict[str, Any] = {"status": "resolved"}
        if disposition is not None:
            changes["disposition"] = disposition[0]
        operations.patch_conversation(self.db, row[0], changes, None)
        return True

    def abandon(self) -> bool:
        """A caller or chatter who waited too long hangs up."""
        limit = to_iso(utcnow() - timedelta(seconds=90))
        row = self.db.reader().execute(
            "SELECT c.id FROM conversations c JOIN stats_contacts s ON s.conversation_id = c.id "
            "WHERE c.status IN ('new', 'open') AND c.channel IN ('phone', 'chat') "
            "AND s.answered_at IS NULL AND s.abandoned_at IS NULL AND s.offered_at < ? ORDER BY s.offered_at LIMIT 1",
            (limit,)).fetchone()
        if row is None or self._rng.random() < 0.5:
            return False
        stats_ops.abandon_contact(self.db, row[0])
        return True

    def change_state(self) -> bool:
        agents = self._agents()
        if not agents:
            return False
        agent = self._rng.choice(agents)
        state = self._rng.choice([s for s in FLOOR_STATES if s != agent.get("state")])
        operations.set_agent_state(self.db, agent["id"], state)
        return True
