"""apply_batch: valid records land, malformed ones are skipped and recorded, the cursor always moves."""

from __future__ import annotations

import json

import pytest

from agent_desktop.store import Database, meta
from agent_desktop.store import search as store_search

from .factories import (
    agent,
    apply,
    apply_batch,
    at,
    conversation,
    customer,
    delete,
    fts_rowids,
    message,
    queue,
)


def invalid_rows(db: Database) -> list[dict]:
    return db.query("SELECT entity, entity_id, error FROM invalid_records ORDER BY id")


def count(db: Database, table: str) -> int:
    return db.query(f"SELECT count(*) AS n FROM {table}")[0]["n"]


def test_a_full_batch_lands_with_its_cursor(db: Database) -> None:
    result = apply(db, [
        queue("q-1", "账单", name_en="Billing"),
        agent("ag-1", "Agent One", role="agent", queue_ids=["q-1"]),
        customer("cu-1", "王伟", tier="vip", phones=["+86 13812345678"]),
        conversation("cv-1", "cu-1", queue_id="q-1", assignee_id="ag-1", subject="退款",
                     resolution_due="2026-11-22T18:00:00+08:00"),
        message("m-1", "cv-1", "我想申请退款"),
    ], cursor="c-1")
    assert (result.applied, result.invalid, result.ignored) == (5, 0, 0)
    assert result.conversation_ids == {"cv-1"}
    assert result.customer_ids == {"cu-1"}
    assert result.entities == {"queue", "agent", "customer", "conversation", "message"}
    assert meta.get(db.reader(), meta.CURSOR) == "c-1"
    assert meta.get(db.reader(), meta.LAST_SYNC_AT) is not None
    row = db.query("SELECT status, resolution_due, sla_due, is_open, tags FROM conversations WHERE id='cv-1'")[0]
    assert row == {"status": "open", "resolution_due": "2026-11-22T10:00:00.000Z",
                   "sla_due": "2026-11-22T10:00:00.000Z", "is_open": 1, "tags": "[]"}
    assert json.loads(db.query("SELECT phones FROM customers")[0]["phones"]) == ["+86 13812345678"]
    assert db.query("SELECT queue_ids FROM agents")[0]["queue_ids"] == '["q-1"]'


def test_malformed_records_are_skipped_and_recorded_the_rest_applies(db: Database) -> None:
    result = apply(db, [
        customer("cu-1", "Good Customer"),
        conversation("cv-bad-channel", "cu-1", channel="fax"),
        conversation("cv-1", "cu-1", subject="good"),
        message("m-bad", "cv-1", "no direction", direction=None),
        {"entity": "message", "id": "m-no-data", "op": "upsert"},
        "not even an object",
        {"entity": "customer", "id": "x" * 129, "op": "upsert", "data": {"name": "n", "version": 1}},
        {"entity": "customer", "op": "upsert", "data": {"name": "n", "version": 1}},
        {"entity": 7, "id": "cu-7", "op": "upsert"},
        {"entity": "customer", "id": "cu-9", "op": "merge", "data": {"name": "n", "version": 1}},
        customer("cu-bad-version", "v", version=1) | {"data": {"name": "v", "version": "1"}},
        message("m-1", "cv-1", "good message"),
    ], cursor="c-2")
    assert result.applied == 3
    assert result.invalid == 9
    assert meta.get(db.reader(), meta.CURSOR) == "c-2"
    assert {r["id"] for r in db.query("SELECT id FROM conversations")} == {"cv-1"}
    assert {r["id"] for r in db.query("SELECT id FROM messages")} == {"m-1"}
    assert {r["id"] for r in db.query("SELECT id FROM customers")} == {"cu-1"}
    rows = invalid_rows(db)
    assert len(rows) == 9
    by_id = {r["entity_id"]: r for r in rows}
    assert by_id["cv-bad-channel"]["entity"] == "conversation" and "channel" in by_id["cv-bad-channel"]["error"]
    assert "direction" in by_id["m-bad"]["error"]
    assert "object" in by_id["m-no-data"]["error"]
    assert "op" in by_id["cu-9"]["error"]
    assert "version" in by_id["cu-bad-version"]["error"]
    assert all(len(r["entity_id"]) <= 128 for r in rows)


def test_unknown_entities_are_ignored_not_invalid(db: Database) -> None:
    result = apply(db, [
        {"entity": "wormhole", "id": "w-1", "op": "upsert", "data": {"title": "x"}},
        {"entity": "time_machine", "id": "tm-1", "op": "delete"},
        {"entity": "hologram", "id": "h-1", "op": "upsert", "data": None},
        customer("cu-1"),
    ], cursor="c-3")
    assert (result.applied, result.invalid, result.ignored) == (1, 0, 3)
    assert invalid_rows(db) == []
    assert meta.get(db.reader(), meta.CURSOR) == "c-3"


