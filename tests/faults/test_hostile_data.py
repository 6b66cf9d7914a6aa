"""Hostile server data through the real client: validated, malformed records counted and skipped."""

from __future__ import annotations

import json
import time

import pytest

from agent_desktop.backends.base import MalformedResponse
from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.domain.records import MAX_BODY_LENGTH
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database, meta
from tests.faults.proxy import FaultProxy
from tests.helpers import RunningServer

TRAPS = "\u202eevil\u202c \x00nul \ud800lone \u200bzero\u200d\ufeff <b>bold</b><img src=http://127.0.0.1:9/x>"
TEN_MB = "长" * (MAX_BODY_LENGTH // 3) + "x" * (MAX_BODY_LENGTH - MAX_BODY_LENGTH // 3)


def conversation(cid: str, **overrides):
    data = {"channel": "email", "status": "open", "priority": "high", "customer_id": "hostile-cust",
            "subject": "subject " + TRAPS, "version": 1, "tags": ["t"], "message_count": 1,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
    data.update(overrides)
    return {"entity": "conversation", "id": cid, "op": "upsert", "version": 1, "data": data}


MALFORMED = [
    "not an object",
    {"entity": "conversation"},
    {"entity": "conversation", "id": "x" * 200, "op": "upsert", "data": {}},
    {"entity": "conversation", "id": "hx-op", "op": "explode"},
    {"entity": "conversation", "id": 12345, "op": "upsert", "data": {}},
    conversation("hx-no-channel", channel=None),
    conversation("hx-bad-status", status="on fire"),
    conversation("hx-neg-count", message_count=-1),
    conversation("hx-version-str", version="7"),
    conversation("hx-version-inf", version=1e999),
    conversation("hx-tags", tags=[["nested"]]),
    {"entity": "customer", "id": "hx-cust-list", "op": "upsert", "data": ["a", "list"]},
    {"entity": "message", "id": "hx-msg-num", "op": "upsert",
     "data": {"conversation_id": "hx-good", "direction": "in", "body": 42, "created_at": "2026-01-01T00:00:00Z"}},
    {"entity": "message", "id": "hx-msg-date", "op": "upsert",
     "data": {"conversation_id": "hx-good", "direction": "in", "body": "hi", "created_at": "yesterday"}},
    {"entity": "message", "id": "hx-msg-huge", "op": "upsert",
     "data": {"conversation_id": "hx-good", "direction": "in", "body": "x" * (MAX_BODY_LENGTH + 1),
              "created_at": "2026-01-01T00:00:00Z"}},
]
VALID = [
    {"entity": "customer", "id": "hostile-cust", "op": "upsert", "version": 1,
     "data": {"name": "客户 " + TRAPS, "tier": "standard", "phones": ["+86 \u202e1234"], "emails": [], "tags": [],
              "version": 1}},
    conversation("hx-good"),
    {"entity": "message", "id": "hx-msg-10mb", "op": "upsert", "version": 1,
     "data": {"conversation_id": "hx-good", "kind": "reply", "direction": "in", "body": TEN_MB,
              "created_at": "2026-01-01T00:00:00Z", "version": 1, "author_name": "客户 " + TRAPS}},
    {"entity": "spaceship", "id": "future-1", "op": "upsert", "data": {"warp": 9}},  # a newer server's entity
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = RunningServer(tmp_path_factory.mktemp("server") / "server.sqlite3")
    yield running
    running.stop()


def _inject(extra: list) -> callable:
    done = []

    def rewrite(path: str, body: bytes) -> bytes:
        if not path.startswith("/api/v1/changes") or done:
            return body
        done.append(path)
        page = json.loads(body)
        page["changes"] = extra + page["changes"]
        # ensure_ascii keeps the lone surrogate as a "\ud800" escape, as a hostile server would send it
        return json.dumps(page, ensure_ascii=True).encode()

    return rewrite


def test_malformed_records_are_counted_and_skipped_the_rest_applied(server, tmp_path):
    with FaultProxy(server.url, rewrite=_inject(MALFORMED + VALID)) as proxy:
        backend = ReferenceBackend(proxy.url)
        backend.sign_in("agent1", "demo")
        db = Database(tmp_path / "cache.sqlite3")
        started = time.perf_counter()
        result = SyncEngine(db, backend).pull()
        elapsed = time.perf_counter() - started
    conn = db.reader()
    assert result.applied.invalid == len(MALFORMED)
    assert conn.execute("SELECT count(*) FROM invalid_records").fetchone()[0] == len(MALFORMED)
    assert result.applied.ignored >= 1  # the unknown entity (and other features' ones this client lacks)
    # The feed went on: the server's records and the valid hostile ones are all here, cursor at the end.
    assert conn.execute("SELECT count(*) FROM conversations").fetchone()[0] == server.counts()["conversation"] + 1
    assert meta.get(conn, meta.CURSOR) is not None
    body_len = conn.execute("SELECT length(body) FROM messages WHERE id='hx-msg-10mb'").fetchone()[0]
    assert body_len == MAX_BODY_LENGTH
    subject = conn.execute("SELECT subject FROM conversations WHERE id='hx-good'").fetchone()[0]
    assert "\ufffd" in subject and "\ud800" not in subject  # the lone surrogate did not reach SQLite
    assert db.integrity_check() == "ok"
    assert elapsed < 30
    db.close()


@pytest.mark.parametrize("page", [
    b"null", b"[]", b'{"changes": "nope", "has_more": false}', b'{"changes": [], "has_more": "yes"}',
    b'{"changes": [], "has_more": false, "cursor": 17}', b"[" * 200_000 + b"]" * 200_000, b"\xff\xfe garbage",
])
def test_a_malformed_page_is_refused_whole_and_changes_nothing(server, tmp_path, page):
    with FaultProxy(server.url, rewrite=lambda path, body: page if path.startswith("/api/v1/changes") else body) \
            as proxy:
        backend = ReferenceBackend(proxy.url)
        backend.sign_in("agent1", "demo")
        db = Database(tmp_path / "cache.sqlite3")
        with pytest.raises(MalformedResponse):
            SyncEngine(db, backend).pull()
        assert meta.get(db.reader(), meta.CURSOR) is None
        db.close()


def test_hostile_text_in_the_real_widgets(qtbot, tmp_path):
    """A 10 MB body renders capped without freezing; Unicode traps never reach labels or the thread."""
    from PySide6.QtCore import QUrl

    from agent_desktop.ui.thread_view import BODY_CAP, ThreadView

    view = ThreadView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    message = {"id": "m-huge", "kind": "reply", "direction": "in", "body": TRAPS + TEN_MB,
               "author_name": TRAPS, "created_at": "2026-01-01T00:00:00Z"}
    started = time.perf_counter()
    view.show_messages([message], "客户 " + TRAPS)
    first = time.perf_counter() - started
    text = view.toPlainText()
    assert first < 1.0, first
    assert len(text) < BODY_CAP + 2000
    assert "Show more" in text
    for trap in ("\u202e", "\x00", "\u200b", "\ufeff"):
        assert trap not in text
    assert "<b>bold</b>" in text  # markup in a plain-text body is shown, never interpreted
    view._on_anchor(QUrl("agentdesktop://more/m-huge"))
    view.show_messages([message], "客户")
    assert BODY_CAP * 4 < len(view.toPlainText()) < BODY_CAP * 5 + 2000  # grows step by step
    assert view.resource_requests == 0
