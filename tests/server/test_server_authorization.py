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
