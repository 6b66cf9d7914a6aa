"""Files on messages for the reference server: bytes on disk by content, descriptions in SQLite.

The bytes live at `<folder>/<sha[:2]>/<sha256>`, one copy per content however many messages carry
it. An upload is streamed into a temporary file in the same folder while its sha256 is computed
(never held whole in memory), counted against the cap as it comes, then renamed into place: a
half-written file is never visible under a content name. The `attachments` table (server/db.py) describes each
file a message carries (or an upload waiting for its message: `message_id` NULL until then); its
`content_type` is what the bytes are (`domain.attachments.sniff`), never what the sender said.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from agent_desktop.domain.attachments import DEFAULT_MAX_BYTES, MAX_NAME_LENGTH, SNIFF_BYTES, sniff

from .errors import ApiError

MAX_BYTES_ENV = "AGENT_DESKTOP_MAX_ATTACHMENT_BYTES"
CHUNK_BYTES = 64 * 1024
_SHA = re.compile(r"^[0-9a-f]{64}$")


class TooLarge(Exception):
    """The file is over the server's cap (answered 413 with `max_bytes`)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the file is larger than the server takes ({max_bytes} bytes)")
        self.max_bytes = max_bytes


class Truncated(Exception):
    """The upload ended before the length it declared."""


def too_large_error(max_bytes: int) -> ApiError:
    """The 413 answer: the usual error body plus `max_bytes`, and the connection closed (the rest of
    the body is not read)."""
    return ApiError(413, "too_large", f"the file is larger than this server takes ({max_bytes} bytes)",
                    extra={"max_bytes": max_bytes}, headers={"Connection": "close"})


def max_bytes_setting(value: int | None = None) -> int:
    """The per-file cap: `value` when given, else $AGENT_DESKTOP_MAX_ATTACHMENT_BYTES, else 25 MB."""
    if value is None:
        text = os.environ.get(MAX_BYTES_ENV, "").strip()
        value = int(text) if text else DEFAULT_MAX_BYTES
    if value <= 0:
        raise ValueError(f"the attachment size cap must be positive, got {value}")
    return value


def folder_for(db_path: str | Path) -> Path:
    """Where a database's files live: beside it, named after it (two servers never share one)."""
    path = Path(db_path)
    return path.with_name(path.name + ".files")


@dataclass(frozen=True)
class Stored:
    """Bytes now in the store: what they are, how many, and their hash."""

    sha256: str
    size: int
    content_type: str


class Upload:
    """One file being received: chunks go to a temporary file, hashed and counted as they come.

    `commit()` moves it under its content name (or drops it when that content is already stored);
    `discard()` removes it. Use as a context manager so an error never leaves the temporary file.
    """

    def __init__(self, store: FileStore) -> None:
        self._store = store
        self._sha = hashlib.sha256()
        self._head = b""
        self.size = 0
        handle, name = tempfile.mkstemp(prefix="upload-", dir=store.temp_folder)
        self._path = Path(name)
        self._file: BinaryIO | None = os.fdopen(handle, "wb")

    def write(self, chunk: bytes) -> None:
        if self._file is None:
            raise ValueError("the upload is already finished")
        self.size += len(chunk)
        if self.size > self._store.max_bytes:
            raise TooLarge(self._store.max_bytes)
        if len(self._head) < SNIFF_BYTES:
            self._head += chunk[: SNIFF_BYTES - len(self._head)]
        self._sha.update(chunk)
        self._file.write(chunk)

    def commit(self) -> Stored:
        if self._file is None:
            raise ValueError("the upload is already finished")
        self._file.flush()
        os.fsync(self._file.fileno())  # the bytes are on disk before any row points at them
        self._file.close()
        self._file = None
        sha = self._sha.hexdigest()
        target = self._store.path(sha)
        if target.exists():
            self._path.unlink(missing_ok=True)  # one copy per content
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._path, target)
        return Stored(sha, self.size, sniff(self._head))

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._path.unlink(missing_ok=True)

    def __enter__(self) -> Upload:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()  # after commit() the temporary name is gone already: nothing to do


