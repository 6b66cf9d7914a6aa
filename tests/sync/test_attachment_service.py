"""AttachmentService on a real cache file and folder: limits, staging, fetching, prefetching."""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from agent_desktop.domain.attachments import DEFAULT_MAX_BYTES, RISKY_TYPES, InvalidAttachment, is_risky
from agent_desktop.services import attachments as attachments_module
from agent_desktop.services.attachments import AttachmentService, AttachmentsUnavailable, AttachmentTooLarge
from agent_desktop.store import Database
from agent_desktop.store.blobs import BlobMismatch, BlobStore, DiskFull
from tests.store.factories import apply, conversation, customer, message
from tests.store.test_blobs import full_disk_opener
from tests.sync.file_backend import FileBackend

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64


@pytest.fixture
def db(tmp_path: Path):
    database = Database(tmp_path / "cache.sqlite3")
    yield database
    database.close()


@pytest.fixture
def backend() -> FileBackend:
    return FileBackend(max_bytes=1_000_000)


def make_service(db: Database, backend: FileBackend, tmp_path: Path, **options) -> AttachmentService:
    return AttachmentService(db, backend, BlobStore(tmp_path / "attachments", db), agent={"id": "ag-1"}, **options)


@pytest.fixture
def service(db, backend, tmp_path):
    made = make_service(db, backend, tmp_path)
    yield made
    made.close()


# -- limits ----------------------------------------------------------------------------------------

def test_the_limit_is_the_default_until_the_server_says_and_is_remembered(db, backend, service, tmp_path):
    assert service.max_bytes() == DEFAULT_MAX_BYTES
    assert service.refresh_limits() == 1_000_000 == service.max_bytes()
    backend.limit_offline = True
    assert service.refresh_limits() == 1_000_000          # offline: the known limit stays
    again = make_service(db, backend, tmp_path)            # the next start, offline
    assert again.max_bytes() == 1_000_000
    again.close()


def test_without_the_capability_nothing_is_available(db, tmp_path):
    service = make_service(db, FileBackend(attachments=False), tmp_path)
    assert not service.available()
    assert service.prefetch(["c-1"]) is None and service.prefetch_assigned(None) is None
    with pytest.raises(AttachmentsUnavailable):
        service.stage(b"x", "x.txt")
    with pytest.raises(AttachmentsUnavailable):
        service.fetch("c-1", "m-1", FileBackend().serve("a", b"x"))
    service.close()


# -- staging -----------------------------------------------------------------------------------------

def test_staging_bytes_sniffs_hashes_and_pins(service):
    staged = service.stage(PNG, "截图 1.png")
    assert staged.content_type == "image/png" and staged.size == len(PNG)
    assert staged.sha256 == hashlib.sha256(PNG).hexdigest() and staged.name == "截图 1.png"
    assert Path(staged.path).read_bytes() == PNG
    assert service.blobs.pinned(staged.sha256) == 1
    service.blobs.evict(0)
    assert Path(staged.path).is_file()          # staged files survive any eviction
    service.discard(staged)
    assert service.blobs.pinned(staged.sha256) == 0
    service.blobs.evict(0)
    assert not Path(staged.path).exists() and service.cache_bytes() == 0


def test_staging_a_file_copies_it_and_says_what_it_really_is(service, tmp_path):
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"MZ\x90\x00" + os.urandom(5000))   # a Windows program named like a photo
    staged = service.stage(source, "photo.jpg")
    assert staged.content_type in RISKY_TYPES and is_risky(staged.name, staged.content_type)
    source.unlink()                                         # the copy in the cache is what is sent
    assert Path(staged.path).read_bytes()[:2] == b"MZ"


def test_names_are_made_safe_and_bad_ones_refused(service):
    assert service.stage(b"x", "../../.bashrc").name == "bashrc"
    assert service.stage(b"x", "invoice\u202efdp.exe").name == "invoicefdp.exe"
    for bad in ("", "   ", "a\x00b", "x" * 2000):
        with pytest.raises(InvalidAttachment):
            service.stage(b"x", bad)


def test_a_2_gb_file_is_refused_before_a_byte_is_read(service, backend, tmp_path, monkeypatch):
    huge = tmp_path / "huge.iso"
    with open(huge, "wb") as out:      # sparse: 2 GB long, no disk used
        out.truncate(2 * 1024**3)
    opened: list[str] = []
    real_open = os.open
    def watching_open(path, *args):   # os.open is global: note only opens of the huge file
        if Path(path) == huge:
            opened.append(str(path))
        return real_open(path, *args)

    monkeypatch.setattr(attachments_module.os, "open", watching_open)
    with pytest.raises(AttachmentTooLarge) as caught:
        service.stage(huge, "huge.iso")
    assert caught.value.max_bytes == 1_000_000 and caught.value.size == 2 * 1024**3
    assert opened == [] and service.cache_bytes() == 0
    with pytest.raises(AttachmentTooLarge):
        service.stage(b"y" * 1_000_001, "big.bin")


def test_a_pipe_or_a_folder_is_not_a_file(service, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InvalidAttachment):
        service.stage(fifo, "pipe")      # reading it would block for ever
    with pytest.raises(InvalidAttachment):
        service.stage(tmp_path, "folder")
    with pytest.raises(InvalidAttachment):
        service.stage(tmp_path / "missing.txt", "missing.txt")


# -- fetching ------------------------------------------------------------------------------------------

