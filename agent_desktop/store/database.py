"""Connections, the writer thread and transactions.

SQLite allows one writer at a time and a connection may only be used on the thread that made
it, so every write runs on one dedicated thread inside `BEGIN IMMEDIATE … COMMIT`; readers get
their own connection per thread. WAL lets readers see committed data while a sync batch is
being written. `synchronous=FULL` makes each commit durable: outbox rows and drafts survive a
killed process or a power cut once the UI has shown them as saved.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .migrations import migrate, needs_migration

T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000


class StoreError(RuntimeError):
    """The cache could not be read or written; the message says what to do."""


def _connect(path: Path, *, any_thread_may_close: bool = False) -> sqlite3.Connection:
    # Readers are used only on their own thread, but close() may come from another one.
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=not any_thread_may_close,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


_STORAGE_TROUBLE = ("full", "disk i/o", "readonly", "read-only", "unable to open", "malformed", "not a database")


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # SQLite already rolled back (it does on SQLITE_FULL / IOERR)


def _storage_error(exc: sqlite3.OperationalError) -> Exception:
    """A sentence the agent can act on for disk trouble; anything else (a bug) stays as it is."""
    text = str(exc).lower()
    if "full" in text:
        return StoreError("the disk is full: the last change was not saved (everything saved before is safe). "
                          "Free some disk space and try again.")
    if any(marker in text for marker in _STORAGE_TROUBLE):
        return StoreError(f"could not save to the local cache ({exc}); everything saved before is safe")
    if "locked" in text or "busy" in text:
        return StoreError(f"the local cache is busy ({exc}); try again")
    return exc


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def damage_marker(path: Path) -> Path:
    """A file beside the cache saying it must be rebuilt at the next start (see store/recovery.py)."""
    return path.with_name(path.name + ".damaged")


def _raise_storage(exc: sqlite3.OperationalError) -> None:
    mapped = _storage_error(exc)
    if mapped is exc:
        raise exc
    raise mapped from exc


class Database:
    """The local cache file: `write()` runs on the writer thread, `reader()` is per thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._writer_conn: sqlite3.Connection | None = None
        self._closed = False
        # Open and migrate on the writer thread so its connection lives there.
        try:
            self._writer.submit(self._open_writer).result()
        except BaseException:
            self._writer.shutdown(wait=True)
            raise

    # -- writer ---------------------------------------------------------------------------------
    def _open_writer(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            conn = _connect(self.path)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            if needs_migration(conn):
                import sqlite_utils  # only now: it costs ~160 ms of imports on every start otherwise

                migrate(sqlite_utils.Database(conn))
        except (sqlite3.DatabaseError, RuntimeError) as exc:
            if conn is not None:
                conn.close()
            raise StoreError(f"cannot open the local cache {self.path}: {exc}") from exc
        self._writer_conn = conn

    def _run_write(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        conn = self._writer_conn
        assert conn is not None
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            _raise_storage(exc)
        try:
            result = fn(conn, *args)
        except sqlite3.OperationalError as exc:  # disk full mid-transaction: nothing of it is kept
            _rollback(conn)
            _raise_storage(exc)
        except sqlite3.DatabaseError as exc:
            _rollback(conn)
            if not _is_corruption(exc):
                raise
            self.mark_damaged(str(exc))
            raise StoreError("the local cache is damaged; restart Agent Desktop to rebuild it from the server "
                             "(unsent replies and drafts are kept)") from exc
        except BaseException:
            _rollback(conn)
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # e.g. disk full: nothing of this transaction is kept
            _rollback(conn)
            _raise_storage(exc)
        return result

    def write(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run `fn(conn, *args)` in one write transaction on the writer thread."""
        if self._closed:
            raise StoreError("the local cache is closed")
        return self._writer.submit(self._run_write, fn, args)

    def write_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """`write()` and wait: for worker threads and tests, never for the GUI thread."""
        return self.write(fn, *args).result()

    # -- readers --------------------------------------------------------------------------------
    def reader(self) -> sqlite3.Connection:
        """This thread's read connection (created on first use)."""
        if self._closed:
            raise StoreError("the local cache is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path, any_thread_may_close=True)
            conn.execute("PRAGMA query_only=ON")
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        conn = self.reader()
        cursor = conn.execute(sql, params)
        columns = [d[0] for d in cursor.description or ()]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]  # type: ignore[misc]

    def mark_damaged(self, reason: str) -> None:
        """SQLite found corruption while working: rebuild the cache at the next start."""
        try:
            damage_marker(self.path).write_text(reason[:500], encoding="utf-8")
        except OSError:
            pass  # the disk is failing too; the next open will find the damage itself

    def integrity_check(self) -> str:
        return self.reader().execute("PRAGMA integrity_check").fetchone()[0]

    def quick_check(self) -> str:
        """'ok', or the first problem SQLite finds (a faster integrity_check, for diagnostics)."""
        try:
            return self.reader().execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            return str(exc)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        def close_writer() -> None:
            if self._writer_conn is not None:
                self._writer_conn.close()
                self._writer_conn = None

        self._writer.submit(close_writer).result()
        self._writer.shutdown(wait=True)
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
