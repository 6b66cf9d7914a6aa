"""Issue 14, item 4: who may change what (the PATCH role rule), against a real server."""

from __future__ import annotations

from typing import Any

import pytest

from agent_desktop.server import db as store

from .conftest import Api, EmbeddedServer, demo_database


def _conversation(server: EmbeddedServer, cid: str, **data: Any) -> str:
    """Put a conversation into a known state (queue, assignee, status) straight in the database."""
    database = demo_database(server)
    with database.transaction() as conn:
        current = store.load(conn, "conversation", cid)
        assert current is not None
        store.store(conn, "conversation", cid, {**current, "status": "open", **data})
    return f"/api/v1/conversations/{cid}"


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["error"]["code"]


# -- the PATCH role rule --------------------------------------------------------------------------


def test_an_agent_takes_an_unassigned_conversation_of_their_queue_and_gives_it_back(
        small_api: tuple[Api, EmbeddedServer]) -> None:
    api, server = small_api
    path = _conversation(server, "cv-000001", queue_id="q-presales", assignee_id=None)
    taken = api.call("PATCH", path, as_user="agent2", json={"assignee_id": "a-agent2"})
    assert taken.status_code == 200, taken.text
    assert taken.json()["assignee_id"] == "a-agent2"
    back = api.call("PATCH", path, as_user="agent2", json={"assignee_id": None})
    assert back.status_code == 200 and back.json()["assignee_id"] is None


@pytest.mark.parametrize("change,holder,code", [
    ({"assignee_id": "a-agent3"}, None, "forbidden_assignment"),        # to a colleague
    ({"assignee_id": "a-agent2"}, "a-agent3", "already_assigned"),      # taking a colleague's
    ({"assignee_id": None}, "a-agent3", "not_your_conversation"),       # unassigning a colleague's
    ({"queue_id": "q-aftersales"}, "a-agent2", "use_transfer"),         # moving queues: a transfer
    ({"queue_id": "q-aftersales", "assignee_id": "a-agent2"}, None, "use_transfer"),
])
def test_an_agent_may_not_reassign_by_patch(small_api: tuple[Api, EmbeddedServer], change: dict[str, Any],
                                            holder: str | None, code: str) -> None:
    api, server = small_api
    path = _conversation(server, "cv-000002", queue_id="q-presales", assignee_id=holder)
    before = api.call("GET", path, as_user="lead1").json()
    assert _error(api.call("PATCH", path, as_user="agent2", json=change), 403) == code
    after = api.call("GET", path, as_user="lead1").json()
    assert after["version"] == before["version"]  # nothing applied


def test_an_agent_may_not_take_a_conversation_of_a_queue_they_do_not_serve(
        small_api: tuple[Api, EmbeddedServer]) -> None:
    api, server = small_api
    # Assigned to agent2 (so in their scope) in a queue they do not serve, then given back by a lead.
    path = _conversation(server, "cv-000003", queue_id="q-complaints", assignee_id="a-agent2")
    assert api.call("PATCH", path, as_user="lead1", json={"assignee_id": None}).status_code == 200
    assert _error(api.call("PATCH", path, as_user="agent2", json={"assignee_id": "a-agent2"}), 404) == "not_found"
    # agent7 serves q-complaints but not q-presales: same rule from inside the scope.
    path = _conversation(server, "cv-000004", queue_id="q-presales", assignee_id="a-agent7")
    assert api.call("PATCH", path, as_user="agent7", json={"assignee_id": None}).status_code == 200
    assert _error(api.call("PATCH", path, as_user="agent7", json={"assignee_id": "a-agent7"}), 404) == "not_found"


