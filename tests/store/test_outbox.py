"""The outbox: optimistic change + queued action in one transaction, replaced by the server's copy."""

from __future__ import annotations

import json
import sqlite3
from functools import partial

import pytest

from agent_desktop.store import Database, drafts, outbox
from agent_desktop.store import conversation as conversation_store
from agent_desktop.store import search as store_search
from agent_desktop.store.records import restore_server_state

from .factories import apply, at, conversation, customer, fts_rowids, message


@pytest.fixture
def ready(db: Database) -> Database:
    apply(db, [customer("cu-1", "王伟"),
               conversation("cv-1", "cu-1", version=4, status="open", priority="normal", resolution_due=at(60)),
               conversation("cv-2", "cu-1", version=1),
               message("m-in", "cv-1", "我想申请退款", created_at=at(0))])
    return db


def outbox_rows(db: Database) -> list[dict]:
    return db.query("SELECT key, action, conversation_id, payload, base_version, state, attempts, last_error "
                    "FROM outbox ORDER BY seq")


def conv_row(db: Database, cid: str = "cv-1") -> dict:
    return db.query("SELECT status, priority, assignee_id, tags, version, is_open, sla_due, server_data "
                    "FROM conversations WHERE id=?", (cid,))[0]


# -- messages --------------------------------------------------------------------------------------

def test_enqueue_message_writes_pending_message_and_outbox_row_and_clears_the_draft(ready: Database) -> None:
    ready.write_sync(drafts.save, "cv-1", "reply", "好的，马上处理退款")
    key = ready.write_sync(outbox.enqueue_message, "cv-1", "reply", "好的，马上处理退款", "ag-1", "Agent One")

    rows = outbox_rows(ready)
    assert len(rows) == 1
    assert rows[0]["key"] == key and rows[0]["action"] == "reply" and rows[0]["state"] == "queued"
    assert json.loads(rows[0]["payload"]) == {"kind": "reply", "body": "好的，马上处理退款"}

    pending = ready.query("SELECT id, pending, direction, idempotency_key, author_id FROM messages WHERE pending=1")
    assert pending == [{"id": f"local:{key}", "pending": 1, "direction": "out", "idempotency_key": key,
                        "author_id": "ag-1"}]
    assert drafts.load(ready.reader(), "cv-1") is None

    thread = conversation_store.messages(ready.reader(), "cv-1")
    assert [m["id"] for m in thread] == ["m-in", f"local:{key}"]     # pending shown last
    assert thread[-1]["outbox_state"] == "queued"
    # the optimistic copy is searchable at once
    assert {r["id"] for r in store_search.messages(ready.reader(), "马上处理")} == {f"local:{key}"}
    assert conversation_store.header(ready.reader(), "cv-1")["pending_actions"] == 1


def test_the_server_copy_replaces_the_pending_message(ready: Database) -> None:
    key = ready.write_sync(outbox.enqueue_message, "cv-1", "reply", "退款已经处理 done", "ag-1", "Agent One")
    ready.write_sync(outbox.mark_sent, key)
    result = apply(ready, [message("m-srv", "cv-1", "退款已经处理 done", created_at=at(5), direction="out",
                                   author_id="ag-1", idempotency_key=key)])
    assert result.applied == 1
    copies = ready.query("SELECT id, pending FROM messages WHERE idempotency_key=?", (key,))
    assert copies == [{"id": "m-srv", "pending": 0}]
    assert [r["id"] for r in store_search.messages(ready.reader(), "done")] == ["m-srv"]
    assert len(fts_rowids(ready, "messages_fts", '"done"')) == 1   # the pending copy's index entry is gone
    assert outbox_rows(ready) == []


def test_the_server_copy_arriving_before_mark_sent_still_leaves_one_message(ready: Database) -> None:
    key = ready.write_sync(outbox.enqueue_message, "cv-1", "note", "internal note", "ag-1", "Agent One")
    apply(ready, [message("m-srv", "cv-1", "internal note", kind="note", direction="out", idempotency_key=key)])
    apply(ready, [message("m-srv", "cv-1", "internal note", kind="note", direction="out", idempotency_key=key)])
    assert ready.query("SELECT count(*) AS n FROM messages WHERE body='internal note'") == [{"n": 1}]
    assert len(fts_rowids(ready, "messages_fts", '"internal"')) == 1


def test_an_unrelated_server_message_does_not_remove_pending_ones(ready: Database) -> None:
    key = ready.write_sync(outbox.enqueue_message, "cv-1", "reply", "mine", "ag-1", "A")
    apply(ready, [message("m-other", "cv-1", "theirs", idempotency_key="someone-else")])
    assert ready.query("SELECT id FROM messages WHERE pending=1") == [{"id": f"local:{key}"}]


