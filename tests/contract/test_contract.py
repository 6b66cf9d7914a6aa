"""One contract, every backend: the same tests against our reference server and a live Request
Tracker 5, each started by the suite on 127.0.0.1 (tests/contract/conftest.py).

What an adapter must do for the app to work unchanged on it: a first sync that pages through
everything the agent may see; later pulls that bring what others did (a customer's message, a
colleague's change, a deletion, a merge); replies and notes exactly once under lost answers and
a killed process; field-level conflicts; and clear errors for expired credentials, rate limits,
malformed answers and actions the backend cannot do.
"""

from __future__ import annotations

import shutil
import time

import pytest

from agent_desktop.backends.base import (
    AuthRequired,
    Capability,
    MalformedResponse,
    NetworkError,
    ServerBusy,
    capabilities_of,
)
from agent_desktop.services.features import default_features
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database, outbox, records
from tests.contract.helpdesks import signed_in
from tests.faults.proxy import FaultProxy
from tests.faults.test_proxy_faults import Scripted


def _conversation(db: Database, conversation_id: str) -> dict | None:
    row = db.reader().execute("SELECT id, status, priority, version FROM conversations WHERE id=?",
                              (conversation_id,)).fetchone()
    return None if row is None else {"id": row[0], "status": row[1], "priority": row[2], "version": row[3]}


def _bodies(db: Database, conversation_id: str) -> list[str]:
    return [row[0] for row in db.reader().execute(
        "SELECT body FROM messages WHERE conversation_id=? AND id NOT LIKE 'local:%' ORDER BY created_at, id",
        (conversation_id,))]


@pytest.fixture
def synced(helpdesk, first_sync, tmp_path):
    """A cache after the first sync (copied from the module's), pulled up to now."""
    shutil.copy(first_sync.path, tmp_path / "cache.sqlite3")
    db = Database(tmp_path / "cache.sqlite3")
    engine = SyncEngine(db, signed_in(helpdesk), page_size=500)
    engine.pull()
    yield engine
    db.close()


def test_first_sync_brings_every_conversation_the_agent_may_see_over_many_pages(helpdesk, first_sync):
    db = Database(first_sync.path)
    try:
        count = db.reader().execute("SELECT count(*) FROM conversations").fetchone()[0]
        messages = db.reader().execute("SELECT count(*) FROM messages").fetchone()[0]
        customers = db.reader().execute("SELECT count(*) FROM customers").fetchone()[0]
        queues = db.reader().execute("SELECT count(*) FROM queues").fetchone()[0]
    finally:
        db.close()
    assert count == helpdesk.visible_total()
    assert first_sync.pages > 2                      # paged, not one answer
    assert messages >= count and customers > 0 and queues > 0
    assert first_sync.invalid == 0                   # every record the adapter made is valid


def test_a_customer_message_and_a_colleagues_change_arrive_with_the_next_pull(helpdesk, synced):
    engine = synced
    fresh = helpdesk.new_conversation(f"new contact {time.time_ns()}")
    engine.pull()
    assert _conversation(engine.db, fresh) is not None
    text = f"customer writes again {time.time_ns()}"
    helpdesk.customer_writes(fresh, text)
    helpdesk.someone_else_sets(fresh, priority="urgent")
    engine.pull()
    assert text in _bodies(engine.db, fresh)
    assert _conversation(engine.db, fresh)["priority"] == "urgent"
    before = engine.db.reader().execute("SELECT count(*) FROM messages").fetchone()[0]
    engine.pull()   # nothing new: nothing doubled
    assert engine.db.reader().execute("SELECT count(*) FROM messages").fetchone()[0] == before


def test_a_deleted_conversation_leaves_the_cache(helpdesk, synced):
    if not helpdesk.can_delete:
        pytest.skip(f"{helpdesk.kind} never deletes a conversation")
    engine = synced
    doomed = helpdesk.new_conversation(f"to be deleted {time.time_ns()}")
    engine.pull()
    assert _conversation(engine.db, doomed) is not None
    helpdesk.delete(doomed)
    engine.pull()
    assert _conversation(engine.db, doomed) is None


def test_a_merged_conversation_moves_its_messages_to_the_one_it_joined(helpdesk, synced):
    if not helpdesk.can_merge:
        pytest.skip(f"{helpdesk.kind} does not merge conversations through its API")
    engine = synced
    first_text, second_text = f"first contact {time.time_ns()}", f"duplicate contact {time.time_ns()}"
    target = helpdesk.new_conversation(first_text)
    source = helpdesk.new_conversation(second_text)
    engine.pull()
    helpdesk.merge(source, target)
    engine.pull()
    assert _conversation(engine.db, source) is None
    bodies = _bodies(engine.db, target)
    assert any(first_text in b for b in bodies) and any(second_text in b for b in bodies)


