"""The attachment cache: file bytes on disk by sha256, their use and pins in the cache database.

Files live at `<folder>/<sha[:2]>/<sha256>` and are written only whole: bytes go to a temporary
file in the same folder (same file system), are flushed to disk, hashed as they pass, and only
then renamed into place, so a killed process or a full disk never leaves a half file under a
real name. The `blobs` table says how big each file is, when it was last used (least recently
used goes first when the cache is over its quota) and how many holders pin it: a file staged
for a reply, or waiting in the outbox with one, is never evicted. Blocking: call off the GUI
thread (each write waits for the writer thread; never call from inside `db.write`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, BinaryIO

from .database import Database

DEFAULT_QUOTA = 512 * 1024 * 1024
CHUNK = 256 * 1024
_SHA = re.compile(r"^[0-9a-f]{64}$")
_TEMP_PREFIX = ".incoming-"


class BlobError(OSError):
    """The file could not be put into the attachment cache; the message says why."""


class DiskFull(BlobError):
    """The disk filled up while a file was written: nothing of it was kept."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(errno.ENOSPC, "the disk is full: the file was not saved (nothing half-written was kept). "
                                       "Free some disk space and try again." + (f" ({detail})" if detail else ""))


class BlobMismatch(BlobError):
    """The bytes are not the file they claim to be (their sha256 differs): refused."""


class BlobTooLarge(BlobError):
    """More bytes came than allowed for this file: refused, nothing kept."""


def valid_sha(sha: str) -> bool:
    return bool(_SHA.match(sha))


# -- rows (run inside a write transaction) ---------------------------------------------------------

def record(conn: sqlite3.Connection, sha: str, size: int, pins: int = 0) -> None:
    conn.execute("INSERT INTO blobs(sha256, size, last_used, pinned) VALUES(?,?,?,?) ON CONFLICT(sha256) DO UPDATE "
                 "SET size=excluded.size, last_used=excluded.last_used, pinned=pinned+excluded.pinned",
                 (sha, size, time.time(), pins))


def pin_in(conn: sqlite3.Connection, sha: str, by: int = 1) -> None:
    """Add (or with a negative `by`, remove) holders of a file; never below none."""
    conn.execute("UPDATE blobs SET pinned=max(0, pinned+?) WHERE sha256=?", (by, sha))


def is_stored(conn: sqlite3.Connection, sha: str) -> bool:
    return conn.execute("SELECT 1 FROM blobs WHERE sha256=?", (sha,)).fetchone() is not None


def _touch(conn: sqlite3.Connection, sha: str) -> None:
    conn.execute("UPDATE blobs SET last_used=? WHERE sha256=?", (time.time(), sha))


def _forget(conn: sqlite3.Connection, sha: str) -> None:
    conn.execute("DELETE FROM blobs WHERE sha256=?", (sha,))
    conn.execute("DELETE FROM attachment_blobs WHERE sha256=?", (sha,))


# A file an outbox item still names is kept even if its pin was lost (a process killed between
# staging and queueing, a cache rebuilt): the outbox is the truth about what must still go out.
_IN_OUTBOX = ("EXISTS (SELECT 1 FROM outbox o, json_each(o.payload, '$.files') f "
              "WHERE json_extract(f.value, '$.sha256') = b.sha256)")


def _choose_evictions(conn: sqlite3.Connection, quota: int) -> list[str]:
    total = conn.execute("SELECT coalesce(sum(size), 0) FROM blobs").fetchone()[0]
    chosen: list[str] = []
    if total <= quota:
        return chosen
    for sha, size in conn.execute(f"SELECT sha256, size FROM blobs b WHERE pinned = 0 AND NOT {_IN_OUTBOX} "
                                  "ORDER BY last_used, sha256"):
        if total <= quota:
            break
        chosen.append(sha)
        total -= size
    for sha in chosen:
        _forget(conn, sha)
    return chosen


def repair_pins(conn: sqlite3.Connection) -> None:
    """At session start: every file is pinned once per outbox item that still names it, and by
    nothing else (a tray of staged files does not outlive the process that staged them)."""
    conn.execute("UPDATE blobs SET pinned = (SELECT count(*) FROM outbox o, json_each(o.payload, '$.files') f "
                 "WHERE json_extract(f.value, '$.sha256') = blobs.sha256)")


