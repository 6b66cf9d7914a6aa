"""The two ways the Zendesk adapter follows an account, against the fake with Prism checking:
the admin path (incremental exports) and the agent path (search export, comments per moved
ticket, users/show_many), how it chooses between them and keeps the choice in the cursor."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from agent_desktop.backends.base import ServerBusy
from agent_desktop.backends.zendesk import EXPORTS, OVERLAP, TokenBucket, ZendeskBackend
from tests.vendors.zendesk_fake import ADMIN_EMAIL, ADMIN_TOKEN, EXPORT_PATHS, PLAIN_EMAIL, PLAIN_TOKEN
from tests.zendesk_adapter.conftest import Clock

FAST = {"export_rate": 100000, "search_rate": 100000, "api_rate": 100000}


@pytest.fixture(autouse=True)
def _fresh_fake(zendesk):
    fake = zendesk.fake
    fake.refusals.clear()
    fake.export_roles = {"admin"}
    fake.index_keeps_deleted = False
    fake.agents_may_list_deleted = True
    yield


def signed(zendesk, email: str, token: str, **options) -> ZendeskBackend:
    made = ZendeskBackend(zendesk.url, **{**FAST, **options})
    made.sign_in(email, token)
    return made


def sync_all(made: ZendeskBackend, cursor: str | None = None) -> tuple[list[dict], str]:
    changes: list[dict] = []
    for _page in range(50):
        batch = made.changes(cursor, 100)
        changes.extend(batch.changes)
        cursor = batch.cursor
        if not batch.has_more:
            return changes, cursor
    raise AssertionError("the feed never ended")


def asked(zendesk, since: int) -> Counter:
    return Counter(path for _method, path in zendesk.fake.requests[since:])


def ids_of(changes: list[dict], entity: str, op: str = "upsert") -> set[str]:
    return {c["id"] for c in changes if c["entity"] == entity and c["op"] == op}


# -- choosing the path --------------------------------------------------------------------------------
def test_a_plain_agent_goes_the_search_way_without_probing_the_exports(zendesk):
    start = len(zendesk.fake.requests)
    made = signed(zendesk, PLAIN_EMAIL, PLAIN_TOKEN)
    changes, cursor = sync_all(made)
    paths = asked(zendesk, start)
    assert not any(path in EXPORT_PATHS for path in paths)
    assert paths["/api/v2/search/export"] >= 1 and paths["/api/v2/users/show_many"] >= 1
    assert json.loads(cursor)["mode"] == "agent" and PLAIN_TOKEN not in cursor
    assert ids_of(changes, "conversation") == {str(i) for i in zendesk.fake.visible()}
    entities = {c["entity"] for c in changes if c["op"] == "upsert"}
    assert entities == {"queue", "agent", "customer", "conversation", "message", "script", "faq_article"}
    every_comment = {str(c["id"]) for i in zendesk.fake.visible() for c in zendesk.fake.state(str(i))["_comments"]}
    assert ids_of(changes, "message") == every_comment


def test_the_same_records_on_both_paths(zendesk):
    admin_changes, _ = sync_all(signed(zendesk, ADMIN_EMAIL, ADMIN_TOKEN))
    agent_changes, _ = sync_all(signed(zendesk, PLAIN_EMAIL, PLAIN_TOKEN))

    def records(changes: list[dict], entity: str) -> dict[str, dict]:
        # The preview is the newest reply where a batch holds the ticket and its comments together:
        # always on the agent path; on the admin path's first sync tickets and comments come in
        # separate exports, so it stays the first message until the ticket next changes.
        return {c["id"]: {k: v for k, v in c["data"].items() if k != "preview"}
                for c in changes if c["entity"] == entity and c["op"] == "upsert"}

    for entity in ("conversation", "message"):
        assert records(agent_changes, entity) == records(admin_changes, entity), entity
    # The admin path exports every user; the agent path brings the people on its tickets.
    people, everyone = records(agent_changes, "customer"), records(admin_changes, "customer")
    assert people and all(everyone[key] == data for key, data in people.items())


def test_an_export_refused_with_403_switches_to_the_agent_path_once(zendesk):
    zendesk.fake.export_roles = set()   # even the admin may not export (a plan or role without it)
    made = signed(zendesk, ADMIN_EMAIL, ADMIN_TOKEN)
    changes, cursor = sync_all(made)
    assert json.loads(cursor)["mode"] == "agent"
    assert ids_of(changes, "conversation") == {str(i) for i in zendesk.fake.visible()}
    start = len(zendesk.fake.requests)
    made.changes(cursor, 100)
    assert not any(path in EXPORT_PATHS for path in asked(zendesk, start))   # remembered: no probing


def test_an_old_cursor_without_a_mode_still_reads_as_the_admin_path(zendesk):
    made = signed(zendesk, ADMIN_EMAIL, ADMIN_TOKEN)
    _changes, cursor = sync_all(made)
    old = json.loads(cursor)
    old.pop("mode")
    ticket = zendesk.new_conversation("after the upgrade")
    changes, cursor = sync_all(made, json.dumps(old))
    assert ticket in ids_of(changes, "conversation") and json.loads(cursor).get("mode", "admin") == "admin"


def test_an_admin_cursor_of_a_user_now_a_plain_agent_moves_to_the_agent_path(zendesk):
    _changes, cursor = sync_all(signed(zendesk, ADMIN_EMAIL, ADMIN_TOKEN))
    start = len(zendesk.fake.requests)
    changes, cursor = sync_all(signed(zendesk, PLAIN_EMAIL, PLAIN_TOKEN), cursor)
    assert json.loads(cursor)["mode"] == "agent"
    assert not any(path in EXPORT_PATHS for path in asked(zendesk, start))


# -- the admin path -------------------------------------------------------------------------------------
def test_admin_path_incremental_pulls_bring_new_comments_changes_and_deletions(zendesk):
    made = signed(zendesk, ADMIN_EMAIL, ADMIN_TOKEN)
    _changes, cursor = sync_all(made)
    ticket, other = zendesk.new_conversation("admin path"), zendesk.fake.visible()[0]
    zendesk.customer_writes(ticket, "客户追加一条消息")
    zendesk.someone_else_sets(ticket, priority="urgent")
    zendesk.delete(str(other))
    start = len(zendesk.fake.requests)
    changes, cursor = sync_all(made, cursor)
    paths = asked(zendesk, start)
    assert all(paths[path] >= 1 for path in EXPORT_PATHS) and paths["/api/v2/deleted_tickets"] == 1
    bodies = {c["data"]["body"] for c in changes if c["entity"] == "message"}
    assert "客户追加一条消息" in bodies
    latest = [c["data"] for c in changes if c["entity"] == "conversation" and c["id"] == ticket][-1]
    assert latest["priority"] == "urgent"
    assert str(other) in ids_of(changes, "conversation", "delete")


# -- the agent path -------------------------------------------------------------------------------------
def test_agent_path_follows_comments_and_changes_and_skips_what_it_brought(zendesk):
    made = signed(zendesk, PLAIN_EMAIL, PLAIN_TOKEN)
    _changes, cursor = sync_all(made)
    _changes, cursor = sync_all(made, cursor)   # the overlap after the first pass
    start = len(zendesk.fake.requests)
    idle, cursor = sync_all(made, cursor)
    # (a deletion seen in the last minute may come again: /deleted_tickets is read with an overlap)
    assert not [c for c in idle if c["entity"] in ("conversation", "message") and c["op"] == "upsert"]
    assert asked(zendesk, start) == Counter({"/api/v2/search/export": 1, "/api/v2/deleted_tickets": 1})
    ticket = zendesk.new_conversation("agent path")
    zendesk.customer_writes(ticket, "Another line from the customer")
    changes, cursor = sync_all(made, cursor)
    assert ticket in ids_of(changes, "conversation")
    assert "Another line from the customer" in {c["data"]["body"] for c in changes if c["entity"] == "message"}
    assert {c["data"]["name"] for c in changes if c["entity"] == "customer"} == {"Contract Customer"}
    zendesk.someone_else_sets(ticket, priority="high")
    start = len(zendesk.fake.requests)
    changes, cursor = sync_all(made, cursor)
    assert [c["data"]["priority"] for c in changes if c["entity"] == "conversation" and c["op"] == "upsert"] == ["high"]
    assert asked(zendesk, start)[f"/api/v2/tickets/{ticket}/comments"] == 1   # only the moved ticket


def test_agent_path_sees_deletions_in_deleted_tickets(zendesk):
    made = signed(zendesk, PLAIN_EMAIL, PLAIN_TOKEN)
    _changes, cursor = sync_all(made)
    ticket = zendesk.new_conversation("to be deleted")
    _changes, cursor = sync_all(made, cursor)
    zendesk.delete(ticket)
    changes, cursor = sync_all(made, cursor)
    assert ticket in ids_of(changes, "conversation", "delete")


def test_agent_path_without_deleted_tickets_removes_a_ticket_that_404s(zendesk):
    zendesk.fake.agents_may_list_deleted = False
    zendesk.fake.index_keeps_deleted = True   # Zendesk's search index still lists it a while
    made = signed(zendesk, PLAIN_EMAIL, PLAIN_TOKEN)
    _changes, cursor = sync_all(made)
    ticket = zendesk.new_conversation("gone while indexed")
    _changes, cursor = sync_all(made, cursor)
    zendesk.delete(ticket)
    changes, cursor = sync_all(made, cursor)
    assert ticket in ids_of(changes, "conversation", "delete")
    assert json.loads(cursor)["deleted"] is False   # not asked again
    start = len(zendesk.fake.requests)
    sync_all(made, cursor)
    assert "/api/v2/deleted_tickets" not in asked(zendesk, start)


def test_agent_path_overlap_window_rereads_recent_tickets_but_brings_them_once(zendesk):
    made = signed(zendesk, PLAIN_EMAIL, PLAIN_TOKEN)
    _changes, cursor = sync_all(made)
    ticket = zendesk.new_conversation("inside the overlap")
    first, cursor = sync_all(made, cursor)
    state = json.loads(cursor)
    assert ticket in state["seen"] and state["hw"] - min(state["seen"].values()) <= OVERLAP
    again, cursor = sync_all(made, cursor)
    assert ticket in ids_of(first, "conversation") and ticket not in ids_of(again, "conversation")


def test_agent_path_paces_the_search_export_to_its_rate(zendesk):
    clock, slept = Clock(), []
    made = signed(zendesk, PLAIN_EMAIL, PLAIN_TOKEN, pace_wait=0, clock=clock, sleep=slept.append)
    _changes, cursor = sync_all(made)
    made.buckets["search"] = TokenBucket(2, clock)
    made.changes(cursor, 100)
    made.changes(cursor, 100)
    start = len(zendesk.fake.requests)
    with pytest.raises(ServerBusy) as busy:
        made.changes(cursor, 100)
    assert busy.value.retry_after == pytest.approx(30.0) and "search" in str(busy.value)
    assert len(zendesk.fake.requests) == start   # refused before asking Zendesk
    clock.now += 30
    made.changes(cursor, 100)
    assert slept == [] and set(EXPORTS) <= set(made.buckets)


def test_agent_path_a_429_on_the_search_export_is_busy_with_its_retry_after(zendesk):
    made = signed(zendesk, PLAIN_EMAIL, PLAIN_TOKEN)
    _changes, cursor = sync_all(made)
    zendesk.fake.refuse(1, retry_after=9)
    with pytest.raises(ServerBusy) as busy:
        made.changes(cursor, 100)
    assert busy.value.retry_after == 9