@pytest.mark.parametrize("fault", ["drop", "truncate", "delay"])
@pytest.mark.parametrize("kind", ["reply", "note"])
def test_a_message_whose_answer_was_lost_is_on_the_server_once(helpdesk, synced, fault, kind):
    engine = synced
    target = helpdesk.new_conversation(f"lost answer {time.time_ns()}")
    engine.pull()
    script = Scripted("/")
    with FaultProxy(helpdesk.url, lambda m, p: script(m, p) if helpdesk.sends_a_message(m, p) else "ok",
                    delay=4.0) as proxy:
        engine.backend = signed_in(helpdesk, proxy.url, timeout=(2.0, 2.0))
        body = f"{kind} through {fault} {time.time_ns()}"
        engine.db.write_sync(outbox.enqueue_message, target, kind, body, "a-1", "Agent")
        script.queue.append(fault)
        with pytest.raises(NetworkError):
            engine.push()
        engine.db.write_sync(lambda c: c.execute("UPDATE outbox SET next_attempt_at=0"))
        assert engine.push().sent == 1
    assert helpdesk.bodies(target).count(body) == 1
    assert outbox.counts(engine.db.reader()) == {}


def test_a_reply_sent_by_a_process_killed_before_the_answer_is_on_the_server_once(helpdesk, synced, tmp_path):
    """The process dies after the request left (its answer never read): the next start, a new
    engine on the same cache, sends the item again, and the server holds it once."""
    engine = synced
    target = helpdesk.new_conversation(f"kill {time.time_ns()}")
    engine.pull()
    body = f"reply before a kill {time.time_ns()}"
    engine.db.write_sync(outbox.enqueue_message, target, "reply", body, "a-1", "Agent")
    with FaultProxy(helpdesk.url, lambda m, p: "drop" if helpdesk.sends_a_message(m, p) else "ok") as proxy:
        engine.backend = signed_in(helpdesk, proxy.url)
        with pytest.raises(NetworkError):
            engine.push()
    path = engine.db.path
    engine.db.close()
    restarted = SyncEngine(Database(path), signed_in(helpdesk), page_size=500)
    restarted.db.write_sync(lambda c: c.execute("UPDATE outbox SET next_attempt_at=0"))
    try:
        assert restarted.push().sent == 1
        assert helpdesk.bodies(target).count(body) == 1
        restarted.pull()
        assert _bodies(restarted.db, target).count(body) == 1   # the pulled copy replaced the local one
    finally:
        restarted.db.close()
        engine.db = Database(path)   # for the fixture's close


def test_the_same_text_sent_twice_on_purpose_is_sent_twice(helpdesk, synced):
    engine = synced
    target = helpdesk.new_conversation(f"twice on purpose {time.time_ns()}")
    engine.pull()
    body = f"Thank you! {time.time_ns()}"
    for _ in range(2):
        engine.db.write_sync(outbox.enqueue_message, target, "reply", body, "a-1", "Agent")
        assert engine.push().sent == 1
    assert helpdesk.bodies(target).count(body) == 2


def test_different_fields_changed_on_both_sides_both_win_and_the_same_field_is_a_conflict(helpdesk, synced):
    engine = synced
    target = helpdesk.new_conversation(f"conflict {time.time_ns()}")
    engine.pull()
    engine.db.write_sync(outbox.enqueue_patch, target, {"status": "pending"})
    helpdesk.someone_else_sets(target, priority="high")        # not ours: no conflict
    assert engine.push().sent == 1
    assert helpdesk.state(target) == {"status": "pending", "priority": "high"}
    engine.pull()
    engine.db.write_sync(outbox.enqueue_patch, target, {"status": "resolved"})
    helpdesk.someone_else_sets(target, status="open")          # ours too: the agent must choose
    engine.push()
    items = outbox.items(engine.db.reader())
    assert [i.state for i in items] == ["conflict"]
    assert helpdesk.state(target)["status"] == "open"


def test_expired_credentials_ask_for_a_sign_in(helpdesk, synced):
    engine = synced
    backend = signed_in(helpdesk)
    helpdesk.expire_credentials(backend)
    engine.backend = backend
    with pytest.raises(AuthRequired):
        engine.pull()


def test_rate_limiting_is_busy_with_the_servers_wait(helpdesk, synced):
    engine = synced
    with FaultProxy(helpdesk.url, lambda m, p: "429") as proxy:
        engine.backend = signed_in(helpdesk, helpdesk.url)
        engine.backend.http.base_url = proxy.url
        with pytest.raises(ServerBusy):
            engine.pull()


def test_an_answer_that_is_not_the_api_is_malformed_not_data(helpdesk, synced):
    engine = synced
    before = engine.db.reader().execute("SELECT count(*) FROM conversations").fetchone()[0]
    with FaultProxy(helpdesk.url, lambda m, p: "captive") as proxy:
        engine.backend = signed_in(helpdesk, helpdesk.url)
        engine.backend.http.base_url = proxy.url
        with pytest.raises(MalformedResponse):
            engine.pull()
    assert engine.db.reader().execute("SELECT count(*) FROM conversations").fetchone()[0] == before


