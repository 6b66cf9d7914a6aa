"""The seam's promise for an adapter that implements only the core protocol: a workflow action
it cannot do fails visibly with a reason, never blocks the reply queued behind it, and the pull
still runs (the probe of issue 13: one CSAT click used to stop all syncing)."""

from __future__ import annotations

import pytest

from agent_desktop.backends.base import CORE, Backend, Unsupported, capabilities_of
from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.services.conversations import ConversationService
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.services.workflow import WorkflowService
from agent_desktop.store import Database, outbox
from tests.helpers import RunningServer


class CoreOnly:
    """Exactly the members of the Backend protocol, nothing else (no `call`, no capabilities)."""

    def __init__(self, inner: ReferenceBackend) -> None:
        self._inner = inner
        self.base_url = inner.base_url

    def sign_in(self, username, password):
        return self._inner.sign_in(username, password)

    def set_token(self, token):
        self._inner.set_token(token)

    def changes(self, cursor, limit=500):
        return self._inner.changes(cursor, limit)

    def post_message(self, conversation_id, kind, body, idempotency_key):
        return self._inner.post_message(conversation_id, kind, body, idempotency_key)

    def patch_conversation(self, conversation_id, fields, if_match):
        return self._inner.patch_conversation(conversation_id, fields, if_match)


def _synced(backend, tmp_path):
    """A pulled cache on `backend` as agent1, its services, and one of agent1's open conversations."""
    signed = backend.sign_in("agent1", "demo")
    db = Database(tmp_path / "cache.sqlite3")
    engine = SyncEngine(db, backend, page_size=500)
    engine.pull()
    target = db.reader().execute("SELECT id FROM conversations WHERE status='open' AND assignee_id=? ORDER BY id "
                                 "LIMIT 1", (signed.agent["id"],)).fetchone()[0]
    return db, engine, signed, ConversationService(db, signed.agent), target


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = RunningServer(tmp_path_factory.mktemp("core-only") / "server.sqlite3")
    yield running
    running.stop()


def test_an_unsupported_action_fails_with_a_reason_and_the_reply_behind_it_is_delivered(server, tmp_path, loop):
    backend: Backend = CoreOnly(ReferenceBackend(server.url))
    assert capabilities_of(backend) == {CORE}
    db, engine, signed, conversations, target = _synced(backend, tmp_path)
    workflow = WorkflowService(db, signed.agent, backend, conversations)
    before = server.conversation(target)["message_count"]
    # Refused before it is queued: the service knows this backend has no CSAT.
    with pytest.raises(Unsupported, match="does not support csat"):
        loop.run_until_complete(workflow.record_csat(target, 2))
    assert outbox.items(db.reader()) == []
    # One that reaches the outbox anyway (queued before a switch of server, or by an older build):
    db.write_sync(outbox.enqueue_action, "csat", target, {"score": 2, "comment": ""})   # queued first
    loop.run_until_complete(conversations.send(target, "reply", "core-only backend reply"))
    pushed = engine.push()
    assert pushed.sent == 1 and pushed.failed == 1
    items = outbox.items(db.reader())
    assert [(item.action, item.state) for item in items] == [("csat", "failed")]
    assert "does not support" in (items[0].last_error or "")
    assert server.conversation(target)["message_count"] == before + 1       # the reply went out, once
    # The pull runs and brings the server's copy of the reply.
    created = server.inbound(channel="chat", customer={"name": "核心测试", "phone": "+86 13900009999"},
                             subject="核心", body="只实现核心协议的后端也能同步", external_id="core-only-1")
    engine.pull()
    assert db.reader().execute("SELECT count(*) FROM conversations WHERE id=?",
                               (created["conversation_id"],)).fetchone()[0] == 1
    # A second push leaves the failed item alone: nothing is retried into the void.
    assert engine.push().failed == 0
    db.close()


def test_an_unexpected_exception_in_one_item_fails_that_item_and_the_rest_goes_on(server, tmp_path, loop):
    class Buggy(CoreOnly):
        def patch_conversation(self, conversation_id, fields, if_match):
            raise KeyError("an adapter bug")

    db, engine, _signed, conversations, target = _synced(Buggy(ReferenceBackend(server.url)), tmp_path)
    loop.run_until_complete(conversations.change(target, priority="low"))
    loop.run_until_complete(conversations.send(target, "note", "after the buggy patch"))
    pushed = engine.push()
    assert pushed.sent == 1 and pushed.failed == 1
    failed = outbox.items(db.reader())
    assert len(failed) == 1 and failed[0].action == "patch" and "KeyError" in failed[0].last_error
    # The optimistic change is undone: the cache shows the server's priority again.
    server_priority = server.conversation(target)["priority"]
    assert db.reader().execute("SELECT priority FROM conversations WHERE id=?", (target,)).fetchone()[0] == server_priority
    db.close()