def test_enqueue_message_for_an_unknown_conversation_writes_nothing(ready: Database) -> None:
    ready.write_sync(drafts.save, "cv-404", "reply", "draft stays")
    with pytest.raises(KeyError):
        ready.write_sync(outbox.enqueue_message, "cv-404", "reply", "x", "ag-1", "A")
    assert outbox_rows(ready) == []
    assert ready.query("SELECT count(*) AS n FROM messages WHERE pending=1") == [{"n": 0}]


def test_a_failure_after_enqueue_rolls_back_both_halves(ready: Database) -> None:
    ready.write_sync(drafts.save, "cv-1", "reply", "my draft")

    def enqueue_then_fail(conn: sqlite3.Connection) -> None:
        outbox.enqueue_message(conn, "cv-1", "reply", "half-written 退款", "ag-1", "A")
        outbox.enqueue_patch(conn, "cv-1", {"status": "pending"})
        raise OSError("power cut")

    with pytest.raises(OSError):
        ready.write_sync(enqueue_then_fail)
    assert outbox_rows(ready) == []
    assert ready.query("SELECT count(*) AS n FROM messages WHERE pending=1") == [{"n": 0}]
    assert conv_row(ready)["status"] == "open"
    assert drafts.load(ready.reader(), "cv-1") == ("reply", "my draft")
    assert fts_rowids(ready, "messages_fts", '"half"') == []


# -- patches ---------------------------------------------------------------------------------------

def test_enqueue_patch_applies_locally_and_queues(ready: Database) -> None:
    key = ready.write_sync(outbox.enqueue_patch, "cv-1", {"status": "pending", "tags": ["vip"]})
    row = conv_row(ready)
    assert row["status"] == "pending" and json.loads(row["tags"]) == ["vip"]
    assert row["version"] == 4                         # the local change does not invent a version
    assert json.loads(row["server_data"])["status"] == "open"
    [item] = outbox.items(ready.reader())
    assert item.key == key and item.action == "patch" and item.base_version == 4
    assert item.payload == {"status": "pending", "tags": ["vip"]}


def test_enqueue_patch_refuses_unknown_fields_and_conversations(ready: Database) -> None:
    with pytest.raises(ValueError, match="subject"):
        ready.write_sync(outbox.enqueue_patch, "cv-1", {"subject": "hacked"})
    with pytest.raises(KeyError):
        ready.write_sync(outbox.enqueue_patch, "cv-404", {"status": "open"})
    assert outbox_rows(ready) == []


def test_a_server_upsert_keeps_the_queued_patch_on_top_until_sent(ready: Database) -> None:
    key = ready.write_sync(outbox.enqueue_patch, "cv-1", {"status": "resolved"})
    assert conv_row(ready)["is_open"] == 0

    # a pull brings a newer server state that does not yet include our change
    apply(ready, [conversation("cv-1", "cu-1", version=5, status="open", priority="high", resolution_due=at(60))])
    row = conv_row(ready)
    assert row["status"] == "resolved"                 # still the agent's choice
    assert row["priority"] == "high"                   # the server's other changes do show
    assert row["version"] == 5 and row["is_open"] == 0
    assert json.loads(row["server_data"])["status"] == "open"

    ready.write_sync(outbox.mark_sent, key)
    apply(ready, [conversation("cv-1", "cu-1", version=6, status="open", priority="high", resolution_due=at(60))])
    assert conv_row(ready)["status"] == "open"         # nothing queued any more: the server's word


def test_several_queued_patches_apply_in_order(ready: Database) -> None:
    ready.write_sync(outbox.enqueue_patch, "cv-1", {"status": "pending", "priority": "low"})
    ready.write_sync(outbox.enqueue_patch, "cv-1", {"status": "resolved"})
    apply(ready, [conversation("cv-1", "cu-1", version=9, status="open", priority="urgent")])
    row = conv_row(ready)
    assert (row["status"], row["priority"]) == ("resolved", "low")


def test_a_failed_patch_no_longer_overrides_and_server_state_can_be_restored(ready: Database) -> None:
    key = ready.write_sync(outbox.enqueue_patch, "cv-1", {"status": "pending"})
    ready.write_sync(partial(outbox.mark_failed, server_state={"status": "open"}), key, "409 not allowed")
    ready.write_sync(restore_server_state, "cv-1")
    assert conv_row(ready)["status"] == "open"
    [item] = outbox.items(ready.reader())
    assert item.state == outbox.FAILED and item.attempts == 1 and item.last_error == "409 not allowed"
    server_state = ready.query("SELECT server_state FROM outbox WHERE key=?", (key,))[0]["server_state"]
    assert json.loads(server_state) == {"status": "open"}
    assert outbox.counts(ready.reader()) == {"failed": 1}
    # a later server upsert does not resurrect the failed change
    apply(ready, [conversation("cv-1", "cu-1", version=5, status="open")])
    assert conv_row(ready)["status"] == "open"