def test_fetch_downloads_once_and_then_serves_the_cache(service, backend):
    data = os.urandom(300_000)
    att = backend.serve("att-1", data, name="report.pdf")
    assert service.local_path(att) is None
    seen: list[tuple[int, int]] = []
    path = service.fetch("c-1", "m-1", att, progress=lambda done, total: seen.append((done, total)))
    assert path.read_bytes() == data and service.local_path(att) == path
    assert seen[-1] == (len(data), len(data))
    assert service.fetch("c-1", "m-1", att) == path
    assert backend.downloads["att-1"] == 1
    assert service.blobs.pinned(att.sha256) == 0      # fetched files are evictable


def test_concurrent_fetches_of_one_file_share_one_download(service, backend):
    att = backend.serve("att-1", os.urandom(100_000))
    backend.gate = threading.Event()
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(service.fetch, "c-1", "m-1", att)
        assert backend.download_started.wait(10)
        others = [pool.submit(service.fetch, "c-1", "m-1", att) for _ in range(2)]
        backend.gate.set()
        paths = {first.result(10), *(f.result(10) for f in others)}
    assert len(paths) == 1 and backend.downloads["att-1"] == 1


def test_a_file_that_is_not_what_the_server_announced_is_refused(service, backend):
    att = backend.serve("att-1", b"the real bytes")
    backend.wrong_bytes = True
    with pytest.raises(BlobMismatch):
        service.fetch("c-1", "m-1", att)
    assert service.local_path(att) is None and service.cache_bytes() == 0
    backend.wrong_bytes = False
    assert service.fetch("c-1", "m-1", att).read_bytes() == b"the real bytes"


def test_a_file_without_a_sha_is_found_again_by_its_id(service, backend):
    att = backend.serve("att-9", b"vendor file", with_sha=False)
    path = service.fetch("c-1", "m-1", att)
    assert service.local_path(att) == path and backend.downloads["att-9"] == 1


def test_fetching_keeps_the_cache_within_its_quota(db, backend, tmp_path):
    service = make_service(db, backend, tmp_path, quota=250_000)
    atts = [backend.serve(f"att-{n}", os.urandom(100_000)) for n in range(3)]
    for att in atts:
        service.fetch("c-1", "m-1", att)
    assert service.cache_bytes() <= 250_000
    assert service.local_path(atts[2]) is not None        # the file just fetched stays
    service.close()


# -- prefetch --------------------------------------------------------------------------------------------

def seed(db: Database, backend: FileBackend) -> dict[str, bytes]:
    mine = backend.serve("f-mine", b"mine" * 1000, name="mine.pdf")
    cached = backend.serve("f-cached", b"cached" * 1000)
    other = backend.serve("f-other", b"other" * 1000)
    closed = backend.serve("f-closed", b"closed" * 1000)
    apply(db, [customer("cu-1"),
               conversation("c-mine", assignee_id="ag-1"), conversation("c-other", assignee_id="ag-2"),
               conversation("c-closed", assignee_id="ag-1", status="closed"),
               message("m-1", "c-mine", "a", attachments=[mine.to_wire(), cached.to_wire()]),
               message("m-2", "c-other", "b", attachments=[other.to_wire()]),
               message("m-3", "c-closed", "c", attachments=[closed.to_wire()])])
    return {"mine": mine, "cached": cached, "other": other, "closed": closed}


def test_after_a_sync_the_files_of_my_open_conversations_come_down(db, backend, service):
    atts = seed(db, backend)
    service.fetch("c-mine", "m-1", atts["cached"])
    assert service.prefetch_assigned(None).result(10) == 1     # mine and open, not yet cached
    assert service.local_path(atts["mine"]) is not None
    assert backend.downloads == {"f-mine": 1, "f-cached": 1}     # cached ones are skipped
    assert service.max_bytes() == 1_000_000                     # the limit was learnt on the way


def test_prefetch_of_changed_conversations_only(db, backend, service):
    seed(db, backend)
    assert service.prefetch_assigned(set()) is None
    assert service.prefetch_assigned({"c-other"}).result(10) == 0
    assert backend.downloads == {}
    assert service.prefetch(["c-other"]).result(10) == 1       # asked for by name: fetched


def test_closing_stops_a_prefetch_under_way_at_its_next_chunk(db, backend, tmp_path):
    service = make_service(db, backend, tmp_path)
    big = backend.serve("f-big", os.urandom(400_000))
    apply(db, [customer("cu-1"), conversation("c-mine", assignee_id="ag-1"),
               message("m-1", "c-mine", "a", attachments=[big.to_wire()])])
    backend.gate = threading.Event()
    running = service.prefetch(["c-mine"])
    assert backend.download_started.wait(10)
    service.close()                      # returns at once, the download still held by the gate
    backend.gate.set()
    assert running.result(10) == 0
    assert service.local_path(big) is None and service.cache_bytes() == 0
    assert service.prefetch(["c-mine"]) is None and service.prefetch_assigned(None) is None


def test_a_full_disk_while_downloading_keeps_nothing_and_says_so(db, backend, tmp_path):
    service = AttachmentService(db, backend, BlobStore(tmp_path / "attachments", db, opener=full_disk_opener))
    att = backend.serve("att-1", os.urandom(600_000))       # more than the disk has room for
    with pytest.raises(DiskFull):
        service.fetch("c-1", "m-1", att)
    assert service.local_path(att) is None and service.cache_bytes() == 0
    assert [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()] == []
    service.close()


def test_staging_asks_the_server_for_its_limit_first(db, backend, service):
    backend.max_bytes = 100     # a vendor with a small limit, not yet known to this session
    with pytest.raises(AttachmentTooLarge) as caught:
        service.stage(b"z" * 101, "z.bin")
    assert caught.value.max_bytes == 100 and service.max_bytes() == 100
