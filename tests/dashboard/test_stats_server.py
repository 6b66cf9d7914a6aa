"""Server statistics: events recorded by inbound / reply / resolve / abandon / state change; lead-only actions."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
import requests

from agent_desktop.server import operations, stats
from agent_desktop.server.db import Database
from agent_desktop.server.demo_data import load_demo
from tests.helpers import INTEGRATION_KEY, RunningServer


@pytest.fixture
def database(tmp_path: Path):
    db = Database(tmp_path / "s.sqlite3")
    load_demo(db, customers=20, conversations=40)
    yield db
    db.close()


def counters(db: Database, queue_id: str) -> dict[str, float]:
    return next(q for q in stats.queue_stats(db) if q["queue_id"] == queue_id)["counters"]


def delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: after[k] - before[k] for k in after if after[k] != before[k]}


def inbound(db: Database, body: str, channel: str = "chat") -> dict:
    result, _ = operations.receive_inbound(db, {"channel": channel, "customer": {"name": "Test Caller",
                                                                                "phone": f"+86 139{hash(body) % 10**8:08d}"},
                                                "subject": body, "body": body, "external_id": None})
    return operations.get_conversation(db, result["conversation_id"])


def lead(db: Database) -> dict:
    return {**db.get("agent", "a-lead1"), "id": "a-lead1"}


def disposition(db: Database) -> dict:
    row = db.reader().execute("SELECT id FROM dispositions ORDER BY id LIMIT 1").fetchone()
    return {"disposition": row[0]} if row else {}


def test_a_contact_offered_answered_resolved(database: Database) -> None:
    before = counters(database, "q-aftersales")
    conversation = inbound(database, "my parcel did not arrive")
    assert conversation["queue_id"] == "q-aftersales"
    waiting = next(q for q in stats.queue_stats(database) if q["queue_id"] == "q-aftersales")["metrics"]
    agent = {**database.get("agent", "a-agent2"), "id": "a-agent2"}
    operations.post_message(database, agent, conversation["id"], "reply", "on it", "k-1")
    operations.post_message(database, agent, conversation["id"], "reply", "again", "k-2")  # not a second answer
    operations.patch_conversation(database, conversation["id"], {"status": "resolved", **disposition(database)}, None)
    change = delta(before, counters(database, "q-aftersales"))
    assert change["offered"] == 1 and change["answered"] == 1 and change["answered_in_sl"] == 1
    assert change["handled"] == 1 and change["resolved"] == 1 and change["fcr"] == 1
    assert "abandoned" not in change
    assert waiting["contacts_waiting"] >= 1
    kinds = [row[0] for row in database.reader().execute(
        "SELECT kind FROM events WHERE conversation_id = ? ORDER BY seq", (conversation["id"],))]
    assert kinds == ["offered", "answered", "resolved"]


def test_reopen_revokes_first_contact_resolution(database: Database) -> None:
    conversation = inbound(database, "invoice please")
    agent = {**database.get("agent", "a-agent2"), "id": "a-agent2"}
    operations.post_message(database, agent, conversation["id"], "reply", "sent", "k-3")
    operations.patch_conversation(database, conversation["id"], {"status": "resolved", **disposition(database)}, None)
    before = counters(database, conversation["queue_id"])
    inbound(database, "invoice please")  # the same customer writes again: reopened
    assert delta(before, counters(database, conversation["queue_id"])) == {"fcr": -1}


def test_abandon_through_the_channel_api_and_resolving_unanswered(tmp_path: Path) -> None:
    server = RunningServer(tmp_path / "server.sqlite3")
    try:
        db = server.server.app.state.db
        before = counters(db, "q-aftersales")
        first = server.inbound(channel="phone", customer={"name": "Caller A", "phone": "+86 13900000001"},
                               body="hello?", external_id="call-1")
        answer = requests.post(f"{server.url}/api/v1/inbound/{first['conversation_id']}/abandon",
                               headers={"X-Integration-Key": INTEGRATION_KEY}, timeout=10)
        assert answer.status_code == 200 and "abandoned" in answer.json()["tags"]
        again = requests.post(f"{server.url}/api/v1/inbound/{first['conversation_id']}/abandon",
                              headers={"X-Integration-Key": INTEGRATION_KEY}, timeout=10)
        assert again.status_code == 409
        change = delta(before, counters(db, "q-aftersales"))
        assert change == {"offered": 1, "abandoned": 1, "abandoned_in_sl": 1}
    finally:
        server.stop()


def test_agent_state_time_is_accumulated(database: Database) -> None:
    operations.set_agent_state(database, "a-agent3", "busy")
    operations.set_agent_state(database, "a-agent3", "available")
    day = stats.day_key(stats.utcnow())
    busy = database.reader().execute("SELECT busy_s FROM stats_agent_daily WHERE day = ? AND agent_id = 'a-agent3'",
                                     (day,)).fetchone()[0]
    assert busy >= 0
    row = next(a for a in stats.agent_stats(database, lead(database)) if a["id"] == "a-agent3")
    assert row["state"] == "available" and row["state_since"] is not None
    states = [r[0] for r in database.reader().execute(
        "SELECT json_extract(data, '$.new') FROM events WHERE kind = 'agent_state' AND agent_id = 'a-agent3'")]
    assert states[-2:] == ["busy", "available"]


def test_live_sql_agrees_with_the_domain_rules(database: Database) -> None:
    """The server counts waiting/SLA in SQL for speed; it must match domain.metrics.live_metrics."""
    from agent_desktop.domain import metrics as m
    now = stats.utcnow()
    rows = database.reader().execute(
        "SELECT queue_id, status, created_at, json_extract(data, '$.waiting_since'), "
        "json_extract(data, '$.first_response_at'), json_extract(data, '$.first_response_due'), "
        "json_extract(data, '$.resolution_due') FROM conversations WHERE status IN ('new', 'open', 'pending')")
    work: dict[str, list[m.OpenWork]] = {}
    for queue_id, *fields in rows:
        work.setdefault(queue_id, []).append(m.OpenWork(*fields))
    for queue in stats.queue_stats(database, now=now):
        expected = m.live_metrics(work.get(queue["queue_id"], []), now)
        got = queue["metrics"]
        assert (got["contacts_waiting"], got["sla_at_risk"], got["sla_breached"]) == \
            (expected.waiting, expected.sla_at_risk, expected.sla_breached), queue["queue_id"]
        if expected.oldest_wait_s is not None:
            assert got["oldest_wait_s"] == pytest.approx(expected.oldest_wait_s, abs=1)


class Api:
    def __init__(self, url: str) -> None:
        self.url = url
        self.tokens: dict[str, str] = {}

    def __call__(self, method: str, path: str, user: str, **kwargs) -> requests.Response:
        if user not in self.tokens:
            answer = requests.post(f"{self.url}/api/v1/auth/token", json={"username": user, "password": "demo"},
                                   timeout=10)
            self.tokens[user] = answer.json()["token"]
        return requests.request(method, f"{self.url}{path}", timeout=10,
                                headers={"Authorization": f"Bearer {self.tokens[user]}"}, **kwargs)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    server = RunningServer(tmp_path_factory.mktemp("stats") / "server.sqlite3")
    yield Api(server.url)
    server.stop()


def test_lead_only_actions_answer_403_to_agents(api: Api) -> None:
    waiting = api("GET", "/api/v1/queues/stats", "lead1").json()
    rows = api("GET", "/api/v1/changes", "lead1", params={"limit": 2000}).json()["changes"]
    conversation_id = next(c["id"] for c in rows if c["entity"] == "conversation" and c["data"]["status"] == "new")
    refused = api("POST", f"/api/v1/conversations/{conversation_id}/reassign", "agent1", json={"assignee_id": "a-agent2"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    refused = api("PUT", "/api/v1/agents/a-agent2/queues", "agent2", json={"queue_ids": ["q-presales"]})
    assert refused.status_code == 403
    done = api("POST", f"/api/v1/conversations/{conversation_id}/reassign", "lead1", json={"assignee_id": "a-agent2"})
    assert done.status_code == 200 and done.json()["assignee_id"] == "a-agent2"
    moved = api("PUT", "/api/v1/agents/a-agent2/queues", "lead1", json={"queue_ids": ["q-complaints", "q-presales"]})
    assert moved.status_code == 200 and moved.json()["queue_ids"] == ["q-complaints", "q-presales"]
    unknown = api("PUT", "/api/v1/agents/a-agent2/queues", "lead1", json={"queue_ids": ["q-nope"]})
    assert unknown.status_code == 422
    assert len(waiting) >= 4


def test_agents_read_only_their_own_queues(api: Api) -> None:
    mine = {q["queue_id"] for q in api("GET", "/api/v1/queues/stats", "agent3").json()}
    assert mine == {"q-presales", "q-aftersales"}
    everything = {q["queue_id"] for q in api("GET", "/api/v1/queues/stats", "lead1").json()}
    assert mine < everything
    colleagues = api("GET", "/api/v1/queues/agents", "agent3").json()
    assert all({"q-presales", "q-aftersales"} & set(a["queue_ids"]) for a in colleagues)
    assert requests.get(f"{api.url}/api/v1/queues/stats", timeout=10).status_code == 401


def test_live_figures_follow_changes_incrementally(database: Database) -> None:
    """The in-memory open-work index picks up changes from the feed between polls."""
    before = next(q for q in stats.queue_stats(database) if q["queue_id"] == "q-aftersales")["metrics"]
    conversation = inbound(database, "where is my refund")
    after = next(q for q in stats.queue_stats(database) if q["queue_id"] == "q-aftersales")["metrics"]
    assert after["contacts_waiting"] == before["contacts_waiting"] + 1
    agent = {**database.get("agent", "a-agent2"), "id": "a-agent2"}
    operations.post_message(database, agent, conversation["id"], "reply", "checking", "k-9")
    answered = next(q for q in stats.queue_stats(database) if q["queue_id"] == "q-aftersales")["metrics"]
    assert answered["contacts_waiting"] == before["contacts_waiting"]
    test_live_sql_agrees_with_the_domain_rules(database)  # and the incremental state matches a full recount


def test_the_demo_floor_keeps_the_numbers_moving(database: Database) -> None:
    from agent_desktop.server.stats_demo import DemoFloor
    for index in range(3):
        inbound(database, f"demo contact {index}", channel="chat")
    floor = DemoFloor(database, seed=3)
    before = {q["queue_id"]: q["counters"] for q in stats.queue_stats(database)}
    done = [floor.step() for _ in range(40)]
    after = {q["queue_id"]: q["counters"] for q in stats.queue_stats(database)}
    assert {"answer", "resolve", "change_state"} <= set(done)
    assert sum(after[q]["answered"] - before[q]["answered"] for q in after) >= 1
    assert sum(after[q]["resolved"] - before[q]["resolved"] for q in after) >= 1
    spare = {a["username"]: a for a in stats.agent_stats(database, lead(database))}
    assert spare["agent1"]["state"] == "available"  # the people who sign in are never puppeted


def test_demo_agent_figures_fit_in_a_shift() -> None:
    """A lead distrusts 211 contacts at 6 min each in one day: handled × AHT must fit the hours worked."""
    from datetime import datetime

    from agent_desktop.server.stats_demo import build_history

    agents = [(f"a-agent{n}", ["q-presales", "q-aftersales"]) for n in range(1, 6)]
    for hour in (9, 13, 17, 23):
        now = datetime(2026, 12, 3, hour, 30, tzinfo=UTC)
        _hourly, daily = build_history(7, now, ["q-presales", "q-aftersales", "q-complaints"], agents)
        for _day, _agent, handled, handle_sum, acw_sum, _n, _sum, busy, acw, available in daily:
            worked = busy + acw + available / 0.85
            assert handle_sum <= busy + 1e-6 and handle_sum + acw_sum <= worked + 1e-6
            assert handled == 0 or 240 <= (handle_sum + acw_sum) / handled <= 600   # a plausible AHT
