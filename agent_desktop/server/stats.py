"""Queue statistics of the reference server: events recorded as they happen, numbers for the tiles.

Recording (called by `operations` inside the same write transaction as the change itself):
an `events` row for every contact offered / answered / abandoned / resolved / reopened /
transferred and every agent state change, plus running sums in `stats_hourly` (per queue and UTC
hour) and `stats_agent_daily`. Reading sums at most 24 rows per queue, so `GET /queues/stats`
costs the same with 100 or 100,000 contacts today; only the open work is counted live.

A contact is one conversation's stay in the queue: offered when an inbound message opens the
conversation, answered by the first agent reply, abandoned when the channel reports the
customer left (or the conversation is resolved before any answer), resolved via PATCH.
Definitions of the numbers: `domain.metrics` and docs/metrics.md.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import weakref
from datetime import datetime, timedelta
from typing import Any

from agent_desktop.domain import metrics as m
from agent_desktop.domain.sla import AT_RISK_SHARE
from agent_desktop.domain.timeutil import parse_iso, to_iso, utcnow

from . import db as store

COUNTER_COLUMNS = tuple(f for f in m.Counters().as_dict())
AGENT_COLUMNS = ("handled", "handle_sum_s", "acw_sum_s", "csat_n", "csat_sum", "busy_s", "acw_s", "available_s")


# -- time buckets ---------------------------------------------------------------------------------


def hour_key(moment: datetime) -> str:
    return to_iso(moment.replace(minute=0, second=0, microsecond=0))


def day_start(now: datetime) -> datetime:
    """Midnight of the server's local day, as an aware datetime ("today" for the tiles)."""
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def day_key(moment: datetime) -> str:
    return moment.astimezone().date().isoformat()


def today_hours(now: datetime) -> list[str]:
    """UTC hour keys from local midnight to the current hour, in order."""
    start = day_start(now).astimezone(now.tzinfo).replace(minute=0, second=0, microsecond=0)
    hours, moment = [], start
    while moment <= now:
        hours.append(hour_key(moment))
        moment += timedelta(hours=1)
    return hours


def _seconds(later: datetime, earlier_iso: str) -> float:
    return max(0.0, (later - parse_iso(earlier_iso)).total_seconds())


# -- recording ------------------------------------------------------------------------------------


def _event(conn: sqlite3.Connection, now: datetime, kind: str, *, queue_id: str | None = None,
           conversation_id: str | None = None, agent_id: str | None = None, **data: Any) -> None:
    conn.execute("INSERT INTO events (at, kind, queue_id, conversation_id, agent_id, data) VALUES (?, ?, ?, ?, ?, ?)",
                 (to_iso(now), kind, queue_id, conversation_id, agent_id, store.dumps(data) if data else None))


def bump(conn: sqlite3.Connection, hour: str, queue_id: str, **amounts: float) -> None:
    """Add `amounts` to the queue's counters of `hour` (names from `metrics.Counters`)."""
    names = list(amounts)
    conn.execute(
        f"INSERT INTO stats_hourly (hour, queue_id, {', '.join(names)}) VALUES (?, ?{', ?' * len(names)}) "
        f"ON CONFLICT (hour, queue_id) DO UPDATE SET {', '.join(f'{n} = {n} + excluded.{n}' for n in names)}",
        (hour, queue_id, *amounts.values()))


def bump_agent(conn: sqlite3.Connection, day: str, agent_id: str, **amounts: float) -> None:
    names = list(amounts)
    conn.execute(
        f"INSERT INTO stats_agent_daily (day, agent_id, {', '.join(names)}) VALUES (?, ?{', ?' * len(names)}) "
        f"ON CONFLICT (day, agent_id) DO UPDATE SET {', '.join(f'{n} = {n} + excluded.{n}' for n in names)}",
        (day, agent_id, *amounts.values()))


def _contact(conn: sqlite3.Connection, conversation_id: str) -> sqlite3.Row | None:
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM stats_contacts WHERE conversation_id = ?", (conversation_id,)).fetchone()
    finally:
        conn.row_factory = None


def contact_offered(conn: sqlite3.Connection, conversation_id: str, conversation: dict[str, Any],
                    now: datetime) -> None:
    target = None
    if conversation.get("first_response_due") and conversation.get("created_at"):
        target = (parse_iso(conversation["first_response_due"]) - parse_iso(conversation["created_at"])).total_seconds()
    threshold = m.sl_threshold_seconds(conversation["channel"], target)
    queue_id = conversation["queue_id"]
    inserted = conn.execute(
        "INSERT OR IGNORE INTO stats_contacts (conversation_id, queue_id, channel, offered_at, sl_threshold_s) "
        "VALUES (?, ?, ?, ?, ?)", (conversation_id, queue_id, conversation["channel"], to_iso(now), threshold)).rowcount
    if inserted:
        bump(conn, hour_key(now), queue_id, offered=1)
        _event(conn, now, "offered", queue_id=queue_id, conversation_id=conversation_id,
               channel=conversation["channel"], sl_threshold_s=threshold)


