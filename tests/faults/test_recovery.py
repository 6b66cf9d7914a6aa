"""Cursor expiry, a damaged cache file and a full disk: unsent work survives each."""

from __future__ import annotations

import sqlite3

import pytest

from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database, StoreError, conversation, drafts, meta, outbox, recovery
from agent_desktop.store.blobs import BlobStore
from agent_desktop.store.database import damage_marker
from tests.faults.proxy import FaultProxy
from tests.faults.test_proxy_faults import Scripted
from tests.helpers import RunningServer
from tests.store.factories import apply, customer
from tests.store.factories import conversation as conv
from tests.sync.file_backend import FileBackend


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = RunningServer(tmp_path_factory.mktemp("server") / "server.sqlite3")
    yield running
    running.stop()


def _engine(url: str, path) -> SyncEngine:
    backend = ReferenceBackend(url)
    backend.sign_in("agent1", "demo")
    return SyncEngine(Database(path), backend)


def _target(db: Database) -> str:
    return db.reader().execute("SELECT id FROM conversations WHERE status IN ('open','new') ORDER BY id").fetchone()[0]


def _counts(db: Database) -> dict[str, int]:
    return {t: db.reader().execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("conversations", "customers", "queues", "agents")}


def test_an_expired_cursor_resyncs_everything_and_keeps_outbox_and_drafts(server, tmp_path):
    script = Scripted("/api/v1/changes?")
    with FaultProxy(server.url, script) as proxy:
        engine = _engine(proxy.url, tmp_path / "cache.sqlite3")
        engine.pull()
        target = _target(engine.db)
        key = engine.db.write_sync(outbox.enqueue_message, target, "reply", "resync keeps me", "a", "Agent")
        engine.db.write_sync(drafts.save, target, "note", "half-written note")
        # A record the server deleted long ago, whose tombstone it has compacted away:
        engine.db.write_sync(lambda c: c.execute(
            "INSERT INTO queues(id, name, name_en, description, version) VALUES('q-ghost','幽灵','Ghost','',1)"))
        script.queue.append("410")
        result = engine.pull()
        assert result.resynced
        assert "q-ghost" not in {r[0] for r in engine.db.reader().execute("SELECT id FROM queues")}
        counts = server.counts()
        assert _counts(engine.db) == {"conversations": counts["conversation"], "customers": counts["customer"],
                                      "queues": counts["queue"], "agents": counts["agent"]}
        assert [i.key for i in outbox.items(engine.db.reader())] == [key]
        assert drafts.load(engine.db.reader(), target) == ("note", "half-written note")
        pending = engine.db.reader().execute("SELECT body FROM messages WHERE pending=1").fetchall()
        assert pending == [("resync keeps me",)]
        assert engine.push().sent == 1
        assert engine.db.integrity_check() == "ok"
        engine.db.close()


def test_a_file_that_is_not_a_database_is_moved_aside_and_rebuilt(server, tmp_path):
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"\x00garbage, not SQLite" * 500)
    db, rebuilt = recovery.open_cache(path)
    assert rebuilt is not None and rebuilt.moved_to.exists() and rebuilt.moved_to.read_bytes().startswith(b"\x00garb")
    assert recovery.notice(db.reader())["moved_to"] == str(rebuilt.moved_to)
    engine = SyncEngine(db, ReferenceBackend(server.url))
    engine.backend.sign_in("agent1", "demo")
    engine.pull()
    assert _counts(db)["conversations"] == server.counts()["conversation"]
    db.close()


def test_a_newer_apps_cache_is_not_mistaken_for_damage(tmp_path):
    path = tmp_path / "cache.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=999")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        recovery.open_cache(path)
    assert path.exists() and not list(tmp_path.glob("*.damaged-*"))


def _corrupt_table(path, table: str) -> None:
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xde\xad\xbe\xef" * (page_size // 4))


