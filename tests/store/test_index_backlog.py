"""A full sync writes messages unindexed and indexes them afterwards, chunk by chunk.

What must hold: rows up to the watermark are indexed exactly once with their current body, rows
past it are not indexed until the backlog reaches them, search finds both kinds meanwhile, and
the bulk writer stores exactly what the row-by-row writer stores.
"""

from __future__ import annotations

from agent_desktop.store import fts, search
from tests.store.factories import apply_batch

from .factories import apply, at, conversation, customer, delete, fts_rowids, message


def _start_full_sync(db, changes, bulk: bool = True):  # type: ignore[no-untyped-def]
    def write(conn):  # type: ignore[no-untyped-def]
        fts.start_backlog(conn)
        with fts.backlog_known(0):
            return apply_batch(conn, changes, "c1", bulk_messages=bulk)
    return db.write_sync(write)


def _finish_backlog(db, limit: int = 2):  # type: ignore[no-untyped-def]
    steps = []
    while (step := db.write_sync(fts.index_backlog, limit)) is not None:
        steps.append(step)
    return steps


def _page(count: int = 7) -> list[dict]:
    return [customer("cu-1", "王伟"), conversation("cv-1", subject="退款"),
            *(message(f"m-{i}", "cv-1", f"第{i}条 退款 refund number{i}", at(i)) for i in range(count))]


def test_a_full_sync_leaves_messages_unindexed_until_the_backlog_runs(db):
    result = _start_full_sync(db, _page())
    assert result.applied == 9 and result.conversation_ids == {"cv-1"}
    assert fts.indexed_upto(db.reader()) == 0
    assert fts_rowids(db, "messages_fts", '"退 款"') == []

    steps = _finish_backlog(db, limit=3)
    assert [done for done, _ in steps] == [3, 6] and all(total == 7 for _, total in steps)
    assert fts.indexed_upto(db.reader()) is None
    assert len(fts_rowids(db, "messages_fts", '"退 款"')) == 7


def test_search_finds_messages_the_backlog_has_not_reached_yet(db):
    _start_full_sync(db, _page())
    db.write_sync(fts.index_backlog, 4)  # m-0 … m-3 indexed, m-4 … m-6 not yet
    reader = db.reader()
    assert fts.indexed_upto(reader) is not None

    found = [hit["id"] for hit in search.messages(reader, "退款")]
    assert found == [f"m-{i}" for i in range(6, -1, -1)]  # newest first, both halves
    assert [hit["id"] for hit in search.messages(reader, "number5")] == ["m-5"]  # past the watermark
    assert [hit["id"] for hit in search.messages(reader, "number1")] == ["m-1"]  # indexed
    assert [hit["id"] for hit in search.messages(reader, "退款", limit=2)] == ["m-6", "m-5"]
    assert search.messages(reader, "100%_off") == []  # LIKE wildcards in the query are literal


def test_changes_during_the_backlog_keep_the_index_exact(db):
    _start_full_sync(db, _page())
    db.write_sync(fts.index_backlog, 4)  # rowids 1-4 indexed
    # A later incremental page edits one indexed and one unindexed message and deletes another.
    apply(db, [message("m-1", "cv-1", "发票 invoice", at(1), version=2),
               message("m-5", "cv-1", "地址 address", at(5), version=2),
               delete("message", "m-2")])
    _finish_backlog(db)
    assert fts_rowids(db, "messages_fts", "refund") == [1 + i for i in (0, 3, 4, 6)]  # m-0, m-3, m-4, m-6
    assert len(fts_rowids(db, "messages_fts", "invoice")) == 1
    assert len(fts_rowids(db, "messages_fts", "address")) == 1
    indexed = db.reader().execute("SELECT count(*) FROM messages_fts_docsize").fetchone()[0]
    assert indexed == db.reader().execute("SELECT count(*) FROM messages").fetchone()[0] == 6


