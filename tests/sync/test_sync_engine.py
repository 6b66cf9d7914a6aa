"""Sync against a real reference server on 127.0.0.1: pull, push exactly once, offline, 401."""

from __future__ import annotations

import re
import socket

import pytest

from agent_desktop.backends.base import AuthRequired, NetworkError
from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database, conversation, fts, outbox, search
from tests.helpers import RunningServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = RunningServer(tmp_path_factory.mktemp("server") / "server.sqlite3")
    yield running
    running.stop()


def make_engine(server: RunningServer, path, username: str = "agent1") -> tuple[SyncEngine, ReferenceBackend, dict]:
    backend = ReferenceBackend(server.url)
    signed = backend.sign_in(username, "demo")
    db = Database(path)
    return SyncEngine(db, backend, page_size=500), backend, signed.agent


def local_count(db: Database, table: str, where: str = "1") -> int:
    return db.reader().execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]


def open_conversation_id(db: Database) -> str:
    return db.reader().execute(
        "SELECT id FROM conversations WHERE status IN ('open','new') ORDER BY id LIMIT 1").fetchone()[0]


def test_initial_pull_mirrors_the_server(server, tmp_path):
    engine, _backend, _agent = make_engine(server, tmp_path / "cache.sqlite3")
    result = engine.pull()
    counts = server.counts()
    assert result.pages >= 2
    for entity, table in (("customer", "customers"), ("conversation", "conversations"), ("message", "messages"),
                          ("queue", "queues"), ("agent", "agents")):
        assert local_count(engine.db, table) == counts[entity], entity
    assert result.applied.invalid == 0
    assert engine.db.integrity_check() == "ok"
    # A second pull finds nothing new.
    again = engine.pull()
    assert again.applied.applied == 0
    engine.db.close()


def test_incremental_pull_brings_a_new_inbound_contact(server, tmp_path):
    engine, _backend, _agent = make_engine(server, tmp_path / "cache.sqlite3")
    engine.pull()
    created = server.inbound(channel="chat", customer={"name": "测试客户", "phone": "+86 13900000001"},
                             subject="发票问题", body="我的发票还没有收到，请帮忙查一下。", external_id="sync-test-1")
    result = engine.pull()
    assert created["conversation_id"] in result.applied.conversation_ids
    bodies = [m["body"] for m in conversation.messages(engine.db.reader(), created["conversation_id"])]
    assert "我的发票还没有收到，请帮忙查一下。" in bodies
    engine.db.close()


def test_reply_reaches_the_server_exactly_once_even_if_resent(server, tmp_path):
    engine, backend, agent = make_engine(server, tmp_path / "cache.sqlite3")
    engine.pull()
    target = open_conversation_id(engine.db)
    before = server.conversation(target)["message_count"]
    key = engine.db.write_sync(outbox.enqueue_message, target, "reply", "您好，已为您处理。", agent["id"], agent["name"])
    # The process "dies" after the server committed but before the client recorded it:
    backend.post_message(target, "reply", "您好，已为您处理。", key)
    result = engine.push()
    assert result.sent == 1
    engine.pull()
    assert server.conversation(target)["message_count"] == before + 1
    mine = [m for m in conversation.messages(engine.db.reader(), target) if m["body"] == "您好，已为您处理。"]
    assert len(mine) == 1 and mine[0]["pending"] == 0
    assert local_count(engine.db, "outbox") == 0
    engine.db.close()


def test_offline_queue_survives_a_restart_and_drains_when_the_server_returns(server, tmp_path):
    path = tmp_path / "cache.sqlite3"
    engine, backend, agent = make_engine(server, path)
    engine.pull()
    target = open_conversation_id(engine.db)
    before = server.conversation(target)["message_count"]
    # The network goes away: point the client at a port where nothing listens.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    backend.http.base_url = f"http://127.0.0.1:{dead_port}"
    engine.db.write_sync(outbox.enqueue_message, target, "reply", "offline reply 1", agent["id"], agent["name"])
    engine.db.write_sync(outbox.enqueue_patch, target, {"priority": "urgent"})
    with pytest.raises(NetworkError):
        engine.push()
    assert local_count(engine.db, "outbox", "state='queued'") == 2
    engine.db.close()

    # "Restart": a new process opens the same cache; the network is back.
    engine2, _backend2, _agent2 = make_engine(server, path)
    engine2.clock = lambda: 1e12  # past any backoff
    result = engine2.push()
    assert result.sent == 2
    engine2.pull()
    state = server.conversation(target)
    assert state["message_count"] == before + 1
    assert state["priority"] == "urgent"
    assert local_count(engine2.db, "outbox") == 0
    engine2.db.close()


