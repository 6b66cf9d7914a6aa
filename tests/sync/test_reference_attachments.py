"""The reference adapter's Attachments protocol against a real server on 127.0.0.1 (real SQLite, real
files on disk): send with files, see them in the feed, download exactly the bytes, cancel, retry."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from agent_desktop.backends.base import (
    Capability,
    MalformedResponse,
    Rejected,
    TransferCancelled,
    capabilities_of,
)
from agent_desktop.backends.protocols import Attachments, OutgoingFile, require
from agent_desktop.backends.reference import ReferenceBackend, upload_key
from agent_desktop.domain.attachments import Attachment
from agent_desktop.domain.records import parse_message
from agent_desktop.server import db as store
from agent_desktop.server.db import Database
from agent_desktop.server.demo_data import load_demo
from agent_desktop.server.embedded import EmbeddedServer

CAP = 512 * 1024
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x58\x00\x00\x01\x90\x08\x02\x00\x00\x00" + os.urandom(300_000)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    path = tmp_path_factory.mktemp("reference-files") / "server.sqlite3"
    database = Database(path)
    load_demo(database, customers=20, conversations=60)
    database.close()
    running = EmbeddedServer()
    running.start(path, demo=False, max_attachment_bytes=CAP)
    yield running
    running.stop()


def _backend(server: EmbeddedServer, user: str = "agent1") -> ReferenceBackend:
    assert server.url
    backend = ReferenceBackend(server.url)
    backend.sign_in(user, "demo")
    return backend


@pytest.fixture
def backend(server: EmbeddedServer) -> ReferenceBackend:
    return _backend(server)


def _db(server: EmbeddedServer) -> Database:
    assert server.app is not None
    return server.app.state.db


def _conversation(server: EmbeddedServer) -> str:
    """An open conversation of agent1 in q-complaints (agent2 does not serve it)."""
    row = _db(server).reader().execute("SELECT id FROM conversations WHERE status = 'open' ORDER BY id LIMIT 1").fetchone()
    with _db(server).transaction() as conn:
        data = json.loads(conn.execute("SELECT data FROM conversations WHERE id = ?", row).fetchone()[0])
        if (data.get("assignee_id"), data.get("queue_id")) != ("a-agent1", "q-complaints"):
            store.store(conn, "conversation", row[0], {**data, "assignee_id": "a-agent1", "queue_id": "q-complaints"})
    return row[0]


def _staged(folder: Path, name: str, data: bytes, content_type: str) -> OutgoingFile:
    path = folder / hashlib.sha256(data).hexdigest()
    path.write_bytes(data)
    return OutgoingFile(str(path), name, len(data), content_type, hashlib.sha256(data).hexdigest())


def _rows(server: EmbeddedServer) -> int:
    return _db(server).reader().execute("SELECT count(*) FROM attachments").fetchone()[0]


def _stored(server: EmbeddedServer) -> int:
    assert server.app is not None
    return server.app.state.files.stored_files()


def _feed_message(backend: ReferenceBackend, message_id: str) -> dict[str, Any]:
    cursor, found = None, None
    while True:
        batch = backend.changes(cursor, limit=2000)
        for change in batch.changes:
            if change["entity"] == "message" and change["id"] == message_id:
                found = change["data"]
        cursor = batch.cursor
        if not batch.has_more:
            assert found is not None, f"message {message_id} is not in the feed"
            return found


def test_declares_attachments_and_reads_the_limit_once(backend: ReferenceBackend, server: EmbeddedServer) -> None:
    assert Capability.ATTACHMENTS in capabilities_of(backend)
    files = require(backend, Capability.ATTACHMENTS, Attachments)
    assert files.max_attachment_bytes() == CAP
    assert server.app is not None
    server.app.state.files.max_bytes = CAP + 1   # asked once: the adapter keeps its first answer
    try:
        assert files.max_attachment_bytes() == CAP
    finally:
        server.app.state.files.max_bytes = CAP


def test_send_with_files_then_the_feed_shows_them(backend: ReferenceBackend, server: EmbeddedServer,
                                                  tmp_path: Path) -> None:
    conversation_id = _conversation(server)
    staged = [_staged(tmp_path, "parcel.png", PNG, "image/png"), _staged(tmp_path, "invoice.pdf", PDF, "application/pdf")]
    seen: list[tuple[int, int]] = []
    message = backend.send_with_attachments(
        conversation_id, "reply", "Photo and invoice attached", "reply-key-1", files=staged,
        body_html="<p>Photo and <b>invoice</b> attached<script>x()</script></p>",
        progress=lambda done, total: seen.append((done, total)))
    total = len(PNG) + len(PDF)
    assert seen[-1] == (total, total) and all(b >= a for (a, _), (b, _) in zip(seen, seen[1:], strict=False))
    assert [a["sha256"] for a in message["attachments"]] == [f.sha256 for f in staged]
    parsed = parse_message(message["id"], _feed_message(backend, message["id"]))
    assert [(a.name, a.size, a.content_type) for a in parsed.attachments] == [
        ("parcel.png", len(PNG), "image/png"), ("invoice.pdf", len(PDF), "application/pdf")]
    assert parsed.body_html == "<p>Photo and <b>invoice</b> attached</p>" and parsed.body == "Photo and invoice attached"


def test_a_retry_after_a_lost_answer_stores_nothing_twice(backend: ReferenceBackend, server: EmbeddedServer,
                                                          tmp_path: Path) -> None:
    conversation_id = _conversation(server)
    first = _staged(tmp_path, "one.png", PNG[:100_000] + b"retry", "image/png")
    second = _staged(tmp_path, "two.pdf", PDF + b"retry", "application/pdf")
    rows, stored = _rows(server), _stored(server)

    def cut_during_the_second(done: int, _total: int) -> None:
        if done > first.size:   # the first file is up; the connection drops during the second
            raise TransferCancelled("cut")

    with pytest.raises(TransferCancelled):
        backend.send_with_attachments(conversation_id, "reply", "two files", "reply-key-2", files=[first, second],
                                      progress=cut_during_the_second)
    assert _rows(server) == rows + 1
    message = backend.send_with_attachments(conversation_id, "reply", "two files", "reply-key-2", files=[first, second])
    again = backend.send_with_attachments(conversation_id, "reply", "two files", "reply-key-2", files=[first, second])
    assert again["id"] == message["id"]
    assert (_rows(server), _stored(server)) == (rows + 2, stored + 2)
    assert upload_key("reply-key-2", 0, first.sha256) != upload_key("reply-key-2", 1, first.sha256)


def test_the_same_file_twice_on_one_reply(backend: ReferenceBackend, server: EmbeddedServer, tmp_path: Path) -> None:
    staged = _staged(tmp_path, "same.pdf", PDF + b"twice", "application/pdf")
    message = backend.send_with_attachments(_conversation(server), "note", "", "note-key-3", files=[staged, staged])
    assert len({a["id"] for a in message["attachments"]}) == 2 and message["kind"] == "note"


def test_download_writes_exactly_the_bytes(backend: ReferenceBackend, server: EmbeddedServer, tmp_path: Path) -> None:
    conversation_id = _conversation(server)
    message = backend.send_with_attachments(conversation_id, "reply", "for download", "reply-key-4",
                                            files=[_staged(tmp_path, "big.png", PNG, "image/png")])
    attachment = parse_message(message["id"], _feed_message(backend, message["id"])).attachments[0]
    seen: list[tuple[int, int]] = []
    with open(tmp_path / "out.png", "wb") as dest:
        backend.download_attachment(attachment, conversation_id, message["id"], dest,
                                    progress=lambda done, total: seen.append((done, total)))
    assert (tmp_path / "out.png").read_bytes() == PNG
    assert seen[0] == (0, len(PNG)) and seen[-1] == (len(PNG), len(PNG)) and len(seen) > 2


def test_cancel_mid_download(backend: ReferenceBackend, server: EmbeddedServer, tmp_path: Path) -> None:
    conversation_id = _conversation(server)
    message = backend.send_with_attachments(conversation_id, "reply", "to cancel", "reply-key-5",
                                            files=[_staged(tmp_path, "cancel.png", PNG, "image/png")])
    attachment = Attachment(**message["attachments"][0])
    dest = io.BytesIO()

    def cancel_after_the_first_chunk(done: int, _total: int) -> None:
        if done:
            raise TransferCancelled("the agent cancelled")

    with pytest.raises(TransferCancelled):
        backend.download_attachment(attachment, conversation_id, message["id"], dest, cancel_after_the_first_chunk)
    assert 0 < len(dest.getvalue()) < len(PNG)
    whole = io.BytesIO()   # the connection was dropped, the adapter still works
    backend.download_attachment(attachment, conversation_id, message["id"], whole)
    assert whole.getvalue() == PNG


def test_damaged_or_foreign_downloads_fail(backend: ReferenceBackend, server: EmbeddedServer, tmp_path: Path) -> None:
    conversation_id = _conversation(server)
    message = backend.send_with_attachments(conversation_id, "reply", "checked", "reply-key-6",
                                            files=[_staged(tmp_path, "c.pdf", PDF + b"checked", "application/pdf")])
    attachment = Attachment(**message["attachments"][0])
    with pytest.raises(MalformedResponse):
        backend.download_attachment(replace(attachment, sha256="0" * 64), conversation_id, message["id"], io.BytesIO())
    with pytest.raises(MalformedResponse):
        backend.download_attachment(replace(attachment, size=attachment.size + 1), conversation_id, message["id"],
                                    io.BytesIO())
    with pytest.raises(Rejected) as refused:
        _backend(server, "agent2").download_attachment(attachment, conversation_id, message["id"], io.BytesIO())
    assert refused.value.status == 404


def test_a_file_over_the_limit_is_refused_before_sending(backend: ReferenceBackend, server: EmbeddedServer,
                                                         tmp_path: Path) -> None:
    rows = _rows(server)
    big = _staged(tmp_path, "big.bin", b"\x00" * (CAP + 1), "application/octet-stream")
    with pytest.raises(Rejected) as refused:
        backend.send_with_attachments(_conversation(server), "reply", "too big", "reply-key-7", files=[big])
    assert refused.value.status == 413 and _rows(server) == rows


def test_html_only_reply(backend: ReferenceBackend, server: EmbeddedServer) -> None:
    message = backend.send_with_attachments(_conversation(server), "reply", "Bold hello", "reply-key-8", files=[],
                                            body_html="<p><b>Bold</b> hello</p>")
    assert message["body_html"] == "<p><b>Bold</b> hello</p>" and message["attachments"] == []