def _table(db) -> list[tuple]:  # type: ignore[no-untyped-def]
    return db.reader().execute(
        "SELECT id, conversation_id, kind, direction, author_id, author_name, body, created_at, version, "
        "idempotency_key, pending FROM messages ORDER BY id").fetchall()


def test_the_bulk_writer_stores_what_the_row_writer_stores(tmp_path):
    from agent_desktop.store import Database

    page = [customer("cu-1", "王伟"), conversation("cv-1"),
            message("m-1", "cv-1", "hello", at(1), author_id="a-1", author_name="Li", idempotency_key="k-1"),
            message("m-2", "cv-1", "first", at(2)),
            {"entity": "message", "id": "m-bad", "op": "upsert", "data": {"conversation_id": "cv-1"}},
            "not a change",
            message("m-2", "cv-1", "second version", at(2), version=2),  # the same id twice in one page
            delete("message", "m-1"), message("m-1", "cv-1", "back again", at(3)),
            message("m-3", "cv-1", "12:00 local time", "2026-11-22T20:00:00+08:00")]
    results, tables = [], []
    for bulk in (False, True):
        db = Database(tmp_path / f"{bulk}.sqlite3")
        # An optimistic local reply whose server copy (m-1, same idempotency key) arrives in the page.
        db.write_sync(lambda conn: conn.execute(
            "INSERT INTO messages(id, conversation_id, kind, direction, body, created_at, idempotency_key, pending) "
            "VALUES('local:k-1', 'cv-1', 'reply', 'out', 'hello', ?, 'k-1', 1)", (at(1),)))
        results.append(_start_full_sync(db, page, bulk=bulk))
        tables.append(_table(db))
        db.close()
    assert tables[0] == tables[1]
    assert [row[0] for row in tables[1]] == ["m-1", "m-2", "m-3"]  # the local copy was replaced
    assert tables[1][1][6] == "second version" and tables[1][2][7] == "2026-11-22T12:00:00.000Z"
    assert (results[0].applied, results[0].invalid) == (results[1].applied, results[1].invalid) == (8, 2)
    assert results[0].conversation_ids == results[1].conversation_ids == {"cv-1"}


def test_an_index_started_by_an_earlier_build_is_rebuilt_from_scratch(db):
    apply(db, _page(3))  # indexed row by row, as before a full sync
    db.write_sync(lambda conn: conn.execute("INSERT INTO meta(key, value) VALUES('fts.messages_rebuild', '1')"))
    assert fts.indexed_upto(db.reader()) == 0
    _finish_backlog(db)
    assert len(fts_rowids(db, "messages_fts", '"退 款"')) == 3  # once each, not twice


def test_an_interrupted_earlier_build_never_returns_a_message_twice(db):
    apply(db, _page(3))  # indexed row by row, by an earlier build
    db.write_sync(lambda conn: conn.execute("INSERT INTO meta(key, value) VALUES('fts.messages_rebuild', '1')"))
    found = [hit["id"] for hit in search.messages(db.reader(), "退款")]
    assert found == ["m-2", "m-1", "m-0"]  # by substring meanwhile, each once


def test_search_reads_the_index_only_up_to_the_watermark_it_used(db):
    """A chunk committed between the substring read and the index read must not match twice."""
    _start_full_sync(db, _page(6))
    db.write_sync(fts.index_backlog, 2)
    reader = db.reader()
    real = fts.indexed_upto

    moved: list[bool] = []

    def stale(conn):  # type: ignore[no-untyped-def]
        upto = real(conn)
        if conn is reader and not moved:  # search's read, not the writer's own
            moved.append(True)
            db.write_sync(fts.index_backlog, 2)  # the indexer moves on right after search read the watermark
        return upto

    fts_indexed_upto = search.fts.indexed_upto
    search.fts.indexed_upto = stale
    try:
        found = [hit["id"] for hit in search.messages(reader, "退款")]
    finally:
        search.fts.indexed_upto = fts_indexed_upto
    assert found == [f"m-{i}" for i in range(5, -1, -1)]
