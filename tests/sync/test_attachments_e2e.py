"""Attachments end to end: a real reference server on 127.0.0.1, the reference adapter, the
session as the app builds it. A customer's file comes down after a sync without anyone asking,
a reply with files and HTML goes up once, and a cancelled upload waits to be retried."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path

import pytest
import requests

from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.services.attachments import AttachmentService
from agent_desktop.services.session import make_backend, open_session, sign_in
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.services.transfers import Transfer, Transfers
from agent_desktop.store import Database, conversation, outbox
from agent_desktop.store.blobs import BlobStore
from tests.helpers import RunningServer
from tests.ui.conftest import run_until

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00" + os.urandom(40_000)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("attachments-e2e") / "server.sqlite3"
    running = RunningServer(path)
    running.db_path = path
    yield running
    running.stop()


def server_messages(server: RunningServer, conversation_id: str) -> list[dict]:
    answer = requests.get(f"{server.url}/api/v1/conversations/{conversation_id}/messages",
                          headers={"Authorization": f"Bearer {server.token('lead1')}"}, timeout=10)
    answer.raise_for_status()
    listed = answer.json()
    return listed["messages"] if isinstance(listed, dict) else listed


def stored_rows(server: RunningServer, sha: str) -> int:
    with sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM attachments WHERE sha256=?", (sha,)).fetchone()[0]


def my_conversation_with_a_phone(db: Database, agent_id: str) -> tuple[str, str, str, str]:
    """(conversation id, channel, customer name, phone) of an open conversation assigned to me."""
    row = db.reader().execute(
        "SELECT c.id, c.channel, cu.name, cu.phones FROM conversations c JOIN customers cu ON cu.id = c.customer_id "
        "WHERE c.assignee_id=? AND c.status IN ('open','new') AND cu.phones LIKE '[\"%' ORDER BY c.id LIMIT 1",
        (agent_id,)).fetchone()
    assert row is not None, "the demo data has an open conversation of agent1 with a phone"
    return row[0], row[1], row[2], json.loads(row[3])[0]


def test_a_customers_file_is_prefetched_after_a_sync_and_a_reply_with_files_goes_up_once(server, tmp_path, loop):
    backend = make_backend(server.url)
    session = open_session(tmp_path / "home", backend, "agent1", sign_in(backend, "agent1", "demo"), backend.base_url)
    try:
        assert session.attachments.available()
        session.sync.start()
        run_until(loop, lambda: session.sync.status.first_sync_done, timeout=60)
        target, channel, name, phone = my_conversation_with_a_phone(session.db, session.agent["id"])
        text = f"发票在附件里 {time.time_ns()}"
        server.inbound(channel=channel, customer={"name": name, "phone": phone}, body=text,
                       attachments=[{"name": "发票.png", "content_type": "image/png",
                                     "data_base64": base64.b64encode(PNG).decode()}])
        session.sync.nudge()

        def prefetched() -> bool:
            rows = [m for m in session.conversations.messages(target) if m["body"] == text]
            return bool(rows) and session.attachments.local_path(rows[0]["attachments"][0]) is not None

        run_until(loop, prefetched, timeout=60)   # nobody opened it: the sync's prefetch brought it
        [row] = [m for m in session.conversations.messages(target) if m["body"] == text]
        [att] = row["attachments"]
        assert att.name == "发票.png" and att.content_type == "image/png" and att.sha256 == hashlib.sha256(PNG).hexdigest()
        assert session.attachments.local_path(att).read_bytes() == PNG
        assert session.attachments.max_bytes() == session.backend.max_attachment_bytes()

        report = tmp_path / "报价单.pdf"
        report.write_bytes(b"%PDF-1.4\n" + os.urandom(120_000))
        staged = [session.attachments.stage(report, report.name), session.attachments.stage(PNG[:5000], "截图.png")]
        body = f"报价单见附件 {time.time_ns()}"
        key = loop.run_until_complete(session.conversations.send(target, "reply", body, files=staged,
                                                                 body_html="<p>报价单<b>见附件</b></p>"))
        run_until(loop, lambda: not session.conversations.outbox_items(), timeout=60)
        [sent] = [m for m in server_messages(server, target) if m["body"] == body]
        assert [a["sha256"] for a in sent["attachments"]] == [f.sha256 for f in staged]
        assert [a["name"] for a in sent["attachments"]] == ["报价单.pdf", "截图.png"]
        assert "<b>见附件</b>" in sent["body_html"] and sent["idempotency_key"] == key
        assert all(stored_rows(server, f.sha256) == 1 for f in staged)
        mine = [m for m in session.conversations.messages(target) if m["body"] == body]
        assert len(mine) == 1 and mine[0]["pending"] == 0
        # Our own files are served from the cache, without a download, and may be evicted again.
        assert all(session.attachments.local_path(a) is not None for a in mine[0]["attachments"])
        assert [session.attachments.blobs.pinned(f.sha256) for f in staged] == [0, 0]
    finally:
        loop.run_until_complete(session.close())


def test_a_cancelled_upload_waits_failed_and_its_retry_sends_once(server, tmp_path):
    backend = ReferenceBackend(server.url)
    agent = backend.sign_in("agent1", "demo").agent
    db = Database(tmp_path / "cache.sqlite3")
    blobs, transfers = BlobStore(tmp_path / "attachments", db), Transfers()
    engine = SyncEngine(db, backend, blobs=blobs, transfers=transfers, page_size=2000)
    engine.pull()
    service = AttachmentService(db, backend, blobs, transfers=transfers, agent=agent)
    target, *_ = my_conversation_with_a_phone(db, agent["id"])
    staged = service.stage(os.urandom(3 * 1024 * 1024), "录音.bin")
    body = f"录音见附件 {time.time_ns()}"
    files = [{"sha256": staged.sha256, "name": staged.name, "content_type": staged.content_type, "size": staged.size}]
    key = db.write_sync(outbox.enqueue_message, target, "reply", body, agent["id"], agent["name"], files)

    def cancel_once_moving(transfer: Transfer) -> None:
        if 0 < transfer.sent < transfer.total:
            service.cancel(transfer.key)

    transfers.progress_changed.connect(cancel_once_moving)
    assert engine.push().failed == 1
    [item] = outbox.items(db.reader())
    assert item.state == outbox.FAILED and item.last_error == outbox.CANCELLED_REASON
    assert [m for m in server_messages(server, target) if m["body"] == body] == []
    assert blobs.pinned(staged.sha256) == 1

    transfers.progress_changed.disconnect(cancel_once_moving)
    db.write_sync(outbox.requeue, key)
    assert engine.push().sent == 1
    [sent] = [m for m in server_messages(server, target) if m["body"] == body]
    assert [a["sha256"] for a in sent["attachments"]] == [staged.sha256]
    assert stored_rows(server, staged.sha256) == 1
    engine.pull()
    assert [m["pending"] for m in conversation.messages(db.reader(), target) if m["body"] == body] == [0]
    service.close()
    db.close()


def test_a_fetch_of_a_file_brings_exactly_its_bytes_with_progress(server, tmp_path):
    backend = ReferenceBackend(server.url)
    agent = backend.sign_in("agent1", "demo").agent
    db = Database(tmp_path / "cache.sqlite3")
    engine = SyncEngine(db, backend, page_size=2000)
    engine.pull()
    target, channel, name, phone = my_conversation_with_a_phone(db, agent["id"])
    data = os.urandom(700_000)
    text = f"日志 {time.time_ns()}"
    server.inbound(channel=channel, customer={"name": name, "phone": phone}, body=text,
                   attachments=[{"name": "app.log", "data_base64": base64.b64encode(data).decode()}])
    engine.pull()
    [row] = [m for m in conversation.messages(db.reader(), target) if m["body"] == text]
    service = AttachmentService(db, backend, BlobStore(tmp_path / "attachments", db), agent=agent)
    seen: list[tuple[int, int]] = []
    path = service.fetch(target, row["id"], row["attachments"][0], progress=lambda d, t: seen.append((d, t)))
    assert Path(path).read_bytes() == data and seen[-1] == (len(data), len(data))
    assert service.cache_bytes() == len(data) and service.cache_files() == 1
    service.close()
    db.close()