def _leave_queue(conn: sqlite3.Connection, conversation_id: str, now: datetime, *, answered_by: str | None) -> None:
    row = _contact(conn, conversation_id)
    if row is None or row["answered_at"] or row["abandoned_at"]:
        return
    wait = _seconds(now, row["offered_at"])
    in_sl = int(wait <= row["sl_threshold_s"])
    if answered_by is not None:
        bump(conn, hour_key(now), row["queue_id"], answered=1, answered_in_sl=in_sl, wait_sum_s=wait)
        conn.execute("UPDATE stats_contacts SET answered_at = ?, answered_by = ? WHERE conversation_id = ?",
                     (to_iso(now), answered_by, conversation_id))
        kind = "answered"
    else:
        bump(conn, hour_key(now), row["queue_id"], abandoned=1, abandoned_in_sl=in_sl)
        conn.execute("UPDATE stats_contacts SET abandoned_at = ? WHERE conversation_id = ?",
                     (to_iso(now), conversation_id))
        kind = "abandoned"
    _event(conn, now, kind, queue_id=row["queue_id"], conversation_id=conversation_id, agent_id=answered_by,
           wait_s=round(wait, 3), in_sl=bool(in_sl))


def contact_answered(conn: sqlite3.Connection, conversation_id: str, agent_id: str, now: datetime) -> None:
    _leave_queue(conn, conversation_id, now, answered_by=agent_id)


def contact_abandoned(conn: sqlite3.Connection, conversation_id: str, now: datetime) -> None:
    _leave_queue(conn, conversation_id, now, answered_by=None)


def contact_resolved(conn: sqlite3.Connection, conversation_id: str, agent_id: str | None, now: datetime) -> None:
    """Counted once per contact: a resolve after a reopen adds nothing (FCR was already revoked)."""
    row = _contact(conn, conversation_id)
    if row is None:
        return
    if not row["answered_at"] and not row["abandoned_at"]:
        contact_abandoned(conn, conversation_id, now)  # resolved while nobody had answered: the customer left
        row = _contact(conn, conversation_id)
        assert row is not None
    hour = hour_key(now)
    if row["resolutions"] == 0 and row["answered_at"]:
        fcr = int(not row["reopened"] and not row["transferred"])
        handle = _seconds(now, row["answered_at"])
        bump(conn, hour, row["queue_id"], resolved=1, fcr=fcr, handled=1, handle_sum_s=handle)
        agent = agent_id or row["answered_by"]
        if agent:
            bump_agent(conn, day_key(now), agent, handled=1, handle_sum_s=handle)
            conn.execute("UPDATE stats_presence SET last_queue_id = ? WHERE agent_id = ?", (row["queue_id"], agent))
        conn.execute("UPDATE stats_contacts SET fcr_counted = ? WHERE conversation_id = ?", (fcr, conversation_id))
    conn.execute("UPDATE stats_contacts SET resolved_at = ?, resolved_hour = ?, resolutions = resolutions + 1 "
                 "WHERE conversation_id = ?", (to_iso(now), hour, conversation_id))
    _event(conn, now, "resolved", queue_id=row["queue_id"], conversation_id=conversation_id, agent_id=agent_id)


def contact_reopened(conn: sqlite3.Connection, conversation_id: str, now: datetime) -> None:
    """The customer came back after a resolve: not a first-contact resolution after all."""
    row = _contact(conn, conversation_id)
    if row is None or row["reopened"]:
        return
    if row["fcr_counted"] and row["resolved_hour"]:
        bump(conn, row["resolved_hour"], row["queue_id"], fcr=-1)
    conn.execute("UPDATE stats_contacts SET reopened = 1, fcr_counted = 0 WHERE conversation_id = ?",
                 (conversation_id,))
    _event(conn, now, "reopened", queue_id=row["queue_id"], conversation_id=conversation_id)


