"""A reply with files through the app's own outbox and sync engine to the real RT 5, once even
when RT's answer is lost on the way back; the pulled copy carries the files, served from the cache."""

from __future__ import annotations

import os
import time

import pytest

from agent_desktop.backends.base import NetworkError
from agent_desktop.backends.rt import RequestTrackerBackend
from agent_desktop.services.attachments import AttachmentService
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.services.transfers import Transfers
from agent_desktop.store import Database, conversation, outbox
from agent_desktop.store.blobs import BlobStore
from tests.faults.proxy import FaultProxy
from tests.rt.test_rt_attachments import PNG, history


def test_a_reply_with_files_whose_answer_was_lost_is_in_rt_once_and_comes_back_with_its_files(rt_server, tmp_path):
    dropped: list[str] = []

    def drop_first_correspond(method: str, path: str) -> str:
        if method == "POST" and path.endswith("/correspond") and not dropped:
            dropped.append(path)
            return "drop"   # RT stored it; the answer never arrives
        return "ok"

    with FaultProxy(rt_server.url, drop_first_correspond) as proxy:
        backend = RequestTrackerBackend(proxy.url)
        agent = backend.sign_in(rt_server.agent.name, rt_server.agent.token or "").agent
        db = Database(tmp_path / "cache.sqlite3")
        blobs, transfers = BlobStore(tmp_path / "attachments", db), Transfers()
        engine = SyncEngine(db, backend, blobs=blobs, transfers=transfers, page_size=500)
        service = AttachmentService(db, backend, blobs, transfers=transfers, agent=agent)
        try:
            engine.pull()
            ticket = rt_server.seeded.tickets[-6]
            before = len(history(rt_server, ticket))
            report = b"%PDF-1.4\n" + os.urandom(1024 * 1024)
            staged = [service.stage(report, "年度报告.pdf"), service.stage(PNG, "截图.png")]
            assert service.max_bytes() == 10 * 1024 * 1024
            body = f"报告见附件 {time.time_ns()}"
            files = [{"sha256": f.sha256, "name": f.name, "content_type": f.content_type, "size": f.size}
                     for f in staged]
            db.write_sync(outbox.enqueue_message, str(ticket), "reply", body, agent["id"], agent["name"], files,
                          "<p>报告<b>见附件</b></p>")
            with pytest.raises(NetworkError):
                engine.push()
            assert dropped and len(history(rt_server, ticket)) == before + 1   # it did land
            db.write_sync(lambda c: c.execute("UPDATE outbox SET next_attempt_at=0"))
            assert engine.push().sent == 1
            assert len(history(rt_server, ticket)) == before + 1               # adopted, not sent again
            engine.pull()
            rows = [m for m in conversation.messages(db.reader(), str(ticket)) if m["attachments"]]
            assert len(rows) == 1 and rows[0]["pending"] == 0 and "<b>见附件</b>" in rows[0]["body_html"]
            assert sorted(a.name for a in rows[0]["attachments"]) == ["年度报告.pdf", "截图.png"]
            for att in rows[0]["attachments"]:
                path = service.fetch(str(ticket), rows[0]["id"], att)
                assert path.read_bytes() == (report if att.name.endswith(".pdf") else PNG)
        finally:
            service.close()
            db.close()
