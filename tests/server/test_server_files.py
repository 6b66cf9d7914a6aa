"""The server's file store: one copy per content, streamed and capped, nothing half-written visible."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from agent_desktop.server import files
from agent_desktop.server.db import Database

PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def test_the_same_content_is_stored_once(tmp_path: Path) -> None:
    store = files.FileStore(tmp_path / "files", max_bytes=1000)
    first = store.put_bytes(PNG_HEAD)
    again = store.put_chunks([PNG_HEAD[:5], PNG_HEAD[5:]])
    assert first == again == files.Stored(hashlib.sha256(PNG_HEAD).hexdigest(), len(PNG_HEAD), "image/png")
    assert store.stored_files() == 1
    assert store.path(first.sha256).read_bytes() == PNG_HEAD
    assert list(store.temp_folder.iterdir()) == []


def test_over_the_cap_while_streaming_leaves_nothing(tmp_path: Path) -> None:
    store = files.FileStore(tmp_path / "files", max_bytes=100)
    with pytest.raises(files.TooLarge) as caught:
        store.put_chunks([b"a" * 60, b"b" * 60])
    assert caught.value.max_bytes == 100
    assert store.stored_files() == 0
    assert list(store.temp_folder.iterdir()) == []


def test_a_discarded_upload_leaves_nothing(tmp_path: Path) -> None:
    store = files.FileStore(tmp_path / "files")
    with store.upload() as upload:
        upload.write(b"half of a file")
    assert store.stored_files() == 0 and list(store.temp_folder.iterdir()) == []


def test_leftovers_of_a_crash_are_removed_at_start(tmp_path: Path) -> None:
    store = files.FileStore(tmp_path / "files")
    (store.temp_folder / "upload-crashed").write_bytes(b"x")
    files.FileStore(tmp_path / "files")
    assert list(store.temp_folder.iterdir()) == []


def test_paths_only_for_hashes(tmp_path: Path) -> None:
    store = files.FileStore(tmp_path / "files")
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


def test_the_cap_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(files.MAX_BYTES_ENV, raising=False)
    assert files.max_bytes_setting() == 25 * 1024 * 1024
    monkeypatch.setenv(files.MAX_BYTES_ENV, "1234")
    assert files.max_bytes_setting() == 1234
    assert files.max_bytes_setting(99) == 99
    with pytest.raises(ValueError):
        files.max_bytes_setting(0)


def test_rows_round_trip(tmp_path: Path) -> None:
    database = Database(tmp_path / "db.sqlite3")
    row = files.AttachmentRow("att-1", "cv-1", None, "photo.png", 10, "image/png", "a" * 64, "", False)
    with database.transaction() as conn:
        files.insert(conn, row, uploaded_by="a-agent1", created_at="2026-01-01T00:00:00Z")
        files.attach_to_message(conn, [row], "m-1")
        files.attach_to_message(conn, [row], "m-2")  # already on a message: stays there
    stored = files.get(database.reader(), "att-1")
    assert stored is not None and stored.message_id == "m-1"
    assert stored.wire() == {"id": "att-1", "name": "photo.png", "size": 10, "content_type": "image/png",
                             "sha256": "a" * 64, "content_id": "", "inline": False}
    database.close()


def test_folder_beside_the_database(tmp_path: Path) -> None:
    assert files.folder_for(tmp_path / "demo.sqlite3") == tmp_path / "demo.sqlite3.files"


@pytest.mark.parametrize("name", ["", "   ", "a" * 256, "bad\x00name"])
def test_names_refused(name: str) -> None:
    with pytest.raises(ValueError):
        files.check_name(name)
