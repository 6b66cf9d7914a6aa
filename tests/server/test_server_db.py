"""Storage rules behind the feed: versions, tombstones, compaction, and writes from many threads."""

from __future__ import annotations

import threading
from pathlib import Path

from agent_desktop.server import db as store
from agent_desktop.server.db import Database


def _feed(database: Database, after: int = 0) -> list[store.FeedRow]:
    return database.feed(after, 2000).rows


def test_each_write_bumps_the_version_and_moves_the_record_to_the_end(tmp_path: Path) -> None:
    database = Database(tmp_path / "s.sqlite3")
    with database.transaction() as conn:
        first = store.store(conn, "queue", "q-a", {"name": "A"})
        store.store(conn, "queue", "q-b", {"name": "B"})
        second = store.store(conn, "queue", "q-a", {"name": "A2"})
    assert (first["version"], second["version"]) == (1, 2)
    rows = _feed(database)
    assert [(r.entity_id, r.version) for r in rows] == [("q-b", 1), ("q-a", 2)]
    assert rows[-1].data_json is not None and '"A2"' in rows[-1].data_json
    database.close()


def test_delete_leaves_a_tombstone_and_compaction_drops_old_ones(tmp_path: Path) -> None:
    database = Database(tmp_path / "s.sqlite3")
    with database.transaction() as conn:
        store.store(conn, "queue", "q-a", {"name": "A"})
        store.store(conn, "queue", "q-b", {"name": "B"})
        assert store.delete(conn, "queue", "q-a") == 2
        assert store.delete(conn, "queue", "q-missing") is None
    rows = _feed(database)
    assert [(r.entity_id, r.op, r.version, r.data_json) for r in rows] == [
        ("q-b", "upsert", 1, rows[0].data_json), ("q-a", "delete", 2, None)]
    with database.transaction() as conn:  # re-created: its version continues past the tombstone
        assert store.store(conn, "queue", "q-a", {"name": "A again"})["version"] == 3
        store.delete(conn, "queue", "q-b")
    last = database.last_seq()
    database.compact(last + 1)
    assert database.min_cursor() == last + 1
    assert [(r.entity_id, r.op) for r in _feed(database)] == [("q-a", "upsert")]
    database.compact(1)  # the horizon never moves back
    assert database.min_cursor() == last + 1
    database.close()


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    database = Database(tmp_path / "s.sqlite3")
    try:
        with database.transaction() as conn:
            store.store(conn, "queue", "q-a", {"name": "A"})
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert _feed(database) == [] and database.get("queue", "q-a") is None
    database.close()


def test_concurrent_writers_and_readers(tmp_path: Path) -> None:
    database = Database(tmp_path / "s.sqlite3")
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(50):
                with database.transaction() as conn:
                    store.store(conn, "queue", f"q-{worker}-{n % 5}", {"name": str(n)})
                database.get("queue", f"q-{worker}-0")
                database.feed(0, 10)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = _feed(database)
    assert len(rows) == 40 and database.last_seq() == 400
    assert all(row.version == 10 for row in rows)
    database.close()


def test_contacts_match_by_digits_and_case(tmp_path: Path) -> None:
    database = Database(tmp_path / "s.sqlite3")
    with database.transaction() as conn:
        store.index_contacts(conn, "c-1", {"phones": ["+86 138 0013 8000"], "emails": ["Wang.Wei@QQ.com"],
                                           "handles": ["@wangwei"]})
        store.index_contacts(conn, "c-2", {"phones": ["+86 13800138000"]})  # first owner keeps it
        assert store.find_customer(conn, "phone", "+8613800138000") == "c-1"
        assert store.find_customer(conn, "email", "wang.wei@qq.com ") == "c-1"
        assert store.find_customer(conn, "handle", "WangWei") == "c-1"
        assert store.find_customer(conn, "phone", "") is None
    database.close()