def contact_transferred(conn: sqlite3.Connection, conversation_id: str, new_queue: str, now: datetime) -> None:
    """A waiting contact moves with its offer to the new queue; an answered one just loses FCR."""
    row = _contact(conn, conversation_id)
    if row is None or row["queue_id"] == new_queue:
        return
    if not row["answered_at"] and not row["abandoned_at"]:
        offered_hour = hour_key(parse_iso(row["offered_at"]))
        bump(conn, offered_hour, row["queue_id"], offered=-1)
        bump(conn, offered_hour, new_queue, offered=1)
        conn.execute("UPDATE stats_contacts SET queue_id = ? WHERE conversation_id = ?", (new_queue, conversation_id))
    conn.execute("UPDATE stats_contacts SET transferred = 1 WHERE conversation_id = ?", (conversation_id,))
    _event(conn, now, "transferred", queue_id=new_queue, conversation_id=conversation_id, from_queue=row["queue_id"])


def agent_state_changed(conn: sqlite3.Connection, agent_id: str, old_state: str | None, new_state: str,
                        now: datetime) -> None:
    """Close the agent's previous state interval (time per state, ACW into AHT), open the new one."""
    row = conn.execute("SELECT state, since, last_queue_id FROM stats_presence WHERE agent_id = ?",
                       (agent_id,)).fetchone()
    if row is not None:
        state, since, last_queue = row
        elapsed = _seconds(now, since)
        column = {"busy": "busy_s", "acw": "acw_s", "available": "available_s"}.get(state)
        if column and elapsed:
            bump_agent(conn, day_key(now), agent_id, **{column: elapsed})
        if state == "acw" and last_queue and elapsed:
            bump(conn, hour_key(now), last_queue, acw_sum_s=elapsed)
            bump_agent(conn, day_key(now), agent_id, acw_sum_s=elapsed)
    conn.execute("INSERT INTO stats_presence (agent_id, state, since) VALUES (?, ?, ?) ON CONFLICT (agent_id) "
                 "DO UPDATE SET state = excluded.state, since = excluded.since", (agent_id, new_state, to_iso(now)))
    _event(conn, now, "agent_state", agent_id=agent_id, old=old_state, new=new_state)


# -- hooks called by operations (one line each there) --------------------------------------------


def on_inbound(conn: sqlite3.Connection, conversation_id: str, conversation: dict[str, Any], *,
               created: bool) -> None:
    """A customer message: a new conversation is a contact offered; one after a resolve reopens it."""
    now = utcnow()
    if created:
        contact_offered(conn, conversation_id, conversation, now)
        return
    row = conn.execute("SELECT resolved_at, reopened FROM stats_contacts WHERE conversation_id = ?",
                       (conversation_id,)).fetchone()
    if row is not None and row[0] and not row[1]:
        contact_reopened(conn, conversation_id, now)


def on_message(conn: sqlite3.Connection, conversation_id: str, kind: str, agent_id: str) -> None:
    if kind == "reply":
        contact_answered(conn, conversation_id, agent_id, utcnow())


def on_agent_state(conn: sqlite3.Connection, agent_id: str, new_state: str) -> None:
    row = conn.execute("SELECT json_extract(data, '$.state') FROM agents WHERE id = ?", (agent_id,)).fetchone()
    old_state = row[0] if row else None
    if old_state != new_state:
        agent_state_changed(conn, agent_id, old_state, new_state, utcnow())


def on_conversation_changed(conn: sqlite3.Connection, conversation_id: str, before: dict[str, Any],
                            after: dict[str, Any]) -> None:
    now = utcnow()
    if after.get("queue_id") and after.get("queue_id") != before.get("queue_id"):
        contact_transferred(conn, conversation_id, after["queue_id"], now)
    if after.get("status") == "resolved" and before.get("status") != "resolved":
        contact_resolved(conn, conversation_id, after.get("assignee_id"), now)
    elif before.get("status") == "resolved" and after.get("status") == "open":
        contact_reopened(conn, conversation_id, now)


# -- reading --------------------------------------------------------------------------------------

