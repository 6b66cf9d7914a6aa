"""Replies with files through the outbox: they wait with the reply, go out once with progress,
can be cancelled and retried, and are let go by the cache only once sent or discarded."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from agent_desktop.backends.base import NetworkError
from agent_desktop.services.attachments import AttachmentService, AttachmentsUnavailable
from agent_desktop.services.conversations import ConversationService, EmptyMessage
from agent_desktop.services.outbox_service import OutboxService
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.services.transfers import CANCELLED, SENT, Transfer, Transfers
from agent_desktop.store import Database, conversation, outbox
from agent_desktop.store.blobs import BlobStore
from tests.store.factories import apply, customer
from tests.store.factories import conversation as conv
from tests.sync.file_backend import FileBackend


class Client:
    """One agent's cache, services and engine on `backend`, as the session wires them."""

    def __init__(self, tmp_path: Path, backend: FileBackend) -> None:
        self.db = Database(tmp_path / "cache.sqlite3")
        apply(self.db, [customer("cu-1"), conv("c-1", assignee_id="ag-1")])
        self.blobs = BlobStore(tmp_path / "attachments", self.db)
        self.transfers = Transfers()
        self.backend = backend
        self.engine = SyncEngine(self.db, backend, blobs=self.blobs, transfers=self.transfers)
        self.conversations = ConversationService(self.db, {"id": "ag-1", "name": "Li"},
                                                 lambda: backend.capabilities)
        self.attachments = AttachmentService(self.db, backend, self.blobs, transfers=self.transfers,
                                             agent={"id": "ag-1"})

    def outbox(self) -> list[outbox.OutboxItem]:
        return outbox.items(self.db.reader())

    def messages(self) -> list[dict]:
        return conversation.messages(self.db.reader(), "c-1")

    def close(self) -> None:
        self.attachments.close()
        self.db.close()


@pytest.fixture
def backend() -> FileBackend:
    return FileBackend()


@pytest.fixture
def client(tmp_path, backend):
    made = Client(tmp_path, backend)
    yield made
    made.close()


def test_a_reply_with_files_waits_with_them_and_goes_out_once_with_progress(client, backend, loop, tmp_path):
    report = tmp_path / "报告.pdf"
    report.write_bytes(b"%PDF-1.7\n" + os.urandom(400_000))
    staged = [client.attachments.stage(report, report.name), client.attachments.stage(b"notes", "notes.txt")]
    key = loop.run_until_complete(client.conversations.send("c-1", "reply", "见附件", files=staged,
                                                            body_html="<p>见<b>附件</b></p>"))
    # Offline meanwhile: the reply and its files wait; the local copy shows the files.
    [item] = client.outbox()
    assert [f["name"] for f in item.payload["files"]] == ["报告.pdf", "notes.txt"]
    assert item.payload["body_html"] == "<p>见<b>附件</b></p>"
    [local] = client.messages()
    assert local["pending"] == 1 and [a.name for a in local["attachments"]] == ["报告.pdf", "notes.txt"]
    assert client.attachments.local_path(local["attachments"][0]) == Path(staged[0].path)
    client.blobs.evict(0)
    assert all(Path(f.path).is_file() for f in staged)       # never evicted while queued

    seen: list[Transfer] = []
    client.transfers.progress_changed.connect(seen.append)
    assert client.engine.push().sent == 1
    total = staged[0].size + staged[1].size
    assert seen[-1] == Transfer(key, total, total, SENT) and any(0 < t.sent < total for t in seen)
    assert client.outbox() == [] and backend.upload_writes == 2
    [sent] = client.messages()
    assert sent["pending"] == 0 and sent["body_html"] == "<p>见<b>附件</b></p>"
    assert [a.sha256 for a in sent["attachments"]] == [f.sha256 for f in staged]
    assert [client.blobs.pinned(f.sha256) for f in staged] == [0, 0]   # sent: evictable again
    assert client.attachments.local_path(sent["attachments"][0]) is not None   # our own file, no download


def test_a_lost_answer_is_retried_and_stores_nothing_twice(client, backend, loop):
    staged = client.attachments.stage(os.urandom(200_000), "scan.png")
    loop.run_until_complete(client.conversations.send("c-1", "reply", "", files=[staged]))
    backend.lose_answers = 1
    with pytest.raises(NetworkError):
        client.engine.push()
    assert len(client.outbox()) == 1 and client.blobs.pinned(staged.sha256) == 1
    client.engine.clock = lambda: 1e12     # past the backoff
    assert client.engine.push().sent == 1
    assert len(backend.messages) == 1 and backend.upload_writes == 1 and len(backend.uploads) == 1
    assert len(client.messages()) == 1


