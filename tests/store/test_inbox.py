"""Inbox views: only open conversations, SLA-due order, keyset pages that never skip or repeat."""

from __future__ import annotations

import random
from typing import Any

import pytest

from agent_desktop.domain.timeutil import normalise_iso
from agent_desktop.store import Database, inbox
from agent_desktop.store.inbox import InboxView
from agent_desktop.store.outbox import enqueue_patch
from agent_desktop.store.records import NO_DUE, PAUSED_DUE

from .factories import agent, apply, at, conversation, customer, queue

ME = "ag-me"
CHANNELS = ["phone", "chat", "email", "web", "social"]
STATUSES = ["new", "open", "pending", "resolved", "closed"]


def build(rng: random.Random, n: int = 120) -> list[dict[str, Any]]:
    """Conversation wire records with every kind of SLA situation, including ties on sla_due."""
    convs = []
    for i in range(n):
        data: dict[str, Any] = {
            "channel": rng.choice(CHANNELS),
            "status": rng.choice(STATUSES),
            "priority": rng.choice(["low", "normal", "high", "urgent"]),
            "queue_id": rng.choice(["q-billing", "q-tech", None]),
            "assignee_id": rng.choice([ME, "ag-other", None]),
            "subject": f"subject {i}",
        }
        shape = i % 5
        if shape == 0:
            pass  # no SLA at all
        elif shape == 1:
            data["first_response_due"] = at(rng.choice([5, 10, 10, 30]))  # ties
            data["resolution_due"] = at(600)
        elif shape == 2:  # answered: resolution counts
            data["first_response_at"] = at(-1)
            data["first_response_due"] = at(1)
            data["resolution_due"] = at(rng.randint(0, 100))
        elif shape == 3:  # offsets: +08:00 wire time must sort as its UTC instant
            data["resolution_due"] = f"2026-11-22T{rng.randint(8, 23):02d}:{rng.choice([0, 30]):02d}:00+08:00"
        else:
            data["first_response_due"] = at(rng.randint(-60, 60))  # some already breached
        convs.append(conversation(f"cv-{i:03d}", f"cu-{i % 7}", **data))
    return convs


def expected_due(data: dict[str, Any]) -> str:
    if data["status"] not in ("new", "open", "pending"):
        return NO_DUE
    if data["status"] == "pending":  # waiting on the customer: the clock is paused
        return PAUSED_DUE
    if data.get("first_response_at") is None and data.get("first_response_due"):
        return normalise_iso(data["first_response_due"])
    if data.get("resolution_due"):
        return normalise_iso(data["resolution_due"])
    return NO_DUE


def oracle(convs: list[dict[str, Any]], view: InboxView) -> list[str]:
    rows = []
    for change in convs:
        d = change["data"]
        if d["status"] not in ("new", "open", "pending"):
            continue
        if view.kind == "mine" and d["assignee_id"] != ME:
            continue
        if view.kind == "unassigned" and d["assignee_id"] is not None:
            continue
        if view.kind == "queue" and d["queue_id"] != view.value:
            continue
        if view.kind == "channel" and d["channel"] != view.value:
            continue
        rows.append((expected_due(d), change["id"]))
    return [cid for _, cid in sorted(rows)]


VIEWS = [InboxView("mine"), InboxView("unassigned"), InboxView("all"), InboxView("queue", "q-billing"),
         InboxView("queue", "q-tech"), *[InboxView("channel", c) for c in CHANNELS]]


@pytest.fixture
def filled(db: Database) -> tuple[Database, list[dict[str, Any]]]:
    convs = build(random.Random(11))
    apply(db, [queue("q-billing", "账单"), queue("q-tech", "技术"), agent(ME, "Me"), agent("ag-other", "Other"),
               *[customer(f"cu-{i}", f"客户{i}", tier="vip" if i == 0 else "standard") for i in range(7)], *convs])
    return db, convs


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.key)
def test_view_returns_only_open_conversations_in_sla_order(filled, view: InboxView) -> None:
    db, convs = filled
    rows = inbox.page(db.reader(), view, ME, limit=10_000)
    expected = oracle(convs, view)
    assert expected, "the fixture must exercise this view"
    assert [r["id"] for r in rows] == expected
    assert all(r["status"] in ("new", "open", "pending") for r in rows)


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.key)
@pytest.mark.parametrize("page_size", [1, 3, 7])
def test_keyset_pages_return_every_row_exactly_once(filled, view: InboxView, page_size: int) -> None:
    db, convs = filled
    reader = db.reader()
    seen: list[str] = []
    after = None
    while True:
        rows = inbox.page(reader, view, ME, after=after, limit=page_size)
        assert len(rows) <= page_size
        if not rows:
            break
        seen += [r["id"] for r in rows]
        after = (rows[-1]["sla_due"], rows[-1]["id"])
    assert seen == oracle(convs, view)
    assert len(seen) == len(set(seen))


