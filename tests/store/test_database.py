"""Opening the cache: schema migrations, reopening, refusing newer schemas, WAL, transactions."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlite_utils

from agent_desktop.store import Database, StoreError, meta
from agent_desktop.store.migrations import MIGRATIONS, migrate

from .factories import apply, conversation, customer

TABLES = {"meta", "customers", "conversations", "messages", "queues", "agents", "outbox", "drafts",
          "invalid_records", "messages_fts", "customers_fts", "conversations_fts", "customers_rowid",
          "conversations_rowid"}


def user_version(path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def writer_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("db-writer"))


def test_migrations_create_schema_and_set_user_version(db: Database) -> None:
    names = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type IN ('table')")}
    assert TABLES <= names
    indexes = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"conv_open_sla", "conv_assignee_sla", "conv_queue_sla", "conv_channel_sla",
            "msg_idempotency", "outbox_state"} <= indexes
    assert db.reader().execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= 1


def test_wal_mode_and_foreign_keys(db: Database, tmp_path) -> None:
    assert db.reader().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    apply(db, [customer("cu-1")])
    assert (tmp_path / "cache.db-wal").exists()


def test_reopening_is_idempotent_and_keeps_data(tmp_path) -> None:
    path = tmp_path / "cache.db"
    first = Database(path)
    apply(first, [customer("cu-1", "王伟"), conversation("cv-1", subject="退款")], cursor="c-42")
    first.close()
    version = user_version(path)

    second = Database(path)
    try:
        assert user_version(path) == version == len(MIGRATIONS)
        assert second.query("SELECT name FROM customers") == [{"name": "王伟"}]
        assert meta.get(second.reader(), meta.CURSOR) == "c-42"
        # migrating an up-to-date file again is a no-op
        extra = sqlite3.connect(str(path), isolation_level=None)
        try:
            assert migrate(sqlite_utils.Database(extra)) == len(MIGRATIONS)
        finally:
            extra.close()
        assert second.query("SELECT count(*) AS n FROM conversations") == [{"n": 1}]
    finally:
        second.close()


def test_a_cache_written_by_a_newer_app_is_refused_untouched(tmp_path) -> None:
    path = tmp_path / "cache.db"
    conn = sqlite3.connect(str(path))
    conn.execute("CREATE TABLE future(x)")
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 5}")
    conn.commit()
    conn.close()

    with pytest.raises(RuntimeError, match="newer Agent Desktop"):
        Database(path)

    assert user_version(path) == len(MIGRATIONS) + 5
    conn = sqlite3.connect(str(path))
    names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert names == {"future"}  # nothing of our schema was written over it


def test_a_refused_open_leaves_no_writer_thread_behind(tmp_path) -> None:
    path = tmp_path / "cache.db"
    conn = sqlite3.connect(str(path))
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    conn.close()
    before = writer_threads()
    with pytest.raises(RuntimeError):
        Database(path)
    assert writer_threads() == before


def test_a_file_that_is_not_a_database_raises_store_error(tmp_path) -> None:
    path = tmp_path / "cache.db"
    path.write_bytes(b"this is certainly not an sqlite file " * 200)
    with pytest.raises(StoreError, match="cannot open the local cache"):
        Database(path)


def test_write_sync_returns_the_function_result(db: Database) -> None:
    assert db.write_sync(lambda conn, a, b: a + b, 2, 3) == 5


def test_a_write_that_raises_rolls_back_everything(db: Database) -> None:
    def half_done(conn: sqlite3.Connection) -> None:
        meta.put(conn, "k1", "v1")
        conn.execute("INSERT INTO customers(id, name, version) VALUES('cu-x', 'x', 1)")
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        db.write_sync(half_done)
    assert meta.get(db.reader(), "k1") is None
    assert db.query("SELECT count(*) AS n FROM customers") == [{"n": 0}]
    # the writer is usable again afterwards
    db.write_sync(meta.put, "k2", "v2")
    assert meta.get(db.reader(), "k2") == "v2"


def test_readers_cannot_write(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError):
        db.reader().execute("INSERT INTO meta(key, value) VALUES('x', 'y')")


def test_write_after_close_is_refused(tmp_path) -> None:
    database = Database(tmp_path / "cache.db")
    database.close()
    database.close()  # twice is harmless
    with pytest.raises(StoreError, match="closed"):
        database.write_sync(meta.put, "k", "v")


def test_read_after_close_raises_store_error(tmp_path) -> None:
    database = Database(tmp_path / "cache.db")
    database.query("SELECT 1")
    database.close()
    with pytest.raises(StoreError):
        database.query("SELECT 1")


def test_meta_put_get_and_delete(db: Database) -> None:
    db.write_sync(meta.put, meta.AGENT_ID, "ag-1")
    db.write_sync(meta.put, meta.AGENT_ID, "ag-2")
    assert meta.get(db.reader(), meta.AGENT_ID) == "ag-2"
    db.write_sync(meta.put, meta.AGENT_ID, None)
    assert meta.get(db.reader(), meta.AGENT_ID) is None