def test_expired_token_pauses_the_outbox_and_loses_nothing(server, tmp_path):
    engine, backend, agent = make_engine(server, tmp_path / "cache.sqlite3")
    engine.pull()
    target = open_conversation_id(engine.db)
    engine.db.write_sync(outbox.enqueue_message, target, "note", "internal note", agent["id"], agent["name"])
    backend.set_token("revoked-token")
    with pytest.raises(AuthRequired):
        engine.push()
    assert local_count(engine.db, "outbox", "state='queued'") == 1
    backend.sign_in("agent1", "demo")
    assert engine.push().sent == 1
    engine.db.close()


def test_stale_change_becomes_a_visible_conflict_with_the_server_state(server, tmp_path):
    engine, backend, _agent = make_engine(server, tmp_path / "cache.sqlite3")
    engine.pull()
    target = open_conversation_id(engine.db)
    engine.db.write_sync(outbox.enqueue_patch, target, {"priority": "low"})
    # Someone else changes the conversation first.
    current = server.conversation(target)
    other = ReferenceBackend(server.url)
    other.sign_in("agent2", "demo")
    other.patch_conversation(target, {"priority": "high"}, current["version"])
    result = engine.push()
    assert result.conflicts == 1
    items = outbox.items(engine.db.reader())
    assert [i.state for i in items] == ["conflict"]
    assert conversation.header(engine.db.reader(), target)["priority"] == "high"
    engine.db.close()


def test_a_full_sync_cut_short_still_ends_with_a_complete_search_index(server, tmp_path):
    engine, _backend, _agent = make_engine(server, tmp_path / "cache.sqlite3")
    engine.page_size = 200
    pages = iter(range(3))
    engine.pull(should_stop=lambda: next(pages, None) is None)  # "killed" after a few pages
    reader = engine.db.reader()
    assert fts.indexed_upto(reader) == 0  # indexing left for later, and remembered

    engine.pull()
    assert fts.indexed_upto(reader) == 0  # the pull itself never indexes message bodies
    steps = []
    while (step := engine.index_backlog(limit=2_000)) is not None:
        steps.append(step)
    assert len(steps) >= 2 and steps[0][0] < steps[-1][0] < steps[-1][1]  # chunk by chunk, with progress
    assert fts.indexed_upto(reader) is None
    # Every message is findable by a word of its own: the deferred index is complete.
    rows = reader.execute("SELECT id, body FROM messages ORDER BY random() LIMIT 40").fetchall()
    for message_id, body in rows:
        word = next((w for w in re.findall(r"[A-Za-z]{4,}|[\u4e00-\u9fff]{2}", body)), None)
        if word is None:
            continue
        hits = {m["id"] for m in search.messages(reader, word, limit=100_000)}
        assert message_id in hits, word
    count = reader.execute("SELECT count(*) FROM messages").fetchone()[0]
    indexed = reader.execute("SELECT count(*) FROM messages_fts_docsize").fetchone()[0]
    assert indexed == count
    engine.db.close()


def test_a_reply_queued_offline_goes_with_the_first_push_after_the_network_returns(server, tmp_path):
    """Failed tries while offline do not build up a wait of the item's own: the sync service's
    offline backoff paces them, so the reply is not held back for up to a minute after reconnecting."""
    engine, backend, agent = make_engine(server, tmp_path / "cache.sqlite3")
    engine.pull()
    target = open_conversation_id(engine.db)
    before = server.conversation(target)["message_count"]
    live_url = backend.http.base_url
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    backend.http.base_url = f"http://127.0.0.1:{dead_port}"
    engine.db.write_sync(outbox.enqueue_message, target, "reply", "written offline", agent["id"], agent["name"])
    for _ in range(6):   # six cycles offline: a growing backoff would now be 30 s or more
        with pytest.raises(NetworkError):
            engine.push()
    backend.http.base_url = live_url
    result = engine.push()   # the real clock: nothing may be waiting
    assert result.sent == 1
    assert server.conversation(target)["message_count"] == before + 1
    assert local_count(engine.db, "outbox") == 0
    engine.db.close()
