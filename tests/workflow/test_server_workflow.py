"""Reference server: wrap-up codes, transfer with hand-off note, routing/offers/capacity, callbacks, CSAT."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from agent_desktop.domain.timeutil import parse_iso, to_iso, utcnow
from agent_desktop.server import routing
from agent_desktop.server.db import Database
from agent_desktop.server.demo_data import load_demo
from tests.server.conftest import KEY, Api


def _records(api: Api, entity: str, as_user: str = "agent1") -> dict[str, dict[str, Any]]:
    changes, _ = api.feed(as_user=as_user)
    out: dict[str, dict[str, Any]] = {}
    for change in changes:
        if change["entity"] == entity:
            if change["op"] == "delete":
                out.pop(change["id"], None)
            else:
                out[change["id"]] = change["data"]
    return out


def _conversation(api: Api, **match: Any) -> tuple[str, dict[str, Any]]:
    for cid, data in sorted(_records(api, "conversation").items()):
        if all(data.get(k) == v for k, v in match.items()):
            return cid, data
    raise AssertionError(f"no conversation with {match}")


def _set_state(api: Api, user: str, state: str, reason: str = "") -> dict[str, Any]:
    response = api.call("PUT", "/api/v1/me/status", as_user=user, json={"state": state, "reason": reason})
    assert response.status_code == 200, response.text
    return response.json()


def test_resolve_needs_a_known_disposition(wf_server) -> None:
    api, _ = wf_server
    cid, conversation = _conversation(api, status="open")
    path = f"/api/v1/conversations/{cid}"
    refused = api.call("PATCH", path, json={"status": "resolved"})
    assert refused.status_code == 409 and "wrap-up" in refused.json()["error"]["message"]
    unknown = api.call("PATCH", path, json={"status": "resolved", "disposition": "made-up"})
    assert unknown.status_code == 409
    done = api.call("PATCH", path, json={"status": "resolved", "disposition": "refund-issued"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["disposition"] == "refund-issued" and body["resolved_at"]
    reopened = api.call("PATCH", path, json={"status": "open"}).json()
    assert reopened["reopen_count"] == 1 and reopened["disposition"] is None and reopened["resolved_at"] is None


def test_transfer_needs_a_note_and_leaves_it_for_the_receiver(wf_server) -> None:
    api, _ = wf_server
    cid, conversation = _conversation(api, status="open")
    path = f"/api/v1/conversations/{cid}/transfer"
    no_note = api.call("POST", path, json={"kind": "escalate", "queue_id": "q-complaints-desk", "note": "  ok "})
    assert no_note.status_code == 409 and no_note.json()["error"]["code"] == "handoff_refused"
    key = str(uuid.uuid4())
    body = {"kind": "escalate", "queue_id": "q-complaints-desk", "note": "客户第三次来电，退款未到账，已核实银行流水。"}
    first = api.call("POST", path, json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    again = api.call("POST", path, json=body, headers={"Idempotency-Key": key})
    assert again.status_code == 200 and again.json() == first.json()
    moved = first.json()["conversation"]
    assert moved["queue_id"] == "q-complaints-desk" and moved["assignee_id"] is None
    assert moved["transfer_count"] == 1 and moved["handoff_note"].startswith("客户第三次来电")
    assert moved["priority"] in ("high", "urgent")
    # Read as the receiver: agent6 serves 投诉专席; agent1, who escalated it, no longer sees it.
    notes = [m for m in _records(api, "message", as_user="agent6").values()
             if m["conversation_id"] == cid and m.get("event")]
    # The event and its target, not a worded marker: each client words it in its agent's language.
    assert len(notes) == 1 and notes[0]["kind"] == "note"
    assert (notes[0]["event"], notes[0]["event_target"]) == ("escalate", "q-complaints-desk")
    assert notes[0]["body"] == body["note"]


def test_routing_offers_longest_idle_agent_and_respects_capacity(tmp_path) -> None:
    database = Database(tmp_path / "r.sqlite3")
    load_demo(database, customers=20, conversations=30)
    with database.transaction() as conn:
        conn.execute("UPDATE conversations SET status = 'closed', data = json_set(data, '$.status', 'closed')")
        for agent_id, in conn.execute("SELECT id FROM agents").fetchall():
            conn.execute("UPDATE agent_statuses SET data = json_set(data, '$.state', 'offline') WHERE id = ?",
                         (agent_id,))
    now = utcnow()
    from agent_desktop.server import db as store
    from agent_desktop.server import workflow_ops
    with database.transaction() as conn:
        # agent2 has waited longer than agent3 (both serve pre-sales)
        for agent_id, minutes in (("a-agent2", 30), ("a-agent3", 5)):
            status = store.load(conn, "agent_status", agent_id)
            store.store(conn, "agent_status", agent_id, {**status, "state": "available", "routable": True,
                                                         "since": to_iso(now - timedelta(minutes=minutes))})
        call = {"channel": "phone", "status": "new", "priority": "normal", "customer_id": "c-00001",
                "queue_id": "q-presales", "assignee_id": None, "subject": "price", "tags": [],
                "created_at": to_iso(now), "first_response_due": to_iso(now + timedelta(minutes=2))}
        store.store(conn, "conversation", "cv-call-1", call)
        offers = routing.route_waiting(conn, now)
    assert [(o["conversation_id"], o["agent_id"]) for o in offers] == [("cv-call-1", "a-agent2")]
    with database.transaction() as conn:
        # agent2 takes the call; a second call may not go to agent2 (phone capacity 1) but to agent3
        offer = store.load(conn, "offer", offers[0]["id"])
        store.store(conn, "offer", offers[0]["id"], {**offer, "state": "accepted"})
        taken = store.load(conn, "conversation", "cv-call-1")
        store.store(conn, "conversation", "cv-call-1", {**taken, "assignee_id": "a-agent2", "routed_to": "a-agent2"})
        store.store(conn, "conversation", "cv-call-2", {**call, "subject": "second"})
        second = routing.route_waiting(conn, now)
        assert [(o["conversation_id"], o["agent_id"]) for o in second] == [("cv-call-2", "a-agent3")]
        # an unanswered offer expires and the conversation goes to nobody else available → stays waiting
        later = now + timedelta(seconds=31)
        assert routing.route_waiting(conn, later) == []
        assert store.load(conn, "offer", second[0]["id"])["state"] == "expired"
        missed = store.load(conn, "agent_status", "a-agent3")   # nobody at the desk: no more offers
        assert (missed["state"], missed["reason"], missed["routable"]) == ("break", "missed_offer", False)
        # back at the desk, agent3 gets it again; a break withdraws the offer
        workflow_ops.write_agent_status(conn, "a-agent3", "available")
        assert store.load(conn, "offer", second[0]["id"])["state"] == "expired"
        again = [o for o in routing.route_waiting(conn, later)]
        assert again == [] or again[0]["agent_id"] == "a-agent3"
        workflow_ops.write_agent_status(conn, "a-agent3", "break", "lunch")
        assert store.load(conn, "agent_status", "a-agent3")["reason"] == "lunch"
        assert not conn.execute("SELECT 1 FROM offers WHERE agent_id='a-agent3' AND state='offered'").fetchone()
    database.close()


def test_offer_accept_assigns_and_decline_moves_on(wf_server) -> None:
    api, server = wf_server
    with server.app.state.db.transaction() as conn:  # no backlog: only the contacts below wait
        conn.execute("UPDATE conversations SET status = 'closed', data = json_set(data, '$.status', 'closed') "
                     "WHERE status = 'new'")
    for user in ("agent2", "agent3", "agent4", "agent5", "agent6", "agent7", "agent8", "agent9", "agent10"):
        _set_state(api, user, "offline")
    _set_state(api, "agent1", "available")
    answer = api.http.post(f"{api.url}/api/v1/inbound", headers={"X-Integration-Key": KEY}, timeout=10, json={
        "channel": "chat", "customer": {"name": "新客户", "handle": "@newbie"}, "body": "你好，想咨询价格"})
    assert answer.status_code == 201
    cid = answer.json()["conversation_id"]
    offers = [(oid, o) for oid, o in _records(api, "offer").items()
              if o["conversation_id"] == cid and o["state"] == "offered"]
    assert len(offers) == 1 and offers[0][1]["agent_id"] == "a-agent1"
    other = api.call("POST", f"/api/v1/offers/{offers[0][0]}/accept", as_user="agent2")
    assert other.status_code == 403
    accepted = api.call("POST", f"/api/v1/offers/{offers[0][0]}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["conversation"]["assignee_id"] == "a-agent1"
    # a second chat: agent1 declines, nobody else is available, so it waits unassigned
    second = api.http.post(f"{api.url}/api/v1/inbound", headers={"X-Integration-Key": KEY}, timeout=10, json={
        "channel": "chat", "customer": {"name": "Another", "handle": "@another"}, "body": "hello, a price?"}).json()
    offer_id = next(oid for oid, o in _records(api, "offer").items()
                    if o["conversation_id"] == second["conversation_id"] and o["state"] == "offered")
    assert api.call("POST", f"/api/v1/offers/{offer_id}/decline").status_code == 200
    states = [o["state"] for o in _records(api, "offer").values() if o["conversation_id"] == second["conversation_id"]]
    assert states == ["declined"]


def test_low_csat_schedules_one_follow_up_callback(wf_server) -> None:
    api, _ = wf_server
    cid, conversation = _conversation(api, status="resolved")
    happy = api.call("POST", f"/api/v1/conversations/{cid}/csat", json={"score": 4}).json()
    assert happy["callback"] is None
    for _ in range(2):
        unhappy = api.call("POST", f"/api/v1/conversations/{cid}/csat",
                           json={"score": 2, "comment": "还是没解决", "source": "survey"})
        assert unhappy.status_code == 201
    callbacks = [c for c in _records(api, "callback").values() if c["conversation_id"] == cid and c["reason"] == "csat"]
    assert len(callbacks) == 1 and callbacks[0]["customer_id"] == conversation["customer_id"]
    assert parse_iso(callbacks[0]["due_at"]) > utcnow()
    assert _records(api, "csat")[f"csat-{cid}"]["score"] == 2
    assert api.call("POST", f"/api/v1/conversations/{cid}/csat", json={"score": 6}).status_code == 422


def test_callback_outcomes(wf_server) -> None:
    api, _ = wf_server
    due = to_iso(utcnow() + timedelta(hours=1))
    created = api.call("POST", "/api/v1/callbacks", json={"customer_id": "c-00002", "due_at": due, "note": "回访确认"},
                       headers={"Idempotency-Key": "cb-key-1"})
    assert created.status_code == 201
    callback_id = created.json()["id"]
    path = f"/api/v1/callbacks/{callback_id}/outcome"
    assert api.call("POST", path, json={"outcome": "reschedule"}).status_code == 422   # needs a time
    retry = api.call("POST", path, json={"outcome": "no_answer"}).json()
    assert retry["status"] == "scheduled" and retry["attempts"] == 1 and parse_iso(retry["due_at"]) > parse_iso(due)
    new_time = to_iso(utcnow() + timedelta(days=1))
    moved = api.call("POST", path, json={"outcome": "reschedule", "due_at": new_time}).json()
    assert moved["due_at"] == new_time
    done = api.call("POST", path, json={"outcome": "done", "note": "客户确认已解决"}).json()
    assert done["status"] == "done" and done["completed_at"] and done["outcome_note"] == "客户确认已解决"
    assert api.call("POST", path, json={"outcome": "no_answer"}).status_code == 409
    assert api.call("POST", "/api/v1/callbacks", json={"customer_id": "nobody", "due_at": due}).status_code == 404


def test_customer_notes_tags_and_demo_orders(wf_server) -> None:
    api, _ = wf_server
    orders = _records(api, "order")
    owners = {o["customer_id"] for o in orders.values()}
    assert len(owners) >= 30 * 0.6  # most customers have orders
    note = api.call("POST", "/api/v1/customers/c-00003/notes", json={"body": "只接受下午来电"}).json()
    edited = api.call("PATCH", f"/api/v1/customer-notes/{note['id']}", json={"body": "只接受下午 3 点后来电"}).json()
    assert edited["body"] == "只接受下午 3 点后来电" and edited["version"] == note["version"] + 1
    tagged = api.call("PUT", "/api/v1/customers/c-00003/tags", json={"tags": ["vip-candidate", " ", "vip-candidate"]})
    assert tagged.json()["tags"] == ["vip-candidate"]
    dispositions = _records(api, "disposition")
    assert "refund-issued" in dispositions and dispositions["refund-issued"]["name"] == "已退款"
    queues = _records(api, "queue")
    assert queues["q-aftersales-l2"]["name"] == "售后二线" and queues["q-complaints-desk"]["name"] == "投诉专席"


def test_sla_policy_table_sets_inbound_targets(wf_server) -> None:
    api, _ = wf_server
    answer = api.http.post(f"{api.url}/api/v1/inbound", headers={"X-Integration-Key": KEY}, timeout=10, json={
        "channel": "email", "customer": {"name": "Policy", "email": "policy@example.com"},
        "body": "我要投诉你们的服务"}).json()
    conversation = _records(api, "conversation")[answer["conversation_id"]]
    created = parse_iso(conversation["created_at"])
    assert conversation["queue_id"] == "q-complaints"
    # the complaints queue row (10 min / 24 h) beats the channel default (240 min for e-mail)
    assert parse_iso(conversation["first_response_due"]) - created == timedelta(minutes=10)
    assert parse_iso(conversation["resolution_due"]) - created == timedelta(minutes=1440)


def test_plain_presence_flag_does_not_make_an_agent_routable(wf_server) -> None:
    api, server = wf_server
    assert api.call("PATCH", "/api/v1/me", as_user="agent2", json={"state": "available"}).status_code == 200
    with server.app.state.db.transaction() as conn:
        assert all(s.id != "a-agent2" for s in routing.agent_slots(conn))
    assert _set_state(api, "agent2", "available")["routable"] is True   # going Available at the desk
    assert api.call("PATCH", "/api/v1/me", as_user="agent2", json={"state": "busy"}).status_code == 200
    assert _records(api, "agent_status")["a-agent2"]["routable"] is False


def test_presence_lists_other_viewers(wf_server) -> None:
    api, _ = wf_server
    cid, _ = _conversation(api, status="open")
    path = f"/api/v1/conversations/{cid}/presence"
    assert api.call("POST", path, as_user="agent2", json={"activity": "replying"}).json() == {"others": []}
    others = api.call("POST", path, json={"activity": "viewing"}).json()["others"]
    assert others == [{"agent_id": "a-agent2", "name": "王磊", "activity": "replying"}]
    api.call("POST", path, as_user="agent2", json={"activity": "left"})
    assert api.call("POST", path, json={"activity": "viewing"}).json() == {"others": []}


def test_priority_change_and_escalation_take_the_new_sla_row(wf_server) -> None:
    api, _ = wf_server
    cid, conversation = _conversation(api, status="new", queue_id="q-aftersales")
    customer = _records(api, "customer")[conversation["customer_id"]]
    urgent = api.call("PATCH", f"/api/v1/conversations/{cid}", json={"priority": "urgent"}).json()
    created = parse_iso(urgent["created_at"])
    policy = _records(api, "sla_policy")[f"sla-{customer['tier']}-urgent"]
    assert parse_iso(urgent["resolution_due"]) - created == timedelta(minutes=policy["resolution_minutes"])
    assert parse_iso(urgent["first_response_due"]) - created == timedelta(minutes=policy["first_response_minutes"])
    moved = api.call("POST", f"/api/v1/conversations/{cid}/transfer", json={
        "kind": "escalate", "queue_id": "q-complaints-desk", "note": "严重投诉，需专席处理"}).json()["conversation"]
    desk = _records(api, "sla_policy")["sla-q-complaints-desk-vip" if customer["tier"] == "vip" else
                                        "sla-q-complaints-desk"]
    assert parse_iso(moved["resolution_due"]) - created == timedelta(minutes=desk["resolution_minutes"])