# -- the files ---------------------------------------------------------------------------------------

Opener = Callable[[Path], IO[bytes]]


def _open_for_writing(path: Path) -> IO[bytes]:
    return open(path, "r+b")


class Incoming:
    """A file being written into the cache (`BlobStore.incoming`): write bytes, then it is kept
    under its sha256 when the block ends without an error, and removed when it does not."""

    def __init__(self, store: BlobStore, expected_sha: str | None, limit: int | None, pin: bool) -> None:
        self._store = store
        self._pin = pin
        self._expected = expected_sha.lower() if expected_sha else None
        self._limit = limit
        self._hash = hashlib.sha256()
        self.size = 0
        self.sha256 = ""
        fd, name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=store.folder)
        os.close(fd)
        self._temp = Path(name)
        try:
            self._out = store.opener(self._temp)
        except BaseException:
            self._temp.unlink(missing_ok=True)
            raise

    # The file-object surface adapters use as a download's `dest`.
    def write(self, data: bytes | bytearray | memoryview) -> int:
        chunk = bytes(data)
        if self._limit is not None and self.size + len(chunk) > self._limit:
            raise BlobTooLarge(errno.EFBIG, f"the file is larger than the {self._limit} bytes allowed")
        try:
            self._out.write(chunk)
        except OSError as exc:
            raise _mapped(exc) from exc
        self._hash.update(chunk)
        self.size += len(chunk)
        return len(chunk)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        pass  # flushed (and synced) once, when the file is complete

    def tell(self) -> int:
        return self.size

    def __enter__(self) -> Incoming:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if kind is None:
                self._finish()
        finally:
            self._close_quietly()
            self._temp.unlink(missing_ok=True)   # kept files were renamed away already

    def _close_quietly(self) -> None:
        try:
            self._out.close()
        except OSError:
            pass

    def _finish(self) -> None:
        try:
            self._out.flush()
            os.fsync(self._out.fileno())
        except OSError as exc:
            raise _mapped(exc) from exc
        self.sha256 = self._hash.hexdigest()
        if self._expected is not None and self._expected != self.sha256:
            raise BlobMismatch(errno.EINVAL, f"the file's sha256 is {self.sha256}, not {self._expected}: refused")
        self._close_quietly()
        self._store._adopt(self._temp, self.sha256, self.size, 1 if self._pin else 0)


def _mapped(exc: OSError) -> OSError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(exc.strerror or "")
    return exc