def test_cancel_mid_upload_keeps_the_reply_failed_with_its_files_and_retry_sends_it(client, backend, loop):
    staged = client.attachments.stage(os.urandom(500_000), "big.bin")
    key = loop.run_until_complete(client.conversations.send("c-1", "reply", "here", files=[staged]))

    def cancel_halfway(transfer: Transfer) -> None:
        if 0 < transfer.sent < transfer.total:
            client.attachments.cancel(transfer.key)

    client.transfers.progress_changed.connect(cancel_halfway)
    result = client.engine.push()
    assert result.failed == 1 and backend.messages == {}
    [item] = client.outbox()
    assert item.state == outbox.FAILED and item.last_error == outbox.CANCELLED_REASON
    assert client.blobs.pinned(staged.sha256) == 1 and Path(staged.path).is_file()
    assert client.messages()[0]["outbox_state"] == outbox.FAILED
    client.transfers.progress_changed.disconnect(cancel_halfway)
    loop.run_until_complete(OutboxService(client.conversations).retry(item))
    assert client.engine.push().sent == 1 and len(backend.messages) == 1
    assert backend.messages[key]["attachments"][0]["sha256"] == staged.sha256


def test_cancel_before_the_upload_starts_fails_it_at_once(client, backend, loop):
    staged = client.attachments.stage(b"queued file", "q.txt")
    key = loop.run_until_complete(client.conversations.send("c-1", "note", "n", files=[staged]))
    ended: list[Transfer] = []
    client.transfers.progress_changed.connect(ended.append)
    client.attachments.cancel(key)
    [item] = client.outbox()
    assert item.state == outbox.FAILED and item.last_error == outbox.CANCELLED_REASON
    assert client.engine.push().sent == 0 and backend.messages == {}
    assert not client.transfers.is_cancelled(key) and ended == []


def test_a_cancel_raised_through_the_adapter_as_a_network_error_is_still_a_cancel(client, backend, loop):
    staged = client.attachments.stage(os.urandom(300_000), "x.bin")
    loop.run_until_complete(client.conversations.send("c-1", "reply", "x", files=[staged]))
    original = backend.send_with_attachments

    def wrapping(*args, progress=None, **kwargs):
        def wrapped(done, total):
            try:
                progress(done, total)
            except Exception as exc:   # an HTTP client aborting the streamed body
                raise NetworkError("connection aborted") from exc
        return original(*args, progress=wrapped, **kwargs)

    backend.send_with_attachments = wrapping
    ended: list[Transfer] = []
    client.transfers.progress_changed.connect(lambda t: ended.append(t) or (
        t.sent and client.attachments.cancel(t.key)))
    assert client.engine.push().failed == 1
    assert client.outbox()[0].last_error == outbox.CANCELLED_REASON and ended[-1].state == CANCELLED


def test_discarding_a_queued_reply_lets_its_files_go(client, loop):
    staged = client.attachments.stage(b"to be discarded", "d.txt")
    loop.run_until_complete(client.conversations.send("c-1", "reply", "d", files=[staged]))
    client.attachments.cancel(client.outbox()[0].key)
    loop.run_until_complete(OutboxService(client.conversations).discard(client.outbox()[0]))
    assert client.outbox() == [] and client.messages() == []
    client.blobs.evict(0)
    assert not Path(staged.path).exists()


def test_a_file_gone_from_the_cache_fails_the_reply_with_a_reason(client, loop):
    staged = client.attachments.stage(b"vanishing", "v.txt")
    loop.run_until_complete(client.conversations.send("c-1", "reply", "v", files=[staged]))
    Path(staged.path).unlink()
    assert client.engine.push().failed == 1
    assert "no longer on this computer" in client.outbox()[0].last_error


def test_files_are_refused_before_queueing_when_the_server_takes_none(tmp_path, loop):
    client = Client(tmp_path, FileBackend(attachments=False))
    staged_elsewhere = AttachmentService(client.db, FileBackend(), client.blobs).stage(b"x", "x.txt")
    with pytest.raises(AttachmentsUnavailable):
        loop.run_until_complete(client.conversations.send("c-1", "reply", "x", files=[staged_elsewhere]))
    with pytest.raises(EmptyMessage):
        loop.run_until_complete(client.conversations.send("c-1", "reply", "  "))
    assert client.outbox() == []
    client.close()


def test_an_html_reply_to_a_server_without_html_goes_as_its_plain_part(tmp_path, loop):
    backend = FileBackend(attachments=False)
    client = Client(tmp_path, backend)
    loop.run_until_complete(client.conversations.send("c-1", "reply", "plain part", body_html="<p>rich</p>"))
    assert client.engine.push().sent == 1
    assert backend.posts == [("c-1", "reply", "plain part")]
    client.close()


def test_a_queued_file_payload_keeps_only_what_the_wire_needs(client, loop):
    staged = client.attachments.stage(b"abc", "a.txt")
    loop.run_until_complete(client.conversations.send("c-1", "reply", "a", files=[staged, staged]))
    payload = json.loads(client.db.reader().execute("SELECT payload FROM outbox").fetchone()[0])
    assert payload["files"] == [{"sha256": staged.sha256, "name": "a.txt", "content_type": "text/plain", "size": 3}]