def test_mark_failed_with_conflict_state(ready: Database) -> None:
    key = ready.write_sync(outbox.enqueue_patch, "cv-1", {"priority": "urgent"})
    ready.write_sync(partial(outbox.mark_failed, state=outbox.CONFLICT), key, "412")
    assert outbox.counts(ready.reader()) == {"conflict": 1}
    assert outbox.items(ready.reader(), (outbox.QUEUED,)) == []


def test_requeue_puts_a_failed_item_back_in_its_place(ready: Database) -> None:
    first = ready.write_sync(outbox.enqueue_message, "cv-1", "reply", "first", "ag-1", "A")
    second = ready.write_sync(outbox.enqueue_message, "cv-1", "reply", "second", "ag-1", "A")
    ready.write_sync(outbox.mark_failed, first, "400 bad")
    assert outbox.next_ready(ready.reader(), now=1e12).key == second

    ready.write_sync(outbox.requeue, first)
    [item, _] = outbox.items(ready.reader())
    assert item.key == first and item.state == "queued" and item.last_error is None
    assert item.next_attempt_at == 0 and item.attempts == 1
    assert outbox.next_ready(ready.reader(), now=0).key == first   # FIFO: it keeps its original place


# -- ordering and backoff --------------------------------------------------------------------------

def test_next_ready_is_fifo_and_honours_backoff_without_overtaking(ready: Database) -> None:
    keys = [ready.write_sync(outbox.enqueue_message, "cv-1", "reply", f"msg {i}", "ag-1", "A") for i in range(3)]
    reader = ready.reader()
    assert outbox.next_ready(reader, now=0).key == keys[0]

    ready.write_sync(outbox.mark_retry, keys[0], 1000.0, "timeout")
    assert outbox.next_ready(reader, now=999.0) is None           # the head waits; nothing overtakes it
    assert outbox.earliest_retry(reader) == 1000.0
    head = outbox.next_ready(reader, now=1000.0)
    assert head.key == keys[0] and head.attempts == 1 and head.last_error == "timeout"

    ready.write_sync(outbox.mark_sent, keys[0])
    assert outbox.next_ready(reader, now=0).key == keys[1]
    ready.write_sync(outbox.mark_sent, keys[1])
    ready.write_sync(outbox.mark_sent, keys[2])
    assert outbox.next_ready(reader, now=1e12) is None
    assert outbox.earliest_retry(reader) is None


def test_messages_and_patches_share_one_queue_order(ready: Database) -> None:
    a = ready.write_sync(outbox.enqueue_message, "cv-1", "reply", "a", "ag-1", "A")
    b = ready.write_sync(outbox.enqueue_patch, "cv-2", {"status": "pending"})
    c = ready.write_sync(outbox.enqueue_message, "cv-2", "note", "c", "ag-1", "A")
    assert [i.key for i in outbox.items(ready.reader())] == [a, b, c]
    assert [i.action for i in outbox.items(ready.reader())] == ["reply", "patch", "note"]
    assert len({a, b, c}) == 3


def test_outbox_survives_reopening(tmp_path) -> None:
    path = tmp_path / "cache.db"
    first = Database(path)
    apply(first, [customer("cu-1"), conversation("cv-1")])
    key = first.write_sync(outbox.enqueue_message, "cv-1", "reply", "survive 退款", "ag-1", "A")
    first.close()
    second = Database(path)
    try:
        assert [i.key for i in outbox.items(second.reader())] == [key]
        assert second.query("SELECT id FROM messages WHERE pending=1") == [{"id": f"local:{key}"}]
        assert [r["id"] for r in store_search.messages(second.reader(), "退款")] == [f"local:{key}"]
    finally:
        second.close()


def test_one_items_backoff_holds_only_its_own_conversation(ready: Database) -> None:
    """Order is kept within a conversation (and among the actions of none); another group's items
    go out while one waits out its Retry-After (issue 14: 458 items once waited behind one 502)."""
    reply = ready.write_sync(outbox.enqueue_message, "cv-1", "reply", "first", "ag-1", "A")
    later = ready.write_sync(outbox.enqueue_message, "cv-1", "reply", "second", "ag-1", "A")
    status = ready.write_sync(outbox.enqueue_action, "agent_status", "", {"state": "break", "reason": "lunch"})
    status_after = ready.write_sync(outbox.enqueue_action, "agent_status", "", {"state": "available", "reason": ""})
    ready.write_sync(outbox.mark_retry, reply, 1000.0, "the server is busy (502)")
    reader = ready.reader()
    assert outbox.next_ready(reader, now=10.0).key == status          # overtakes the waiting cv-1
    assert outbox.next_ready(reader, now=10.0, skip=("",)) is None   # cv-1's second waits behind its first
    ready.write_sync(outbox.mark_retry, status, 500.0, "busy")
    assert outbox.next_ready(reader, now=10.0) is None               # status_after keeps its place
    assert outbox.earliest_retry(reader) == 500.0
    assert outbox.next_ready(reader, now=1000.0).key == reply
    assert {later, status_after} <= {item.key for item in outbox.items(reader)}
