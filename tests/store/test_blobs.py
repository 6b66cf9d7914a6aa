"""The attachment cache on a real folder and a real SQLite file: whole files only, LRU, pins."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
from pathlib import Path
from typing import IO

import pytest

from agent_desktop.store import Database, outbox
from agent_desktop.store.blobs import (
    DEFAULT_QUOTA,
    BlobMismatch,
    BlobStore,
    BlobTooLarge,
    DiskFull,
    repair_pins,
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def blobs(tmp_path: Path, db: Database) -> BlobStore:
    return BlobStore(tmp_path / "attachments", db)


def visible_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_put_stream_stores_the_file_under_its_sha(blobs: BlobStore) -> None:
    data = os.urandom(700_000)   # several chunks
    digest, size = blobs.put_stream(io.BytesIO(data))
    assert (digest, size) == (sha(data), len(data))
    path = blobs.path(digest)
    assert path == blobs.folder / digest[:2] / digest
    assert path.read_bytes() == data
    assert blobs.total_bytes() == len(data) and blobs.count() == 1
    assert visible_files(blobs.folder) == [path]   # no temporary file left beside it


def test_the_same_bytes_are_stored_once(blobs: BlobStore) -> None:
    blobs.put_bytes(b"same")
    blobs.put_stream(io.BytesIO(b"same"))
    assert blobs.count() == 1 and blobs.total_bytes() == 4
    assert len(visible_files(blobs.folder)) == 1


def test_a_wrong_sha_is_refused_and_nothing_kept(blobs: BlobStore) -> None:
    with pytest.raises(BlobMismatch):
        blobs.put_stream(io.BytesIO(b"tampered bytes"), expected_sha=sha(b"the real file"))
    assert blobs.count() == 0 and visible_files(blobs.folder) == []
    assert blobs.path(sha(b"the real file")) is None
    digest, _ = blobs.put_stream(io.BytesIO(b"the real file"), expected_sha=sha(b"the real file").upper())
    assert digest == sha(b"the real file")


def test_more_than_the_limit_is_refused(blobs: BlobStore) -> None:
    with pytest.raises(BlobTooLarge):
        blobs.put_stream(io.BytesIO(b"x" * 1000), limit=999)
    assert visible_files(blobs.folder) == []


class FillsUp(io.FileIO):
    """A real temporary file on a disk that is full after `room` bytes."""

    room = 300_000

    def write(self, data) -> int:  # type: ignore[override]
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


def full_disk_opener(path: Path) -> IO[bytes]:
    return FillsUp(path, "r+")


def test_a_full_disk_mid_file_raises_disk_full_and_leaves_nothing(tmp_path: Path, db: Database) -> None:
    blobs = BlobStore(tmp_path / "attachments", db, opener=full_disk_opener)
    data = os.urandom(1_000_000)
    with pytest.raises(DiskFull) as caught:
        blobs.put_stream(io.BytesIO(data))
    assert caught.value.errno == errno.ENOSPC and "disk is full" in str(caught.value)
    assert isinstance(caught.value, OSError)
    assert visible_files(blobs.folder) == []          # the temporary file was removed
    assert blobs.count() == 0 and blobs.path(sha(data)) is None
    # Room again: the same file goes in whole.
    blobs.opener = BlobStore(tmp_path / "x", db).opener
    digest, size = blobs.put_stream(io.BytesIO(data))
    assert blobs.path(digest).read_bytes() == data and size == len(data)


def test_a_failing_source_leaves_nothing(blobs: BlobStore) -> None:
    class Broken(io.RawIOBase):
        sent = False

        def read(self, n: int = -1) -> bytes:
            if self.sent:
                raise OSError(errno.EIO, "read error")
            self.sent = True
            return b"a" * 1000

    with pytest.raises(OSError):
        blobs.put_stream(Broken())
    assert visible_files(blobs.folder) == [] and blobs.count() == 0


def test_leftover_temporary_files_of_a_killed_write_are_removed(blobs: BlobStore) -> None:
    (blobs.folder / ".incoming-abc").write_bytes(b"half")
    assert blobs.remove_leftovers() == 1
    assert visible_files(blobs.folder) == []


def test_evict_removes_least_recently_used_first(blobs: BlobStore, db: Database) -> None:
    shas = [blobs.put_bytes(bytes([n]) * 1000)[0] for n in range(4)]
    # Used in this order: 2, 0, 3, 1 (1 is the most recent).
    for rank, index in enumerate((2, 0, 3, 1)):
        db.write_sync(lambda conn, s=shas[index], t=rank: conn.execute(
            "UPDATE blobs SET last_used=? WHERE sha256=?", (1000.0 + t, s)))
    freed = blobs.evict(2500)
    assert freed == 2000
    assert [blobs.contains(s) for s in shas] == [False, True, False, True]
    assert blobs.total_bytes() == 2000 and blobs.count() == 2
    assert blobs.evict(2500) == 0


def test_path_marks_a_file_used(blobs: BlobStore, db: Database) -> None:
    old, new = blobs.put_bytes(b"old" * 100)[0], blobs.put_bytes(b"new" * 100)[0]
    db.write_sync(lambda conn: conn.execute("UPDATE blobs SET last_used=1"))
    assert blobs.path(old) is not None
    db.write_sync(lambda conn: None)   # the touch was queued before this: wait for it
    blobs.evict(300)
    assert blobs.contains(old) and not blobs.contains(new)


def test_pinned_files_are_never_evicted(blobs: BlobStore, db: Database) -> None:
    staged = blobs.put_bytes(b"s" * 1000, pin=True)[0]
    other = blobs.put_bytes(b"o" * 1000)[0]
    db.write_sync(lambda conn: conn.execute("UPDATE blobs SET last_used=1 WHERE sha256=?", (staged,)))
    blobs.evict(0)
    assert blobs.contains(staged) and not blobs.contains(other)
    assert blobs.total_bytes() == 1000   # over a quota of 0, because the pinned file must stay
    blobs.pin(staged)
    blobs.unpin(staged)
    assert blobs.pinned(staged) == 1
    blobs.unpin(staged)
    blobs.unpin(staged)                  # never below none
    assert blobs.pinned(staged) == 0
    blobs.evict(0)
    assert not blobs.contains(staged) and blobs.count() == 0


def test_a_file_named_by_the_outbox_stays_even_without_a_pin(blobs: BlobStore, db: Database) -> None:
    digest = blobs.put_bytes(b"queued reply's file")[0]
    payload = {"kind": "reply", "body": "", "files": [{"sha256": digest, "name": "a.txt",
                                                        "content_type": "text/plain", "size": 19}]}
    db.write_sync(outbox.enqueue_action, "reply", "c-1", payload)
    assert blobs.pinned(digest) == 0
    blobs.evict(0)
    assert blobs.contains(digest)
    db.write_sync(repair_pins)
    assert blobs.pinned(digest) == 1
    assert json.loads(db.reader().execute("SELECT payload FROM outbox").fetchone()[0])["files"][0]["sha256"] == digest


def test_a_file_removed_behind_the_caches_back_is_forgotten(blobs: BlobStore, db: Database) -> None:
    digest = blobs.put_bytes(b"gone")[0]
    blobs.file_of(digest).unlink()
    assert blobs.path(digest) is None
    db.write_sync(lambda conn: None)
    assert blobs.count() == 0


def test_rows_and_files_survive_reopening(tmp_path: Path) -> None:
    db = Database(tmp_path / "cache.db")
    digest = BlobStore(tmp_path / "att", db).put_bytes(b"kept", pin=True)[0]
    db.close()
    db = Database(tmp_path / "cache.db")
    again = BlobStore(tmp_path / "att", db)
    assert again.path(digest).read_bytes() == b"kept" and again.pinned(digest) == 1
    db.close()


def test_default_quota_is_512_mb() -> None:
    assert DEFAULT_QUOTA == 512 * 1024 * 1024


def test_bad_sha_names_no_file(blobs: BlobStore) -> None:
    assert blobs.path("../../etc/passwd") is None
    with pytest.raises(ValueError):
        blobs.file_of("../x")