class OpenWorkIndex:
    """The open conversations' SLA fields in memory, kept current from the change feed.

    Parsing each open conversation's JSON on every poll costs ~5 µs a row (50 ms at 10k open);
    instead the feed (`changes.seq`) says which conversations changed since the last poll, and
    only those are re-read. Every write path bumps the feed, so nothing is missed.
    Mirrors `metrics.live_metrics` (a test checks they agree).
    """

    def __init__(self) -> None:
        self.seq = 0
        self.rows: dict[str, tuple[Any, ...]] = {}
        self.lock = threading.Lock()

    def refresh(self, conn: sqlite3.Connection) -> None:
        top = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
        if top == self.seq:
            return
        if self.seq == 0 or top < self.seq:
            self.rows.clear()
            sql, params = "SELECT id, queue_id, status, assignee_id, created_at, data FROM conversations " \
                          "WHERE status IN ('new', 'open', 'pending')", ()
            for row in conn.execute(sql, params):
                self._put(*row)
        else:
            changed = [r[0] for r in conn.execute(
                "SELECT entity_id FROM changes WHERE seq > ? AND seq <= ? AND entity = 'conversation'", (self.seq, top))]
            for start in range(0, len(changed), 500):
                chunk = changed[start:start + 500]
                for cid in chunk:
                    self.rows.pop(cid, None)
                for row in conn.execute(
                        f"SELECT id, queue_id, status, assignee_id, created_at, data FROM conversations "
                        f"WHERE id IN ({', '.join('?' * len(chunk))}) AND status IN ('new', 'open', 'pending')", chunk):
                    self._put(*row)
        self.seq = top

    def _put(self, cid: str, queue_id: str, status: str, assignee: str | None, created: str | None, data: str) -> None:
        d = json.loads(data)
        ws, fra, frd, rd = (d.get("waiting_since"), d.get("first_response_at"), d.get("first_response_due"),
                            d.get("resolution_due"))
        due = frd if fra is None and frd else rd
        self.rows[cid] = (queue_id, status, assignee is None, ws, fra is None, _ts(frd), _ts(due), _ts(created),
                          status in m.WAITING_STATUSES and fra is None, ws or created)

    def aggregate(self, now: datetime) -> dict[str, list[Any]]:
        """Per queue: the live figures of the tile (see `queue_stats` for the order)."""
        t = now.timestamp()
        result: dict[str, list[Any]] = {}
        for queue_id, status, unassigned, ws, no_fr, frd, due, created, in_queue, since in self.rows.values():
            r = result.get(queue_id)
            if r is None:
                r = result[queue_id] = [0, 0, 0, 0, 0, 0, None, 0, 0, None, 0, 0]
            r[0] += 1
            r[1 + ("new", "open", "pending").index(status)] += 1
            r[4] += unassigned
            if ws is not None:
                r[5] += 1
                if r[6] is None or ws < r[6]:
                    r[6] = ws
            if no_fr and frd is not None and frd < t:
                r[7] += 1
            if in_queue:
                r[8] += 1
                if since is not None and (r[9] is None or since < r[9]):
                    r[9] = since
            if due is not None:
                if due <= t:
                    r[10] += 1
                elif created is not None and due - t <= AT_RISK_SHARE * (due - created):
                    r[11] += 1
        return result


def _ts(value: str | None) -> float | None:
    try:
        return parse_iso(value).timestamp() if value else None
    except ValueError:
        return None