class FileStore:
    """The content-addressed folder of one server, and its cap."""

    def __init__(self, folder: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self.temp_folder = self.folder / "incoming"
        self.temp_folder.mkdir(parents=True, exist_ok=True)
        for leftover in self.temp_folder.iterdir():  # an upload cut short by a crash
            leftover.unlink(missing_ok=True)

    def path(self, sha256: str) -> Path:
        if not _SHA.match(sha256):
            raise ValueError("not a sha256 in hex")
        return self.folder / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def upload(self) -> Upload:
        return Upload(self)

    def put_bytes(self, data: bytes) -> Stored:
        """Store bytes already in memory (inbound e-mail parts, demo files); capped like uploads."""
        return self.put_chunks(data[i:i + CHUNK_BYTES] for i in range(0, max(len(data), 1), CHUNK_BYTES))

    def put_chunks(self, chunks: Iterable[bytes]) -> Stored:
        with self.upload() as upload:
            for chunk in chunks:
                upload.write(chunk)
            return upload.commit()

    def stored_files(self) -> int:
        """How many distinct contents are stored (for tests and diagnostics)."""
        return sum(1 for part in self.folder.iterdir() if part.is_dir() and part != self.temp_folder
                   for _ in part.iterdir())


# -- the descriptions ------------------------------------------------------------------------------

_COLUMNS = "id, conversation_id, message_id, name, size, content_type, sha256, content_id, inline"


@dataclass(frozen=True)
class AttachmentRow:
    id: str
    conversation_id: str
    message_id: str | None
    name: str
    size: int
    content_type: str
    sha256: str
    content_id: str
    inline: bool

    def wire(self) -> dict[str, Any]:
        """As a message record carries it (`domain.attachments.parse_attachment` reads this)."""
        return {"id": self.id, "name": self.name, "size": self.size, "content_type": self.content_type,
                "sha256": self.sha256, "content_id": self.content_id, "inline": self.inline}

    def upload_answer(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "size": self.size, "content_type": self.content_type,
                "sha256": self.sha256}


def _row(values: tuple[Any, ...]) -> AttachmentRow:
    ident, conversation_id, message_id, name, size, content_type, sha, content_id, inline = values
    return AttachmentRow(ident, conversation_id, message_id, name, size, content_type, sha, content_id, bool(inline))


def insert(conn: sqlite3.Connection, row: AttachmentRow, *, uploaded_by: str | None, created_at: str) -> None:
    conn.execute(f"INSERT INTO attachments ({_COLUMNS}, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (row.id, row.conversation_id, row.message_id, row.name, row.size, row.content_type, row.sha256,
                  row.content_id, int(row.inline), uploaded_by, created_at))


def get(conn: sqlite3.Connection, attachment_id: str) -> AttachmentRow | None:
    found = conn.execute(f"SELECT {_COLUMNS} FROM attachments WHERE id = ?", (attachment_id,)).fetchone()
    return _row(found) if found else None


def attach_to_message(conn: sqlite3.Connection, rows: list[AttachmentRow], message_id: str) -> None:
    conn.executemany("UPDATE attachments SET message_id = ? WHERE id = ? AND message_id IS NULL",
                     [(message_id, row.id) for row in rows])


def check_name(name: str) -> str:
    """A file name as sent, refused when empty, too long or holding NUL (shown names are cleaned by
    the client, `domain.attachments.display_name`; it is stored as the sender gave it)."""
    if not name.strip():
        raise ValueError("the file name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"the file name is longer than {MAX_NAME_LENGTH} characters")
    if "\x00" in name:
        raise ValueError("the file name holds a NUL character")
    return name


def waiting_uploads(conn: sqlite3.Connection, conversation_id: str, ids: list[str]) -> tuple[list[AttachmentRow], list[str]]:
    """The uploads `ids` of this conversation not yet on a message, in the order asked, and the ids
    that are not such an upload (unknown, of another conversation, already sent, or named twice)."""
    rows: list[AttachmentRow] = []
    refused: list[str] = []
    for attachment_id in ids:
        row = get(conn, attachment_id)
        if (row is None or row.conversation_id != conversation_id or row.message_id is not None
                or any(taken.id == attachment_id for taken in rows)):
            refused.append(attachment_id)
        else:
            rows.append(row)
    return rows, refused