def test_counts_match_the_views(filled) -> None:
    db, convs = filled
    counts = inbox.counts(db.reader(), ME)
    for view in VIEWS:
        assert counts[view.key] == len(oracle(convs, view)), view.key
    assert sum(counts[f"channel:{c}"] for c in CHANNELS) == counts["all"]


def test_rows_carry_customer_name_and_tier(filled) -> None:
    db, _ = filled
    rows = inbox.page(db.reader(), InboxView("all"), ME, limit=10_000)
    for row in rows:
        index = int(row["customer_id"].split("-")[1])
        assert row["customer_name"] == f"客户{index}"
        assert row["customer_tier"] == ("vip" if index == 0 else "standard")


def test_by_id_lookup(filled) -> None:
    db, _ = filled
    found = inbox.rows_by_id(db.reader(), ["cv-001", "cv-002", "missing"])
    assert set(found) == {"cv-001", "cv-002"}
    assert inbox.rows_by_id(db.reader(), []) == {}


def test_queues_listing(filled) -> None:
    db, _ = filled
    assert inbox.queues(db.reader()) == [{"id": "q-billing", "name": "账单", "name_en": "", "business_hours": ""},
                                         {"id": "q-tech", "name": "技术", "name_en": "", "business_hours": ""}]


def test_small_hand_checked_order(db: Database) -> None:
    apply(db, [customer("cu-1"),
               conversation("cv-none"),                                             # no SLA: last
               conversation("cv-b", resolution_due="2026-11-22T03:00:00Z"),
               conversation("cv-a", resolution_due="2026-11-22T10:00:00+08:00"),    # 02:00Z: first
               conversation("cv-tie-2", resolution_due="2026-11-22T04:00:00Z"),
               conversation("cv-tie-1", resolution_due="2026-11-22T04:00:00.000Z"),
               conversation("cv-pending", status="pending", resolution_due="2026-11-22T01:00:00Z"),
               conversation("cv-closed", status="closed", resolution_due="2026-11-22T00:00:00Z"),
               conversation("cv-resolved", status="resolved", resolution_due="2026-11-22T00:00:00Z"),
               conversation("cv-answered", first_response_at="2026-11-22T00:00:00Z",
                            first_response_due="2026-11-22T00:01:00Z", resolution_due="2026-11-22T05:00:00Z")])
    rows = inbox.page(db.reader(), InboxView("all"), None)
    assert [r["id"] for r in rows] == ["cv-a", "cv-b", "cv-tie-1", "cv-tie-2", "cv-answered",
                                     "cv-pending", "cv-none"]
    assert rows[-1]["sla_due"] == NO_DUE
    assert inbox.counts(db.reader(), None)["all"] == 7


def test_mine_with_no_agent_is_empty_not_unassigned(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1")])
    assert inbox.page(db.reader(), InboxView("mine"), None) == []
    assert [r["id"] for r in inbox.page(db.reader(), InboxView("unassigned"), None)] == ["cv-1"]


def test_a_local_status_change_moves_a_conversation_out_of_the_inbox(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1", resolution_due=at(10)), conversation("cv-2")])
    db.write_sync(enqueue_patch, "cv-1", {"status": "resolved"})
    assert [r["id"] for r in inbox.page(db.reader(), InboxView("all"), ME)] == ["cv-2"]
    db.write_sync(enqueue_patch, "cv-2", {"assignee_id": ME})
    assert [r["id"] for r in inbox.page(db.reader(), InboxView("mine"), ME)] == ["cv-2"]
    assert inbox.counts(db.reader(), ME)["unassigned"] == 0