_INDEXES: weakref.WeakKeyDictionary[store.Database, OpenWorkIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def _open_work(database: store.Database) -> OpenWorkIndex:
    with _INDEXES_LOCK:
        return _INDEXES.setdefault(database, OpenWorkIndex())




def _hourly(conn: sqlite3.Connection, first_hour: str) -> dict[str, dict[str, m.Counters]]:
    by_queue: dict[str, dict[str, m.Counters]] = {}
    rows = conn.execute(f"SELECT queue_id, hour, {', '.join(COUNTER_COLUMNS)} FROM stats_hourly WHERE hour >= ?",
                        (first_hour,)).fetchall()
    for queue_id, hour, *values in rows:
        by_queue.setdefault(queue_id, {})[hour] = m.Counters(*values)
    return by_queue


def _agents(conn: sqlite3.Connection, now: datetime) -> list[dict[str, Any]]:
    """Every agent with presence and today's figures (few rows: one per agent)."""
    presence = {row[0]: row[1:] for row in conn.execute("SELECT agent_id, state, since FROM stats_presence")}
    daily = {row[0]: dict(zip(AGENT_COLUMNS, row[1:], strict=True)) for row in conn.execute(
        f"SELECT agent_id, {', '.join(AGENT_COLUMNS)} FROM stats_agent_daily WHERE day = ?", (day_key(now),))}
    agents = []
    for agent_id, data in conn.execute("SELECT id, data FROM agents ORDER BY id"):
        agent = json.loads(data)
        state = agent.get("state") or "offline"
        known_state, since = presence.get(agent_id, (None, None))
        if known_state != state:
            since = None  # changed by a path that bypassed the hooks: time in state unknown
        figures = daily.get(agent_id, dict.fromkeys(AGENT_COLUMNS, 0))
        open_s = _seconds(now, since) if since else 0.0
        busy = figures["busy_s"] + (open_s if state == "busy" else 0)
        acw = figures["acw_s"] + (open_s if state == "acw" else 0)
        available = figures["available_s"] + (open_s if state == "available" else 0)
        handled = figures["handled"]
        agents.append({
            "id": agent_id, "name": agent.get("name", ""), "username": agent.get("username", ""),
            "role": agent.get("role", "agent"), "queue_ids": agent.get("queue_ids", []), "state": state,
            "state_since": since, "handled_today": handled,
            "aht_s": (figures["handle_sum_s"] + figures["acw_sum_s"]) / handled if handled else None,
            "csat": figures["csat_sum"] / figures["csat_n"] if figures["csat_n"] else None,
            "occupancy": m.occupancy(busy, acw, available),
            "_time": (busy, acw, available),
        })
    return agents


def _csat_today(conn: sqlite3.Connection, since_iso: str) -> dict[str, m.Counters]:
    """CSAT answers recorded today by the workflow feature (`csat` records), by queue."""
    try:
        rows = conn.execute(
            "SELECT c.queue_id, json_extract(s.data, '$.score') FROM csat_scores s "
            "JOIN conversations c ON c.id = s.conversation_id "
            "WHERE coalesce(json_extract(s.data, '$.created_at'), json_extract(s.data, '$.submitted_at')) >= ?",
            (since_iso,)).fetchall()
    except sqlite3.OperationalError:  # no workflow feature on this server
        return {}
    result: dict[str, m.Counters] = {}
    for queue_id, score in rows:
        if isinstance(score, int | float) and 1 <= score <= 5:
            counters = result.setdefault(queue_id, m.Counters())
            counters.csat_n += 1
            counters.csat_sum += score
            counters.csat_satisfied += int(score >= 4)
    return result


def queue_stats(database: store.Database, agent: dict[str, Any] | None = None,
                now: datetime | None = None) -> list[dict[str, Any]]:
    """One entry per queue: live counts, today's metrics and the per-hour series for the charts.

    An agent (role other than lead) gets only the queues they work in.
    """
    conn = database.reader()
    now = now or utcnow()
    now_iso = to_iso(now)
    hours = today_hours(now)
    start_iso = to_iso(day_start(now))
    index = _open_work(database)
    with index.lock:
        index.refresh(conn)
        live_rows = index.aggregate(now)
    hourly = _hourly(conn, hours[0] if hours else now_iso)
    csat = _csat_today(conn, start_iso)
    agents = _agents(conn, now)
    allowed = None if agent is None or agent.get("role") == "lead" else set(agent.get("queue_ids") or [])
    result = []
    for queue_id, data in conn.execute("SELECT id, data FROM queues ORDER BY id").fetchall():
        if allowed is not None and queue_id not in allowed:
            continue
        queue = json.loads(data)
        live_row = live_rows.get(queue_id) or (0, 0, 0, 0, 0, 0, None, 0, 0, None, 0, 0)
        buckets = hourly.get(queue_id, {})
        counters = sum(buckets.values(), m.Counters()) + csat.get(queue_id, m.Counters())
        members = [a for a in agents if queue_id in a["queue_ids"] and a["role"] != "lead"]
        busy, acw, available = (sum(a["_time"][i] for a in members) for i in range(3))
        oldest = live_row[9]
        live = m.Live(waiting=live_row[8] or 0, oldest_wait_s=_seconds(now, oldest) if oldest else None,
                      sla_breached=live_row[10] or 0, sla_at_risk=live_row[11] or 0)
        result.append({
            "queue_id": queue_id, "name": queue.get("name", ""), "name_en": queue.get("name_en", ""),
            "open_total": live_row[0], "new": live_row[1] or 0, "open": live_row[2] or 0,
            "pending": live_row[3] or 0, "unassigned": live_row[4] or 0, "waiting": live_row[5] or 0,
            "oldest_waiting_since": live_row[6], "first_response_breached": live_row[7] or 0,
            "agents_available": sum(a["state"] == "available" for a in members),
            "metrics": m.queue_metrics(counters, live, m.agents_by_state(a["state"] for a in members),
                                       m.occupancy(busy, acw, available)),
            "counters": counters.as_dict(),
            "hourly": m.hourly_series(buckets, hours),
            "day_start": start_iso, "as_of": now_iso,
        })
    return result


def agent_stats(database: store.Database, agent: dict[str, Any], now: datetime | None = None) -> list[dict[str, Any]]:
    """The agents table: state, time in state, handled today, AHT, CSAT; agents see their queues' colleagues."""
    rows = _agents(database.reader(), now or utcnow())
    if agent.get("role") != "lead":
        mine = set(agent.get("queue_ids") or [])
        rows = [row for row in rows if mine & set(row["queue_ids"])]
    for row in rows:
        row.pop("_time")
    return rows