class BlobStore:
    """The attachment files of one cache (one server and agent): `folder` holds them, `db` their rows."""

    def __init__(self, folder: Path, db: Database, *, opener: Opener = _open_for_writing) -> None:
        self.folder = Path(folder)
        self.db = db
        self.opener = opener   # how a temporary file is opened for writing (a test fills the disk)
        self.folder.mkdir(parents=True, exist_ok=True)
        # One lock for renaming into place and for evicting, so a file being evicted is never the
        # one just written again (content-addressed: the same sha is the same path).
        self._files = threading.Lock()

    def file_of(self, sha: str) -> Path:
        if not valid_sha(sha):
            raise ValueError(f"not a sha256: {sha!r:.80}")
        return self.folder / sha[:2] / sha

    # -- writing ---------------------------------------------------------------------------------
    def incoming(self, expected_sha: str | None = None, *, limit: int | None = None, pin: bool = False) -> Incoming:
        """A sink for bytes (`with store.incoming() as sink: sink.write(...)`), kept once complete;
        `pin`: held from the moment it is known (no eviction can come between)."""
        return Incoming(self, expected_sha, limit, pin)

    def put_stream(self, src: BinaryIO, expected_sha: str | None = None, *, limit: int | None = None,
                   pin: bool = False, progress: Callable[[int], None] | None = None) -> tuple[str, int]:
        """Copy `src` (read in chunks, never whole) into the cache; returns (sha256, size).

        Raises DiskFull, BlobMismatch (not `expected_sha`) or BlobTooLarge; then nothing is kept.
        `pin`: the file is held (a staged attachment) until `unpin`.
        """
        with self.incoming(expected_sha, limit=limit, pin=pin) as sink:
            while chunk := src.read(CHUNK):
                sink.write(chunk)
                if progress is not None:
                    progress(sink.size)
        return sink.sha256, sink.size

    def put_bytes(self, data: bytes, expected_sha: str | None = None, *, pin: bool = False) -> tuple[str, int]:
        with self.incoming(expected_sha, pin=pin) as sink:
            sink.write(data)
        return sink.sha256, sink.size

    def _adopt(self, temp: Path, sha: str, size: int, pins: int) -> None:
        final = self.file_of(sha)
        with self._files:
            final.parent.mkdir(exist_ok=True)
            os.replace(temp, final)   # atomic: the old copy (same bytes) or the new one, never half
            self.db.write_sync(record, sha, size, pins)

    # -- reading ---------------------------------------------------------------------------------
    def path(self, sha: str) -> Path | None:
        """The cached file, or None. Marks it used (the write is queued, not awaited)."""
        if not valid_sha(sha):
            return None
        final = self.file_of(sha)
        if not final.is_file():
            if is_stored(self.db.reader(), sha):
                self.db.write(_forget, sha)   # removed behind our back: forget it too
            return None
        if is_stored(self.db.reader(), sha):
            self.db.write(_touch, sha)
        else:   # kept on disk but not known (an eviction that could not remove it): known again
            self.db.write(record, sha, final.stat().st_size)
        return final

    def contains(self, sha: str) -> bool:
        return valid_sha(sha) and self.file_of(sha).is_file()

    def total_bytes(self) -> int:
        return self.db.reader().execute("SELECT coalesce(sum(size), 0) FROM blobs").fetchone()[0]

    def count(self) -> int:
        return self.db.reader().execute("SELECT count(*) FROM blobs").fetchone()[0]

    def pinned(self, sha: str) -> int:
        row = self.db.reader().execute("SELECT pinned FROM blobs WHERE sha256=?", (sha,)).fetchone()
        return int(row[0]) if row else 0

    # -- holding and letting go --------------------------------------------------------------------
    def pin(self, sha: str) -> None:
        self.db.write_sync(pin_in, sha, 1)

    def unpin(self, sha: str) -> None:
        self.db.write_sync(pin_in, sha, -1)

    def remember(self, attachment_id: str, sha: str) -> None:
        """This attachment (of a backend that gave no sha256) is the cached file `sha`."""
        self.db.write_sync(lambda conn: conn.execute(
            "INSERT INTO attachment_blobs(attachment_id, sha256) VALUES(?,?) ON CONFLICT(attachment_id) "
            "DO UPDATE SET sha256=excluded.sha256", (attachment_id, sha)))

    def sha_of(self, attachment_id: str) -> str | None:
        row = self.db.reader().execute("SELECT sha256 FROM attachment_blobs WHERE attachment_id=?",
                                       (attachment_id,)).fetchone()
        return str(row[0]) if row else None

    def evict(self, quota: int = DEFAULT_QUOTA) -> int:
        """Remove least recently used files until the cache fits `quota`; pinned files and files
        of queued replies stay even if it then does not. Returns the bytes freed."""
        with self._files:
            before = self.total_bytes()
            chosen = self.db.write_sync(_choose_evictions, quota)
            for sha in chosen:
                try:
                    self.file_of(sha).unlink(missing_ok=True)
                except OSError:
                    pass   # open elsewhere (Windows): its row is gone, so it is rewritten if needed
        return before - self.total_bytes() if chosen else 0

    def remove_leftovers(self) -> int:
        """Temporary files of writes a killed process never finished; returns how many went."""
        removed = 0
        for temp in self.folder.glob(_TEMP_PREFIX + "*"):
            temp.unlink(missing_ok=True)
            removed += 1
        return removed


__all__ = ["BlobStore", "BlobError", "BlobMismatch", "BlobTooLarge", "DiskFull", "DEFAULT_QUOTA", "Incoming",
           "pin_in", "record", "repair_pins", "valid_sha", "is_stored"]