def test_an_all_invalid_batch_still_moves_the_cursor(db: Database) -> None:
    apply(db, [customer("cu-1")], cursor="c-1")
    result = apply(db, [conversation("cv-1", status="lost")], cursor="c-2")
    assert result.invalid == 1 and result.applied == 0
    assert meta.get(db.reader(), meta.CURSOR) == "c-2"


def test_a_none_cursor_keeps_the_old_one(db: Database) -> None:
    apply(db, [], cursor="c-1")
    apply(db, [customer("cu-1")], cursor=None)
    assert meta.get(db.reader(), meta.CURSOR) == "c-1"


def test_a_stale_conversation_version_does_not_overwrite(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1", version=5, status="pending", subject="新的 fresh")])
    apply(db, [conversation("cv-1", version=3, status="open", subject="旧的 stale")])
    row = db.query("SELECT version, status, subject FROM conversations WHERE id='cv-1'")[0]
    assert row == {"version": 5, "status": "pending", "subject": "新的 fresh"}
    reader = db.reader()
    assert [c["id"] for c in store_search.conversations(reader, "fresh")] == ["cv-1"]
    assert store_search.conversations(reader, "stale") == []


def test_a_newer_conversation_version_overwrites_and_reindexes(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1", version=1, subject="退款 refund")])
    apply(db, [conversation("cv-1", version=2, status="resolved", subject="发票 invoice")])
    row = db.query("SELECT version, status, is_open, subject FROM conversations WHERE id='cv-1'")[0]
    assert row == {"version": 2, "status": "resolved", "is_open": 0, "subject": "发票 invoice"}
    reader = db.reader()
    assert store_search.conversations(reader, "退款") == []
    assert store_search.conversations(reader, "refund") == []
    assert [c["id"] for c in store_search.conversations(reader, "发票")] == ["cv-1"]


def test_message_tombstone_removes_row_and_index(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1"), message("m-1", "cv-1", "退款 alpha"),
               message("m-2", "cv-1", "退款 beta")])
    result = apply(db, [delete("message", "m-1")])
    assert result.conversation_ids == set()
    assert [r["id"] for r in db.query("SELECT id FROM messages")] == ["m-2"]
    assert len(fts_rowids(db, "messages_fts", '"alpha"')) == 0
    assert len(fts_rowids(db, "messages_fts", '"退 款"')) == 1


def test_conversation_tombstone_removes_it_and_its_messages(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1", subject="gone"), conversation("cv-2", subject="kept"),
               message("m-1", "cv-1", "one"), message("m-2", "cv-1", "two"), message("m-3", "cv-2", "three")])
    result = apply(db, [delete("conversation", "cv-1")])
    assert result.conversation_ids == {"cv-1"}
    assert [r["id"] for r in db.query("SELECT id FROM conversations")] == ["cv-2"]
    assert [r["id"] for r in db.query("SELECT id FROM messages")] == ["m-3"]
    assert fts_rowids(db, "messages_fts", '"one" OR "two"') == []
    assert fts_rowids(db, "conversations_fts", '"gone"') == []
    assert count(db, "conversations_rowid") == 1


def test_customer_queue_agent_tombstones(db: Database) -> None:
    apply(db, [customer("cu-1", "Alice"), queue("q-1", "Q"), agent("ag-1", "A")])
    apply(db, [delete("customer", "cu-1"), delete("queue", "q-1"), delete("agent", "ag-1")])
    assert count(db, "customers") == 0 and count(db, "queues") == 0 and count(db, "agents") == 0
    assert count(db, "customers_rowid") == 0
    assert fts_rowids(db, "customers_fts", '"alice"') == []


def test_deleting_something_never_seen_is_harmless(db: Database) -> None:
    result = apply(db, [delete("message", "nope"), delete("conversation", "nope"), delete("customer", "nope")])
    assert result.invalid == 0 and result.applied == 3


def test_message_upsert_is_idempotent(db: Database) -> None:
    batch = [customer("cu-1"), conversation("cv-1"), message("m-1", "cv-1", "退款 once")]
    apply(db, batch)
    apply(db, batch)
    assert count(db, "messages") == 1
    assert len(fts_rowids(db, "messages_fts", '"once"')) == 1


