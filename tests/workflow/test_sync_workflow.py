"""Workflow actions through the cache and outbox against a real server: shown at once (offline),
sent once, replaced by the server's records; a 412 conflict keeps both versions until the agent chooses."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests

from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.domain.timeutil import utcnow
from agent_desktop.services.agent_state import AgentStateService
from agent_desktop.services.callbacks import CallbackService
from agent_desktop.services.conversations import ConversationService
from agent_desktop.services.customer_records import CustomerRecordsService
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.services.workflow import WorkflowService
from agent_desktop.store import Database
from tests.helpers import run_private


def run(coro):
    return run_private(coro)


@pytest.fixture
def client(wf_server, tmp_path):
    api, server = wf_server
    backend = ReferenceBackend(server.url)
    signed = backend.sign_in("agent1", "demo")
    db = Database(tmp_path / "cache.sqlite3")
    engine = SyncEngine(db, backend)
    engine.pull()
    conversations = ConversationService(db, signed.agent)
    # The workflow's services as services/session.py builds them (presence is not used here).
    wf = SimpleNamespace(**{name: cls(db, signed.agent, backend, conversations) for name, cls in (
        ("workflow", WorkflowService), ("customers", CustomerRecordsService), ("callbacks", CallbackService),
        ("agent_state", AgentStateService))})
    yield api, db, engine, conversations, wf
    db.close()


def _open_conversation(db) -> dict:
    row = db.reader().execute("SELECT id, customer_id, version FROM conversations WHERE status='open' "
                              "ORDER BY id LIMIT 1").fetchone()
    return {"id": row[0], "customer_id": row[1], "version": row[2]}


def test_actions_show_at_once_and_reach_the_server_once(client) -> None:
    api, db, engine, conversations, wf = client
    conv = _open_conversation(db)
    customer = conv["customer_id"]
    run(wf.callbacks.schedule_callback(customer, utcnow() + timedelta(hours=2), "确认退款", conv["id"]))
    run(wf.customers.add_note(customer, "只在工作日联系"))
    run(wf.customers.set_tags(customer, ["回访", "vip-candidate", "回访"]))
    run(wf.workflow.record_csat(conv["id"], 1, "很不满意"))
    run(wf.agent_state.set_state("break", "lunch"))
    # before anything is sent (offline): all of it is on screen already
    assert any(c["note"] == "确认退款" and c["pending_key"] for c in wf.callbacks.callbacks())
    assert wf.customers.notes(customer)[0]["body"] == "只在工作日联系"
    assert wf.customers.customer(customer)["tags"] == ["回访", "vip-candidate"]
    assert wf.workflow.csat(conv["id"])["score"] == 1
    assert wf.agent_state.my_status()["state"] == "break" and wf.agent_state.my_status()["reason"] == "lunch"
    pushed = engine.push()
    assert pushed.sent == 5 and pushed.failed == 0
    engine.pull()
    mine = [c for c in wf.callbacks.callbacks() if c["customer_id"] == customer]
    assert {c["reason"] for c in mine} >= {"manual", "csat"}            # the CSAT follow-up came from the server
    assert not any(c["pending_key"] or c["id"].startswith("local:") for c in mine)
    assert [n["body"] for n in wf.customers.notes(customer)].count("只在工作日联系") == 1
    assert wf.workflow.csat(conv["id"])["score"] == 1 and not wf.workflow.csat(conv["id"])["pending_key"]
    assert wf.customers.figures(customer)["csat_average"] is not None
    server_notes = [c["data"] for c in api.feed()[0] if c["entity"] == "customer_note"
                    and c["data"]["customer_id"] == customer and c["data"]["body"] == "只在工作日联系"]
    assert len(server_notes) == 1                                         # sent exactly once
    assert engine.push().sent == 0


def test_outcome_of_a_callback_scheduled_offline_follows_its_server_id(client) -> None:
    _, db, engine, _, wf = client
    conv = _open_conversation(db)
    run(wf.callbacks.schedule_callback(conv["customer_id"], utcnow() + timedelta(hours=1), "offline one"))
    local = next(c for c in wf.callbacks.callbacks() if c["note"] == "offline one")
    run(wf.callbacks.callback_outcome(local["id"], "done", note="已解决"))
    assert all(c["id"] != local["id"] for c in wf.callbacks.callbacks())     # done: off the list at once
    assert engine.push().sent == 2
    engine.pull()
    done = [c for c in wf.callbacks.callbacks(include_done=True) if c["note"] == "offline one"]
    assert len(done) == 1 and done[0]["status"] == "done" and not done[0]["id"].startswith("local:")


def test_resolve_needs_a_code_and_a_conflict_keeps_both_versions(client) -> None:
    api, db, engine, conversations, wf = client
    conv = _open_conversation(db)
    from agent_desktop.domain.workflow import TransitionRefused

    with pytest.raises(TransitionRefused):
        run(wf.workflow.resolve(conv["id"], "not-a-code"))
    run(conversations.change(conv["id"], priority="urgent"))
    # someone else changes it on the server first
    token = api.token("agent2")
    requests.patch(f"{api.url}/api/v1/conversations/{conv['id']}", json={"priority": "low"},
                   headers={"Authorization": f"Bearer {token}"}, timeout=10).raise_for_status()
    result = engine.push()
    assert result.conflicts == 1
    conflicts = wf.workflow.conflicts(conv["id"])
    assert conflicts[0]["mine"] == {"priority": "urgent"} and conflicts[0]["server"]["priority"] == "low"
    assert conflicts[0]["server"]["updated_by"] == "a-agent2"           # who, for the conflict dialog
    run(wf.workflow.resolve_conflict(conv["id"], conflicts[0]["key"], keep_mine=True))
    assert conversations.header(conv["id"])["priority"] == "urgent"      # mine shown again at once
    assert engine.push().sent == 1
    assert api.call("GET", f"/api/v1/conversations/{conv['id']}").json()["priority"] == "urgent"
    run(wf.workflow.resolve(conv["id"], "refund-issued"))
    assert engine.push().sent == 1
    server = api.call("GET", f"/api/v1/conversations/{conv['id']}").json()
    assert (server["status"], server["disposition"]) == ("resolved", "refund-issued")
    assert wf.workflow.facts(conv["id"])["disposition"] == "refund-issued"


def test_unknown_caller_is_linked_or_created(client) -> None:
    api, db, engine, conversations, wf = client
    conv = _open_conversation(db)
    other = db.reader().execute("SELECT id, name FROM customers WHERE id != ? ORDER BY id LIMIT 1",
                                (conv["customer_id"],)).fetchone()
    assert any(c["id"] == other[0] for c in wf.customers.find_customers(other[1][:2]))
    run(wf.customers.link_customer(conv["id"], other[0]))
    assert conversations.header(conv["id"])["customer_id"] == other[0]      # shown at once
    assert engine.push().sent == 1
    assert api.call("GET", f"/api/v1/conversations/{conv['id']}").json()["customer_id"] == other[0]
    run(wf.customers.create_customer(conv["id"], name="新客户 王女士", company="杭州某公司", phone="+86 131 0000 9999"))
    assert engine.push().sent == 1
    header = conversations.header(conv["id"])
    assert header["customer_name"] == "新客户 王女士" and header["customer_company"] == "杭州某公司"
    assert api.call("GET", f"/api/v1/conversations/{conv['id']}").json()["customer_id"] == header["customer_id"]


def test_a_resync_forgets_every_features_deleted_records_and_keeps_the_outbox(client, wf_server) -> None:
    """The server deleted a callback, an offer and a customer note, then compacted its feed (their
    tombstones are gone): the 410 resync must clear every feature's tables, not just the core's,
    while the reply waiting in the outbox (and its local copy) stays."""
    from agent_desktop.server import db as server_store
    from agent_desktop.store import outbox

    api, db, engine, conversations, wf = client
    server_db = wf_server[1].app.state.db
    reader = db.reader()
    conv = _open_conversation(db)
    offer = reader.execute("SELECT id FROM offers LIMIT 1").fetchone()
    with server_db.transaction() as conn:
        if offer is None:   # a quiet demo floor may have no offer yet: make one
            server_store.store(conn, "offer", "of-resync", {"agent_id": "a-agent1", "conversation_id": conv["id"],
                                                            "state": "offered", "created_at": "2026-12-03T08:00:00Z",
                                                            "expires_at": "2026-12-03T08:00:30Z"})
    engine.pull()
    gone = {table: reader.execute(f"SELECT id FROM {table} ORDER BY id LIMIT 1").fetchone()[0]
            for table in ("callbacks", "offers", "customer_notes")}
    entity = {"callbacks": "callback", "offers": "offer", "customer_notes": "customer_note"}
    with server_db.transaction() as conn:
        for table, record_id in gone.items():
            server_store.delete(conn, entity[table], record_id)
    server_db.compact(server_db.last_seq() + 1)
    run(conversations.send(conv["id"], "reply", "waits in the outbox through the resync"))
    result = engine.pull()
    assert result.resynced
    for table, record_id in gone.items():
        assert reader.execute(f"SELECT count(*) FROM {table} WHERE id=?", (record_id,)).fetchone()[0] == 0, table
    assert reader.execute("SELECT count(*) FROM conversations").fetchone()[0] > 0       # the rest came back
    assert [item.action for item in outbox.items(reader)] == ["reply"]
    assert reader.execute("SELECT count(*) FROM messages WHERE pending=1").fetchone()[0] == 1
    assert engine.push().sent == 1
