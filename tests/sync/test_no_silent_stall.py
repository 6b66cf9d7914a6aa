"""Sync never stalls silently (issue 14): a cursor that does not move is an error, one item's
Retry-After holds only its own conversation, an unreadable answer is retried under the same key,
and F5 forgets every backoff."""

from __future__ import annotations

import json

import pytest
import requests

from agent_desktop.backends.base import ChangeBatch, MalformedResponse, ServerBusy
from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database, meta, outbox
from tests.helpers import RunningServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = RunningServer(tmp_path_factory.mktemp("stall") / "server.sqlite3")
    yield running
    running.stop()


class StuckFeed(ReferenceBackend):
    """After the first real page, "more" from the same cursor for ever."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.calls = 0

    def changes(self, cursor, limit=500):
        self.calls += 1
        if cursor is None:
            return super().changes(cursor, limit)
        return ChangeBatch(changes=[], cursor=cursor, has_more=True)


def test_a_cursor_that_does_not_move_is_an_error_not_a_hot_loop(server, tmp_path) -> None:
    backend = StuckFeed(server.url)
    backend.sign_in("agent1", "demo")
    engine = SyncEngine(Database(tmp_path / "cache.sqlite3"), backend, page_size=100)
    with pytest.raises(MalformedResponse, match="same page"):
        engine.pull()
    assert backend.calls == 2             # the real first page, then the one that did not move
    assert meta.get(engine.db.reader(), meta.CURSOR) is not None   # page 1 landed, with its cursor
    first_pass = backend.calls
    with pytest.raises(MalformedResponse):
        engine.pull()
    assert backend.calls == first_pass + 1    # the next cycle asks once and says so again


class BusyFor(ReferenceBackend):
    """502 with Retry-After for replies to one conversation; an unreadable 2xx for another."""

    def __init__(self, url: str, busy: str, unreadable: str) -> None:
        super().__init__(url)
        self.busy, self.unreadable, self.sent_keys = busy, unreadable, []

    def post_message(self, conversation_id, kind, body, idempotency_key):
        self.sent_keys.append(idempotency_key)
        if conversation_id == self.busy:
            raise ServerBusy("the server is busy (502): bad gateway", 120.0)
        answer = super().post_message(conversation_id, kind, body, idempotency_key)
        if conversation_id == self.unreadable:
            return {**answer, "version": 2**64}     # delivered, but not an answer we can store
        return answer


def test_one_busy_conversation_holds_only_itself_and_an_unreadable_answer_is_retried_under_its_key(
        server, tmp_path) -> None:
    probe = ReferenceBackend(server.url)
    agent = probe.sign_in("agent1", "demo").agent
    db = Database(tmp_path / "cache.sqlite3")
    SyncEngine(db, probe).pull()
    busy, unreadable, fine = [row[0] for row in db.reader().execute(
        "SELECT id FROM conversations WHERE assignee_id=? AND status='open' ORDER BY id LIMIT 3", (agent["id"],))]
    backend = BusyFor(server.url, busy, unreadable)
    backend.sign_in("agent1", "demo")
    clock = [1000.0]
    engine = SyncEngine(db, backend, clock=lambda: clock[0])
    keys = {cid: db.write_sync(outbox.enqueue_message, cid, "reply", f"reply to {cid}", agent["id"], "A")
            for cid in (busy, unreadable, fine)}
    second_busy = db.write_sync(outbox.enqueue_message, busy, "reply", "and a second", agent["id"], "A")
    before = server.conversation(fine)["message_count"]
    with pytest.raises(ServerBusy):      # said once the others went out
        engine.push()
    assert server.conversation(fine)["message_count"] == before + 1                # not held behind the 502
    waiting = {item.key: item for item in outbox.items(db.reader())}
    assert set(waiting) == {keys[busy], second_busy, keys[unreadable]}
    assert waiting[keys[busy]].next_attempt_at == 1120.0                            # its own Retry-After
    assert waiting[second_busy].attempts == 0                                       # kept in order behind it
    assert waiting[keys[unreadable]].state == outbox.QUEUED                         # not "refused"
    assert "could not be read" in (waiting[keys[unreadable]].last_error or "")
    # The unreadable one goes again under the same key: the server replays, nothing doubles.
    backend.unreadable = ""
    clock[0] += 600
    count = server.conversation(unreadable)["message_count"]
    with pytest.raises(ServerBusy):
        engine.push()
    assert server.conversation(unreadable)["message_count"] == count
    assert backend.sent_keys.count(keys[unreadable]) == 2
    # F5: every backoff forgotten; the busy server is back.
    backend.busy = ""
    db.write_sync(outbox.retry_all_now)
    assert engine.push().sent == 2
    assert outbox.items(db.reader()) == []


def test_customer_messages_never_turn_a_ticket_change_into_a_conflict_and_keep_mine_keeps_their_tags(
        server, tmp_path) -> None:
    """Issue 14: with customers writing, 72 % of queued changes used to conflict (the whole version
    was compared); and 'keep mine' overwrote a tag confirmed after the conflict."""
    from agent_desktop.store import outbox_repair

    backend = ReferenceBackend(server.url)
    agent = backend.sign_in("agent1", "demo").agent
    db = Database(tmp_path / "cache.sqlite3")
    engine = SyncEngine(db, backend)
    engine.pull()
    target, customer_id, channel = db.reader().execute(
        "SELECT c.id, c.customer_id, c.channel FROM conversations c JOIN customers cu ON cu.id = c.customer_id "
        "WHERE c.assignee_id=? AND c.status='open' AND c.channel IN ('chat', 'phone') AND cu.phones != '[]' "
        "ORDER BY c.id LIMIT 1", (agent["id"],)).fetchone()
    phone = json.loads(db.reader().execute("SELECT phones FROM customers WHERE id=?", (customer_id,)).fetchone()[0])[0]
    db.write_sync(outbox.enqueue_patch, target, {"priority": "urgent", "tags": ["refund"]})
    for n in range(3):   # the customer writes three times before the change goes out
        answer = server.inbound(channel=channel, customer={"name": "x", "phone": phone}, subject="追问",
                                body=f"在吗 {n}", external_id=f"stall-{tmp_path.name}-{n}")
        assert answer["conversation_id"] == target
    result = engine.push()
    assert (result.sent, result.conflicts) == (1, 0)
    now = server.conversation(target)
    assert now["priority"] == "urgent" and "refund" in now["tags"]
    # A real conflict: a colleague sets the priority and a tag; then confirms one more tag.
    engine.pull()
    db.write_sync(outbox.enqueue_patch, target, {"priority": "low", "tags": ["refund", "mine"]})
    token = server.token("lead1")
    requests.patch(f"{server.url}/api/v1/conversations/{target}", json={"priority": "high", "tags": ["refund", "vip"]},
                   headers={"Authorization": f"Bearer {token}"}, timeout=10).raise_for_status()
    assert engine.push().conflicts == 1
    key = outbox.items(db.reader())[0].key
    requests.patch(f"{server.url}/api/v1/conversations/{target}", json={"tags": ["refund", "vip", "confirmed"]},
                   headers={"Authorization": f"Bearer {token}"}, timeout=10).raise_for_status()
    db.write_sync(outbox_repair.keep_mine, key)
    engine.pull()
    assert engine.push().sent == 1
    final = server.conversation(target)
    assert final["priority"] == "low"                                    # mine, as chosen
    assert set(final["tags"]) == {"refund", "vip", "confirmed", "mine"}   # theirs kept, mine added