def test_a_failing_batch_is_all_or_nothing(db: Database) -> None:
    """A batch is one transaction: if writing it fails, neither its records nor its cursor are kept."""
    apply(db, [customer("cu-1")], cursor="c-1")

    def boom(conn, changes, cursor):
        apply_batch(conn, changes, cursor)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        db.write_sync(boom, [customer("cu-2")], "c-2")
    assert meta.get(db.reader(), meta.CURSOR) == "c-1"
    assert [r["id"] for r in db.query("SELECT id FROM customers")] == ["cu-1"]


# -- malformed data that currently escapes validation ----------------------------------------------

def test_lone_surrogate_in_a_body_is_skipped_not_fatal(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1")], cursor="c-1")
    result = apply(db, [message("m-bad", "cv-1", "bad \ud800 body"), message("m-ok", "cv-1", "fine")], cursor="c-2")
    assert result.applied == 1
    assert meta.get(db.reader(), meta.CURSOR) == "c-2"


def test_out_of_range_timestamp_is_skipped_not_fatal(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1")], cursor="c-1")
    result = apply(db, [message("m-bad", "cv-1", "x", created_at="0001-01-01T00:00:00+01:00"),
                        message("m-ok", "cv-1", "fine")], cursor="c-2")
    assert result.invalid == 1 and result.applied == 1
    assert meta.get(db.reader(), meta.CURSOR) == "c-2"


@pytest.mark.parametrize("entity", ["customer", "conversation"])
def test_unit_separator_in_indexed_text_does_not_wedge_the_feed(db: Database, entity: str) -> None:
    apply(db, [customer("cu-1", "Plain")])
    if entity == "customer":
        apply(db, [customer("cu-1", "evil\x1fname", version=2)])
        apply(db, [customer("cu-1", "renamed", version=3)], cursor="c-9")
    else:
        apply(db, [conversation("cv-1", subject="evil\x1fsubject", version=1)])
        apply(db, [conversation("cv-1", subject="renamed", version=2)], cursor="c-9")
    assert meta.get(db.reader(), meta.CURSOR) == "c-9"


def test_times_are_stored_in_canonical_form(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1"),
               message("m-1", "cv-1", "x", created_at="2026-11-22T18:00:00.5+08:00")])
    assert db.query("SELECT created_at FROM messages")[0]["created_at"] == "2026-11-22T10:00:00.500Z"
    assert at(0) == "2026-11-22T08:00:00Z"


# -- no silent stall (issue 14): one bad record never holds the feed ------------------------------

@pytest.mark.parametrize("field", ["version", "message_count", "transfer_count"])
def test_an_integer_beyond_sqlite_is_one_invalid_record_and_the_cursor_moves(db: Database, field: str) -> None:
    apply(db, [customer("cu-1")], cursor="c-1")
    huge = conversation("cv-big", "cu-1")
    huge["data"][field] = 2**63   # one past SQLite's largest integer
    result = apply(db, [huge, conversation("cv-ok", "cu-1")], cursor="c-2")
    assert (result.applied, result.invalid) == (1, 1)
    assert meta.get(db.reader(), meta.CURSOR) == "c-2"
    assert [r["id"] for r in db.query("SELECT id FROM conversations")] == ["cv-ok"]
    assert invalid_rows(db)[-1]["entity_id"] == "cv-big"


def test_a_writer_failing_in_any_way_quarantines_that_record_only(db: Database, monkeypatch) -> None:
    """Whatever a writer raises (not only InvalidRecord), the page is redone record by record: the
    one that fails is quarantined (Diagnostics), nothing half-written stays, the rest and the cursor land."""
    from . import factories  # the module whose `apply` the test calls

    spec = factories.SCHEMA.entities["customer"]
    original = spec.write

    def fussy(conn, record):
        original(conn, record)          # half-written first: must not stay
        if record.id == "cu-bad":
            raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setitem(factories.SCHEMA.entities, "customer",
                        type(spec)(spec.name, spec.parse, fussy, spec.delete, spec.table))
    result = apply(db, [customer("cu-1"), customer("cu-bad"), customer("cu-2"),
                        conversation("cv-1", "cu-1"), message("m-1", "cv-1", "退款到账了吗")], cursor="c-9")
    assert (result.applied, result.invalid) == (4, 1)
    assert sorted(r["id"] for r in db.query("SELECT id FROM customers")) == ["cu-1", "cu-2"]
    assert meta.get(db.reader(), meta.CURSOR) == "c-9"
    bad = invalid_rows(db)[-1]
    assert bad["entity_id"] == "cu-bad" and "OverflowError" in bad["error"]
    assert count(db, "messages") == 1