def test_corruption_met_while_running_rebuilds_at_next_start_and_rescues_unsent_work(server, tmp_path):
    path = tmp_path / "cache.sqlite3"
    engine = _engine(server.url, path)
    engine.pull()
    target = _target(engine.db)
    before = server.conversation(target)["message_count"]
    key = engine.db.write_sync(outbox.enqueue_message, target, "reply", "rescued after corruption", "a", "Agent")
    engine.db.write_sync(drafts.save, target, "reply", "my draft survives")
    engine.db.close()
    _corrupt_table(path, "conversations")

    db = Database(path)  # opens: the damage is in a table, not the header
    with pytest.raises(StoreError, match="damaged"):
        db.write_sync(outbox.enqueue_patch, target, {"priority": "high"})
    assert damage_marker(path).exists()
    db.close()

    db, rebuilt = recovery.open_cache(path)
    assert rebuilt is not None and (rebuilt.outbox, rebuilt.drafts, rebuilt.messages) == (1, 1, 1)
    assert not damage_marker(path).exists()
    assert db.integrity_check() == "ok"
    engine = SyncEngine(db, engine.backend)
    engine.pull()
    assert drafts.load(db.reader(), target) == ("reply", "my draft survives")
    assert engine.push().sent == 1
    assert server.conversation(target)["message_count"] == before + 1
    mine = db.reader().execute("SELECT pending FROM messages WHERE idempotency_key=?", (key,)).fetchall()
    assert mine == [(0,)]
    db.close()


def test_a_full_disk_gives_a_clear_error_keeps_committed_work_and_reads_go_on(server, tmp_path):
    engine = _engine(server.url, tmp_path / "cache.sqlite3")
    engine.pull()
    db = engine.db
    target = _target(db)
    first = db.write_sync(outbox.enqueue_message, target, "reply", "saved before the disk filled", "a", "Agent")
    pages = db.write_sync(lambda c: c.execute("PRAGMA page_count").fetchone()[0])
    db.write_sync(lambda c: c.execute(f"PRAGMA max_page_count={pages + 2}"))  # the disk is now (nearly) full
    with pytest.raises(StoreError, match="disk is full") as caught:
        db.write_sync(outbox.enqueue_message, target, "reply", "x" * 200_000, "a", "Agent")
    assert "safe" in str(caught.value)
    # Committed work intact, nothing half-written, reads still work.
    assert [i.key for i in outbox.items(db.reader())] == [first]
    assert db.reader().execute("SELECT count(*) FROM messages WHERE pending=1").fetchone()[0] == 1
    assert meta.get(db.reader(), meta.CURSOR) is not None
    assert db.integrity_check() == "ok"
    # Space freed: the next write works.
    db.write_sync(lambda c: c.execute("PRAGMA max_page_count=1073741823"))
    db.write_sync(outbox.enqueue_message, target, "reply", "after space was freed", "a", "Agent")
    assert engine.push().sent == 2
    db.close()


def test_a_rebuilt_cache_still_shows_and_sends_a_rescued_replys_files(tmp_path):
    path, folder = tmp_path / "cache.sqlite3", tmp_path / "attachments"
    db = Database(path)
    apply(db, [customer("cu-1"), conv("c-1")])
    blobs = BlobStore(folder, db)
    sha, size = blobs.put_bytes(b"%PDF-1.4 rescued", pin=True)
    files = [{"sha256": sha, "name": "合同.pdf", "content_type": "application/pdf", "size": size}]
    key = db.write_sync(outbox.enqueue_message, "c-1", "reply", "见附件", "a", "Agent", files, "<p>见附件</p>")
    db.mark_damaged("database disk image is malformed")
    db.close()
    db, rebuilt = recovery.open_cache(path)
    assert rebuilt is not None and rebuilt.outbox == 1
    [local] = conversation.messages(db.reader(), "c-1")
    assert local["attachments"] == list(outbox.local_attachments(files)) and local["body_html"] == "<p>见附件</p>"
    backend = FileBackend()
    engine = SyncEngine(db, backend, blobs=BlobStore(folder, db))
    assert engine.push().sent == 1
    assert backend.messages[key]["attachments"][0]["sha256"] == sha
    db.close()
