"""Each network fault, one at a time, through the real client: the right error, never a wrong result."""

from __future__ import annotations

import shutil
import time
from collections import deque

import pytest

from agent_desktop.backends.base import MalformedResponse, NetworkError, ServerBusy
from agent_desktop.backends.http import MAX_RETRY_AFTER, parse_retry_after
from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database, meta, outbox
from tests.faults.proxy import FaultProxy
from tests.helpers import RunningServer


class Scripted:
    """Faults in order for requests whose path contains `match`; everything else passes."""

    def __init__(self, match: str = "") -> None:
        self.match = match
        self.queue: deque[str] = deque()

    def __call__(self, _method: str, path: str) -> str:
        if self.match in path and self.queue:
            return self.queue.popleft()
        return "ok"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = RunningServer(tmp_path_factory.mktemp("server") / "server.sqlite3")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def pulled_cache(server, tmp_path_factory):
    """One full pull per module; each test starts from a copy (a pull per test would dominate the run)."""
    path = tmp_path_factory.mktemp("template") / "cache.sqlite3"
    backend = ReferenceBackend(server.url)
    backend.sign_in("agent1", "demo")
    db = Database(path)
    SyncEngine(db, backend, page_size=2000).pull()
    db.close()
    return path


@pytest.fixture
def rig(server, pulled_cache, tmp_path):
    script = Scripted("/api/v1/")
    proxy = FaultProxy(server.url, script, delay=3.0).start()
    backend = ReferenceBackend(proxy.url)
    backend.sign_in("agent1", "demo")
    shutil.copy(pulled_cache, tmp_path / "cache.sqlite3")
    db = Database(tmp_path / "cache.sqlite3")
    engine = SyncEngine(db, backend, page_size=500)
    engine.pull()  # only what changed since the template
    # Short enough for the 'delay' fault to outlast it, long enough for a loaded CI machine.
    backend.http.timeout = (2.0, 1.5)
    yield engine, script, proxy, server
    db.close()
    proxy.stop()


def _target(db: Database) -> str:
    return db.reader().execute("SELECT id FROM conversations WHERE status IN ('open','new') ORDER BY id").fetchone()[0]


@pytest.mark.parametrize("fault", ["reset", "drop", "truncate", "delay"])
def test_a_lost_or_cut_answer_is_a_network_error_and_the_retry_sends_once(rig, fault):
    engine, script, _proxy, server = rig
    target = _target(engine.db)
    before = server.conversation(target)["message_count"]
    body = f"reply through {fault} {time.time_ns()}"
    engine.db.write_sync(outbox.enqueue_message, target, "reply", body, "a-1", "Agent")
    script.queue.append(fault)
    with pytest.raises(NetworkError):
        engine.push()
    engine.db.write_sync(lambda c: c.execute("UPDATE outbox SET next_attempt_at=0"))
    assert engine.push().sent == 1
    assert server.conversation(target)["message_count"] == before + 1
    assert outbox.counts(engine.db.reader()) == {}


def test_a_request_delivered_twice_creates_one_message(rig):
    engine, script, _proxy, server = rig
    target = _target(engine.db)
    before = server.conversation(target)["message_count"]
    engine.db.write_sync(outbox.enqueue_message, target, "reply", f"twice {time.time_ns()}", "a-1", "Agent")
    script.queue.append("twice")
    assert engine.push().sent == 1
    assert server.conversation(target)["message_count"] == before + 1


def test_a_patch_whose_answer_was_lost_is_not_reported_as_a_conflict(rig):
    engine, script, _proxy, server = rig
    target = _target(engine.db)
    version = server.conversation(target)["version"]
    engine.db.write_sync(outbox.enqueue_patch, target, {"tags": [f"lost-answer-{time.time_ns()}"]})
    script.queue.append("drop")
    with pytest.raises(NetworkError):
        engine.push()
    engine.db.write_sync(lambda c: c.execute("UPDATE outbox SET next_attempt_at=0"))
    result = engine.push()  # the retry's If-Match is stale now: 412, but the server already has it
    assert (result.sent, result.conflicts) == (1, 0)
    assert server.conversation(target)["version"] == version + 1
    assert outbox.counts(engine.db.reader()) == {}


@pytest.mark.parametrize("status", ["500", "503", "429"])
def test_server_errors_keep_the_item_queued_with_a_clamped_retry(rig, status):
    engine, script, _proxy, _server = rig
    target = _target(engine.db)
    engine.db.write_sync(outbox.enqueue_message, target, "note", f"busy {status} {time.time_ns()}", "a-1", "Agent")
    script.queue.extend([status] * 6)
    for _ in range(6):
        started = time.time()
        with pytest.raises(ServerBusy) as caught:
            engine.push()
        retry = caught.value.retry_after
        assert retry is None or 0 <= retry <= MAX_RETRY_AFTER
        item = outbox.items(engine.db.reader())[0]
        assert item.state == outbox.QUEUED
        assert started <= item.next_attempt_at <= time.time() + MAX_RETRY_AFTER + 1
        engine.db.write_sync(lambda c: c.execute("UPDATE outbox SET next_attempt_at=0"))
    assert engine.push().sent == 1


def test_a_captive_portal_is_offline_never_an_empty_feed(rig):
    engine, script, _proxy, _server = rig
    cursor = meta.get(engine.db.reader(), meta.CURSOR)
    conversations = engine.db.reader().execute("SELECT count(*) FROM conversations").fetchone()[0]
    script.queue.append("captive")
    with pytest.raises(MalformedResponse, match="not JSON"):
        engine.pull()
    assert meta.get(engine.db.reader(), meta.CURSOR) == cursor
    assert engine.db.reader().execute("SELECT count(*) FROM conversations").fetchone()[0] == conversations
    script.queue.append("captive")
    target = _target(engine.db)
    engine.db.write_sync(outbox.enqueue_message, target, "note", f"portal {time.time_ns()}", "a-1", "Agent")
    with pytest.raises(MalformedResponse):
        engine.push()
    assert outbox.items(engine.db.reader())[0].state == outbox.QUEUED


@pytest.mark.parametrize(("value", "expected"), [
    ("0", 0.0), ("7", 7.0), ("99999999999", MAX_RETRY_AFTER), ("-5", 0.0), ("1e400", MAX_RETRY_AFTER),
    ("nan", None), ("soon", None), ("", None), (None, None),
    ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER), ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
])
def test_retry_after_in_every_form_is_clamped(value, expected):
    assert parse_retry_after(value) == expected


def test_retry_after_as_a_near_http_date():
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (parse_retry_after(soon) or 0) <= 30