def test_an_action_the_backend_cannot_do_fails_alone_and_says_why(helpdesk, synced):
    engine = synced
    if Capability.CSAT in capabilities_of(engine.backend):
        pytest.skip(f"{helpdesk.kind} records satisfaction scores")
    target = helpdesk.new_conversation(f"unsupported {time.time_ns()}")
    engine.pull()
    from agent_desktop.services.workflow_base import CSAT
    engine.db.write_sync(outbox.enqueue_action, CSAT, target, {"score": 4, "comment": ""})
    reply = f"after the refused one {time.time_ns()}"
    engine.db.write_sync(outbox.enqueue_message, target, "reply", reply, "a-1", "Agent")
    engine.push()
    items = outbox.items(engine.db.reader())
    assert [(i.action, i.state) for i in items] == [(CSAT, "failed")]
    assert "does not support" in (items[0].last_error or "")
    assert helpdesk.bodies(target).count(reply) == 1


def test_a_hand_off_moves_the_conversation_with_its_note_once(helpdesk, synced):
    engine = synced
    if Capability.HANDOFF not in capabilities_of(engine.backend):
        pytest.skip(f"{helpdesk.kind} has no hand-off")
    target = helpdesk.new_conversation(f"hand-off {time.time_ns()}")
    engine.pull()
    row = engine.db.reader().execute("SELECT queue_id FROM conversations WHERE id=?", (target,)).fetchone()
    other = engine.db.reader().execute("SELECT id FROM queues WHERE id != ? ORDER BY id", (row[0],)).fetchone()[0]
    from agent_desktop.services.workflow_base import TRANSFER
    note = f"Customer needs a refund decision {time.time_ns()}"
    engine.db.write_sync(outbox.enqueue_action, TRANSFER, target,
                         {"kind": "escalate", "queue_id": other, "assignee_id": None, "note": note})
    with FaultProxy(helpdesk.url, lambda m, p: "drop" if helpdesk.sends_a_message(m, p) else "ok") as proxy:
        engine.backend = signed_in(helpdesk, proxy.url)
        with pytest.raises(NetworkError):
            engine.push()
    engine.backend = signed_in(helpdesk)
    engine.db.write_sync(lambda c: c.execute("UPDATE outbox SET next_attempt_at=0"))
    assert engine.push().sent == 1
    assert helpdesk.bodies(target).count(note) == 1
    engine.pull()
    moved = engine.db.reader().execute("SELECT queue_id FROM conversations WHERE id=?", (target,)).fetchone()
    assert moved is None or moved[0] == other   # gone when the agent does not serve that queue


def test_the_feed_only_makes_records_the_domain_accepts(helpdesk, first_sync):
    """Every entity the adapter emits is one the core feature knows (no silent drops)."""
    known = {spec.name for feature in default_features() for spec in feature.entities}
    assert first_sync.entities <= known
    assert records is not None


KILLED_SENDER = """
import os, sys
from agent_desktop.backends.registry import make_backend
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database
backend = make_backend(sys.argv[2], sys.argv[3])
backend.sign_in(sys.argv[4], os.environ["CONTRACT_SECRET"])
SyncEngine(Database(sys.argv[1]), backend).push()
"""


def test_a_reply_whose_sender_is_sigkilled_mid_request_is_on_the_server_once(helpdesk, synced):
    """A real SIGKILL: the sending process dies after the server committed the reply and before
    the answer came back; the next start sends the item again and the server holds it once."""
    import os
    import signal
    import subprocess
    import sys

    engine = synced
    target = helpdesk.new_conversation(f"sigkill {time.time_ns()}")
    engine.pull()
    body = f"reply from a process about to be killed {time.time_ns()}"
    engine.db.write_sync(outbox.enqueue_message, target, "reply", body, "a-1", "Agent")
    path = engine.db.path
    engine.db.close()
    with FaultProxy(helpdesk.url, lambda m, p: "delay" if helpdesk.sends_a_message(m, p) else "ok", delay=60.0) as proxy:
        sender = subprocess.Popen(
            [sys.executable, "-c", KILLED_SENDER, str(path), proxy.url, helpdesk.kind, helpdesk.user],
            env={**os.environ, "CONTRACT_SECRET": helpdesk.secret})
        try:
            deadline = time.monotonic() + 90
            while helpdesk.bodies(target).count(body) == 0:   # the server has committed it
                assert sender.poll() is None, "the sender ended before it was killed"
                assert time.monotonic() < deadline, "the reply never reached the server"
                time.sleep(0.2)   # polling the server's state, not waiting for a result
            os.kill(sender.pid, signal.SIGKILL)
        finally:
            sender.wait(30)
    assert sender.returncode == -signal.SIGKILL
    restarted = SyncEngine(Database(path), signed_in(helpdesk), page_size=500)
    try:
        assert [i.key for i in outbox.items(restarted.db.reader())]   # still queued after the kill
        assert restarted.push().sent == 1
        assert helpdesk.bodies(target).count(body) == 1
    finally:
        restarted.db.close()
        engine.db = Database(path)