def test_unchanged_fields_in_a_patch_are_not_a_reassignment(small_api: tuple[Api, EmbeddedServer]) -> None:
    """A client that sends the current queue and assignee along with a status change is fine."""
    api, server = small_api
    path = _conversation(server, "cv-000005", queue_id="q-presales", assignee_id="a-agent3")
    answer = api.call("PATCH", path, as_user="agent2",
                      json={"queue_id": "q-presales", "assignee_id": "a-agent3", "priority": "urgent"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["priority"] == "urgent"


def test_a_lead_may_assign_and_move_anything(small_api: tuple[Api, EmbeddedServer]) -> None:
    api, server = small_api
    path = _conversation(server, "cv-000006", queue_id="q-presales", assignee_id="a-agent3")
    moved = api.call("PATCH", path, as_user="lead1", json={"assignee_id": "a-agent7", "queue_id": "q-complaints"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["assignee_id"], moved.json()["queue_id"]) == ("a-agent7", "q-complaints")


# -- queue scope: by id ---------------------------------------------------------------------------

PRESALES_ONLY = "agent2"   # q-presales, q-aftersales
COMPLAINTS = "agent7"      # q-complaints, q-key-accounts


def _feed(api: Api, user: str, cursor: str | None = None) -> tuple[list[dict[str, Any]], str]:
    changes: list[dict[str, Any]] = []
    while True:
        page = api.call("GET", "/api/v1/changes", as_user=user, params={"cursor": cursor, "limit": 500})
        assert page.status_code == 200, page.text
        body = page.json()
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes, cursor


def test_out_of_scope_conversations_answer_404_everywhere(small_api: tuple[Api, EmbeddedServer]) -> None:
    api, server = small_api
    path = _conversation(server, "cv-000010", queue_id="q-presales", assignee_id=None)
    key = {"Idempotency-Key": "k-scope-1"}
    attempts = [
        ("GET", path, None), ("GET", f"{path}/messages", None),
        ("POST", f"{path}/messages", {"kind": "note", "body": "x"}), ("PATCH", path, {"priority": "high"}),
        ("POST", f"{path}/transfer", {"queue_id": "q-complaints", "note": "x"}),
        ("POST", f"{path}/csat", {"score": 4}), ("POST", f"{path}/presence", {"activity": "viewing"}),
        ("PUT", f"{path}/customer", {"customer_id": "c-000001"}),
    ]
    for method, url, body in attempts:
        answer = api.call(method, url, as_user=COMPLAINTS, json=body, headers=key)
        assert _error(answer, 404) == "not_found", (method, url)
        assert "cv-000010" in answer.json()["error"]["message"]  # worded as for an unknown id
    assert api.call("GET", path, as_user=PRESALES_ONLY).status_code == 200  # their queue
    assert api.call("GET", path, as_user="lead1").status_code == 200  # leads see all
    # Assigned to them, it is theirs whatever the queue.
    _conversation(server, "cv-000010", queue_id="q-presales", assignee_id="a-agent7")
    assert api.call("GET", path, as_user=COMPLAINTS).status_code == 200


def test_a_callback_tied_to_an_out_of_scope_conversation_is_not_theirs(small_api: tuple[Api, EmbeddedServer]) -> None:
    api, server = small_api
    _conversation(server, "cv-000011", queue_id="q-presales", assignee_id=None)
    conversation = api.call("GET", "/api/v1/conversations/cv-000011", as_user="lead1").json()
    body = {"customer_id": conversation["customer_id"], "conversation_id": "cv-000011",
            "due_at": "2030-01-01T09:00:00Z"}
    assert _error(api.call("POST", "/api/v1/callbacks", as_user=COMPLAINTS, json=body), 404) == "not_found"
    made = api.call("POST", "/api/v1/callbacks", as_user=PRESALES_ONLY, json=body)
    assert made.status_code == 201, made.text
    outcome = f"/api/v1/callbacks/{made.json()['id']}/outcome"
    assert _error(api.call("POST", outcome, as_user=COMPLAINTS, json={"outcome": "done"}), 404) == "not_found"
    assert api.call("POST", outcome, as_user=PRESALES_ONLY, json={"outcome": "done"}).status_code == 200


# -- queue scope: the change feed -----------------------------------------------------------------


def _conversations_of(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in changes if c["entity"] == "conversation"}


def test_the_feed_carries_only_the_agents_queues_and_their_own(small_api: tuple[Api, EmbeddedServer]) -> None:
    api, server = small_api
    database = demo_database(server)
    agent7_queues = set(api.call("GET", "/api/v1/me", as_user=COMPLAINTS).json()["queue_ids"])
    changes, _ = _feed(api, COMPLAINTS)
    seen = _conversations_of(changes)
    assert seen and all(c["op"] == "upsert" for c in seen.values())  # from scratch: nothing to delete
    for change in seen.values():
        assert change["data"]["queue_id"] in agent7_queues or change["data"]["assignee_id"] == "a-agent7"
    marks = ",".join("?" * len(agent7_queues))
    expected = {row[0] for row in database.reader().execute(
        f"SELECT id FROM conversations WHERE queue_id IN ({marks}) OR assignee_id = 'a-agent7'", sorted(agent7_queues))}
    assert set(seen) == expected
    assert len(expected) < database.counts()["conversation"]  # the demo really has other queues' work
    for change in changes:
        if change["entity"] == "message":
            assert change["data"]["conversation_id"] in seen, change  # no message of another queue
    everything, _ = _feed(api, "lead1")
    assert len(_conversations_of(everything)) == database.counts()["conversation"]


def test_a_transfer_moves_the_conversation_between_the_agents_feeds(small_api: tuple[Api, EmbeddedServer]) -> None:
    api, server = small_api
    path = _conversation(server, "cv-000012", queue_id="q-presales", assignee_id="a-agent2")
    _, cursor2 = _feed(api, PRESALES_ONLY)
    _, cursor7 = _feed(api, COMPLAINTS)
    messages = api.call("GET", f"{path}/messages", as_user=PRESALES_ONLY).json()
    moved = api.call("POST", f"{path}/transfer", as_user=PRESALES_ONLY, headers={"Idempotency-Key": "k-move-1"},
                     json={"queue_id": "q-complaints", "note": "客户要投诉"})
    assert moved.status_code == 201, moved.text

    left, cursor2 = _feed(api, PRESALES_ONLY, cursor2)
    gone = [c for c in left if c["id"] == "cv-000012"]
    assert gone and all(c["op"] == "delete" and "data" not in c for c in gone)
    assert not [c for c in left if c["entity"] == "message" and c["op"] == "upsert"
                and c["data"]["conversation_id"] == "cv-000012"]  # nothing more of it
    assert _error(api.call("GET", path, as_user=PRESALES_ONLY), 404) == "not_found"
    retry = api.call("POST", f"{path}/transfer", as_user=PRESALES_ONLY, headers={"Idempotency-Key": "k-move-1"},
                     json={"queue_id": "q-complaints", "note": "客户要投诉"})
    assert retry.status_code == 200, retry.text  # a retry replays, it does not answer 404

    entered, cursor7 = _feed(api, COMPLAINTS, cursor7)
    arrived = _conversations_of(entered)["cv-000012"]
    assert arrived["op"] == "upsert" and arrived["data"]["queue_id"] == "q-complaints"
    got = {c["id"] for c in entered if c["entity"] == "message" and c["op"] == "upsert"}
    assert {m["id"] for m in messages} | {moved.json()["note"]["id"]} <= got  # the whole thread, note included
    position = {c["id"]: n for n, c in enumerate(entered)}
    assert all(position[m["id"]] > position["cv-000012"] for m in messages)  # after the conversation

    back = api.call("POST", f"{path}/transfer", as_user=COMPLAINTS, headers={"Idempotency-Key": "k-move-2"},
                    json={"queue_id": "q-presales", "note": "客户要的是报价，不是投诉，转回售前"})
    assert back.status_code == 201, back.text
    returned, _ = _feed(api, PRESALES_ONLY, cursor2)
    assert _conversations_of(returned)["cv-000012"]["op"] == "upsert"
    assert {m["id"] for m in messages} <= {c["id"] for c in returned if c["op"] == "upsert"}
    left7, _ = _feed(api, COMPLAINTS, cursor7)
    assert _conversations_of(left7)["cv-000012"]["op"] == "delete"


def test_an_agent_of_a_third_queue_never_hears_of_it(small_api: tuple[Api, EmbeddedServer]) -> None:
    api, server = small_api
    _, cursor = _feed(api, "agent10")  # q-presales, q-key-accounts
    path = _conversation(server, "cv-000013", queue_id="q-aftersales", assignee_id=None)
    api.call("POST", f"{path}/transfer", as_user="agent4", headers={"Idempotency-Key": "k-move-3"},
             json={"queue_id": "q-complaints", "note": "转投诉"})
    changes, _ = _feed(api, "agent10", cursor)
    assert "cv-000013" not in {c["id"] for c in changes}


def test_new_queues_expire_the_agents_cursor(small_api: tuple[Api, EmbeddedServer]) -> None:
    api, _server = small_api
    _, cursor = _feed(api, COMPLAINTS)
    answer = api.call("PUT", "/api/v1/agents/a-agent7/queues", as_user="lead1", json={"queue_ids": ["q-presales"]})
    assert answer.status_code == 200, answer.text
    stale = api.call("GET", "/api/v1/changes", as_user=COMPLAINTS, params={"cursor": cursor})
    assert _error(stale, 410) == "cursor_expired"
    changes, _ = _feed(api, COMPLAINTS)  # the resync brings the new queue
    assert any(c["data"]["queue_id"] == "q-presales" for c in _conversations_of(changes).values())
    assert api.call("GET", "/api/v1/changes", as_user=PRESALES_ONLY, params={"cursor": cursor}).status_code == 200


def test_agents_see_all_keeps_the_old_behaviour(tmp_path: Any) -> None:
    from agent_desktop.server.db import Database
    from agent_desktop.server.demo_data import load_demo
    path = tmp_path / "all.sqlite3"
    database = Database(path)
    load_demo(database, customers=10, conversations=20)
    database.close()
    server = EmbeddedServer()
    server.start(path, demo=False, agents_see_all=True)
    try:
        assert server.url
        api = Api(server.url)
        changes, _ = _feed(api, COMPLAINTS)
        assert len(_conversations_of(changes)) == 20
        assert api.call("GET", "/api/v1/conversations/cv-000001", as_user=COMPLAINTS).status_code == 200
    finally:
        server.stop()
