"""The v1 sync contract, tested against a real server on 127.0.0.1 (DESIGN.md §3)."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import pytest

from agent_desktop.domain.feed import PARSERS
from agent_desktop.server.embedded import EmbeddedServer

from .conftest import KEY, Api, demo_database


def _assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    if code:
        assert body["error"]["code"] == code
    return body


def _find(api: Api, **criteria: Any) -> dict[str, Any]:
    """A demo conversation matching `criteria`, found through the feed (and not yet used by a test)."""
    changes, _ = api.feed()
    for change in changes:
        data = change.get("data") or {}
        if change["entity"] == "conversation" and all(data.get(k) == v for k, v in criteria.items()):
            if change["id"] not in _used:
                _used.add(change["id"])
                return {"id": change["id"], **data}
    raise AssertionError(f"no conversation with {criteria}")


_used: set[str] = set()


def _key() -> str:
    return uuid.uuid4().hex


# -- basics and auth ------------------------------------------------------------------------------


def test_health_and_openapi_need_no_token(api: Api) -> None:
    assert api.call("GET", "/healthz", as_user=None).json() == {"ok": True}
    document = api.call("GET", "/openapi.json", as_user=None).json()
    assert "/api/v1/changes" in document["paths"]


def test_sign_in(api: Api) -> None:
    response = api.call("POST", "/api/v1/auth/token", as_user=None, json={"username": "agent1", "password": "demo"})
    assert response.status_code == 200
    body = response.json()
    assert body["token"] and body["expires_at"].endswith("Z")
    assert body["agent"]["id"] == "a-agent1" and body["agent"]["username"] == "agent1"
    lead = api.call("POST", "/api/v1/auth/token", as_user=None, json={"username": "lead1", "password": "demo"})
    assert lead.json()["agent"]["role"] == "lead"
    me = api.call("GET", "/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"}, as_user=None)
    assert me.json()["id"] == "a-agent1"


@pytest.mark.parametrize("credentials", [{"username": "agent2", "password": "wrong"},
                                         {"username": "nobody", "password": "demo"}])
def test_bad_credentials_are_401(api: Api, credentials: dict[str, str]) -> None:
    _assert_error(api.call("POST", "/api/v1/auth/token", as_user=None, json=credentials), 401, "invalid_credentials")


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/v1/changes"), ("GET", "/api/v1/me"), ("GET", "/api/v1/conversations/cv-000001"),
    ("POST", "/api/v1/conversations/cv-000001/messages"), ("PATCH", "/api/v1/conversations/cv-000001"),
    ("GET", "/api/v1/queues/stats"),
])
def test_endpoints_need_a_valid_token(api: Api, method: str, path: str) -> None:
    body = _assert_error(api.call(method, path, as_user=None, json={"body": "x"}), 401, "unauthorized")
    assert body["error"]["message"]
    bad = api.call(method, path, as_user=None, headers={"Authorization": "Bearer not-a-token"}, json={"body": "x"})
    _assert_error(bad, 401, "unauthorized")
    assert bad.headers["WWW-Authenticate"] == "Bearer"


# -- the change feed ------------------------------------------------------------------------------


def test_walking_the_feed_in_pages_gives_every_record_once(api: Api, server: EmbeddedServer) -> None:
    changes, cursor = api.feed(limit=137)
    keys = Counter((change["entity"], change["id"]) for change in changes)
    assert max(keys.values()) == 1
    counts = demo_database(server).counts()
    assert Counter(entity for entity, _ in keys) == Counter(counts)
    for change in changes:
        assert change["op"] == "upsert" and change["version"] == change["data"]["version"]
        PARSERS[change["entity"]](change["id"], change["data"])  # the client's own validation
    again = api.call("GET", "/api/v1/changes", params={"cursor": cursor}).json()
    assert again == {"changes": [], "cursor": cursor, "has_more": False}


def test_first_page_shape(api: Api) -> None:
    page = api.call("GET", "/api/v1/changes", params={"limit": 5}).json()
    assert set(page) == {"changes", "cursor", "has_more"}
    assert len(page["changes"]) == 5 and page["has_more"] is True and isinstance(page["cursor"], str)
    assert set(page["changes"][0]) == {"entity", "id", "op", "version", "data"}


def test_incremental_pull_returns_just_what_changed(api: Api) -> None:
    _, cursor = api.feed()
    conversation = _find(api, status="open")
    reply = api.call("POST", f"/api/v1/conversations/{conversation['id']}/messages",
                     headers={"Idempotency-Key": _key()}, json={"kind": "reply", "body": "已为您处理，请查收。"})
    assert reply.status_code == 201
    changes, _ = api.feed(cursor)
    assert sorted((c["entity"], c["id"]) for c in changes) == [
        ("conversation", conversation["id"]), ("message", reply.json()["id"])]
    changed = next(c for c in changes if c["entity"] == "conversation")
    assert changed["version"] == conversation["version"] + 1


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5"])
def test_bad_cursor_is_400(api: Api, cursor: str) -> None:
    _assert_error(api.call("GET", "/api/v1/changes", params={"cursor": cursor}), 400, "bad_cursor")


def test_cursor_from_another_database_is_410(api: Api) -> None:
    _assert_error(api.call("GET", "/api/v1/changes", params={"cursor": "999999999"}), 410)


@pytest.mark.parametrize("limit", [0, 2001, "many"])
def test_limit_out_of_range_is_422(api: Api, limit: Any) -> None:
    _assert_error(api.call("GET", "/api/v1/changes", params={"limit": limit}), 422, "validation_error")


def test_compacted_cursor_is_410_but_a_fresh_start_works(small_api: tuple[Api, EmbeddedServer]) -> None:
    api, server = small_api
    first = api.call("GET", "/api/v1/changes", params={"limit": 10}).json()
    old_cursor = first["cursor"]
    _, latest = api.feed()
    demo_database(server).compact(int(latest))
    body = _assert_error(api.call("GET", "/api/v1/changes", params={"cursor": old_cursor}), 410, "cursor_expired")
    assert "resync" in body["error"]["message"]
    assert api.call("GET", "/api/v1/changes", params={"cursor": latest}).status_code == 200
    everything, _ = api.feed()
    assert len(everything) == sum(demo_database(server).counts().values())


# -- posting messages -----------------------------------------------------------------------------


def test_same_idempotency_key_twice_makes_one_message(api: Api) -> None:
    conversation = _find(api, status="open")
    path = f"/api/v1/conversations/{conversation['id']}/messages"
    key = _key()
    first = api.call("POST", path, headers={"Idempotency-Key": key}, json={"kind": "reply", "body": "Refund sent."})
    second = api.call("POST", path, headers={"Idempotency-Key": key}, json={"kind": "reply", "body": "Refund sent."})
    assert first.status_code == 201 and second.status_code in (200, 201)
    assert first.json() == second.json()
    assert first.json()["idempotency_key"] == key
    after = api.call("GET", f"/api/v1/conversations/{conversation['id']}").json()
    assert after["message_count"] == conversation["message_count"] + 1
    assert after["version"] == conversation["version"] + 1
    messages = api.call("GET", f"{path}").json()
    assert sum(m["idempotency_key"] == key for m in messages) == 1


def test_same_key_for_a_different_message_is_refused(api: Api) -> None:
    conversation = _find(api, status="pending")
    path = f"/api/v1/conversations/{conversation['id']}/messages"
    key = _key()
    assert api.call("POST", path, headers={"Idempotency-Key": key}, json={"body": "one"}).status_code == 201
    _assert_error(api.call("POST", path, headers={"Idempotency-Key": key}, json={"body": "two"}), 422,
                  "idempotency_key_reused")


def test_reply_answers_a_new_conversation(api: Api) -> None:
    conversation = _find(api, status="new")
    assert conversation["waiting_since"] and conversation["first_response_at"] is None
    response = api.call("POST", f"/api/v1/conversations/{conversation['id']}/messages",
                        headers={"Idempotency-Key": _key()}, json={"kind": "reply", "body": "您好，马上为您处理。"})
    message = response.json()
    assert response.status_code == 201
    assert message["direction"] == "out" and message["author_id"] == "a-agent1" and message["id"]
    PARSERS["message"](message["id"], message)
    after = api.call("GET", f"/api/v1/conversations/{conversation['id']}")
    data = after.json()
    assert data["status"] == "open" and data["waiting_since"] is None
    assert data["first_response_at"] == message["created_at"] == data["last_message_at"]
    assert data["preview"] == "您好，马上为您处理。"
    assert data["message_count"] == conversation["message_count"] + 1
    assert after.headers["ETag"] == f'"{data["version"]}"'


def test_note_does_not_answer_the_customer(api: Api) -> None:
    conversation = _find(api, status="new")
    response = api.call("POST", f"/api/v1/conversations/{conversation['id']}/messages",
                        headers={"Idempotency-Key": _key()}, json={"kind": "note", "body": "VIP, call back"})
    assert response.status_code == 201 and response.json()["kind"] == "note"
    data = api.call("GET", f"/api/v1/conversations/{conversation['id']}").json()
    assert data["status"] == "new" and data["first_response_at"] is None
    assert data["waiting_since"] == conversation["waiting_since"] and data["preview"] == conversation["preview"]
    assert data["message_count"] == conversation["message_count"] + 1


def test_unknown_or_closed_conversation(api: Api) -> None:
    body = {"kind": "reply", "body": "hi"}
    _assert_error(api.call("POST", "/api/v1/conversations/cv-nope/messages",
                           headers={"Idempotency-Key": _key()}, json=body), 404, "not_found")
    closed = _find(api, status="closed")
    _assert_error(api.call("POST", f"/api/v1/conversations/{closed['id']}/messages",
                           headers={"Idempotency-Key": _key()}, json=body), 409)


@pytest.mark.parametrize("headers,body", [
    ({}, {"kind": "reply", "body": "no key"}),
    ({"Idempotency-Key": "k" * 129}, {"kind": "reply", "body": "key too long"}),
    ({"Idempotency-Key": "ok"}, {"kind": "reply", "body": ""}),
    ({"Idempotency-Key": "ok"}, {"kind": "reply", "body": "   "}),
    ({"Idempotency-Key": "ok"}, {"kind": "shout", "body": "x"}),
    ({"Idempotency-Key": "ok"}, {"kind": "reply"}),
    ({"Idempotency-Key": "ok"}, {"kind": "reply", "body": "x" * 100_001}),
    ({"Idempotency-Key": "ok"}, {"kind": "reply", "body": "x", "extra": 1}),
])
def test_invalid_message_requests_are_422(api: Api, headers: dict[str, str], body: dict[str, Any]) -> None:
    response = api.call("POST", "/api/v1/conversations/cv-000002/messages", headers=headers, json=body)
    error = _assert_error(response, 422, "validation_error")
    assert error["details"] and {"loc", "msg", "type"} <= set(error["details"][0])


def test_malformed_json_is_422(api: Api) -> None:
    response = api.call("POST", "/api/v1/conversations/cv-000002/messages",
                        headers={"Idempotency-Key": _key(), "Content-Type": "application/json"}, data=b"{not json")
    _assert_error(response, 422, "validation_error")


def test_two_megabyte_body_is_413(api: Api) -> None:
    big = {"kind": "reply", "body": "x" * (2 * 1024 * 1024)}
    response = api.call("POST", "/api/v1/conversations/cv-000002/messages",
                        headers={"Idempotency-Key": _key()}, json=big)
    _assert_error(response, 413, "payload_too_large")


def test_streamed_body_over_the_limit_is_413(api: Api) -> None:
    def chunks():  # no Content-Length: sent chunked
        for _ in range(32):
            yield b"x" * 65536

    # (not /inbound: its limit is larger, for files in base64; tests/server/test_server_attachments.py)
    response = api.call("POST", "/api/v1/auth/token", as_user=None,
                        headers={"Content-Type": "application/json"}, data=chunks())
    _assert_error(response, 413, "payload_too_large")


def test_unknown_route_is_json_404(api: Api) -> None:
    _assert_error(api.call("GET", "/api/v1/nothing-here"), 404, "not_found")


# -- changing a conversation ----------------------------------------------------------------------


def test_patch_with_current_version(api: Api) -> None:
    conversation = _find(api, status="open")
    path = f"/api/v1/conversations/{conversation['id']}"
    response = api.call("PATCH", path, headers={"If-Match": f'"{conversation["version"]}"'},
                        json={"priority": "urgent", "tags": ["refund", "escalated"]})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["id"] == conversation["id"] and data["priority"] == "urgent"
    assert data["tags"] == ["refund", "escalated"]
    assert data["version"] == conversation["version"] + 1
    assert response.headers["ETag"] == f'"{data["version"]}"'
    listed = api.call("PATCH", path, headers={"If-Match": f'"never-issued", "{data["version"]}"'},
                      json={"status": "pending"})
    assert listed.status_code == 200 and listed.json()["version"] == data["version"] + 1


def test_stale_if_match_is_412_with_the_current_state(api: Api) -> None:
    conversation = _find(api, status="open")
    path = f"/api/v1/conversations/{conversation['id']}"
    assert api.call("PATCH", path, json={"priority": "high" if conversation["priority"] != "high" else "low"}
                    ).status_code == 200
    response = api.call("PATCH", path, headers={"If-Match": f'"{conversation["version"]}"'},
                        json={"status": "resolved"})
    body = _assert_error(response, 412, "version_conflict")
    assert body["current"]["id"] == conversation["id"]
    assert body["current"]["version"] == conversation["version"] + 1
    assert body["current"]["status"] == "open"
    PARSERS["conversation"](body["current"]["id"], body["current"])


@pytest.mark.parametrize("status,target", [("open", "new"), ("closed", "open"), ("new", "closed")])
def test_refused_transition_is_409(api: Api, status: str, target: str) -> None:
    conversation = _find(api, status=status)
    body = _assert_error(api.call("PATCH", f"/api/v1/conversations/{conversation['id']}", json={"status": target}),
                         409, "transition_refused")
    assert body["error"]["message"]


@pytest.mark.parametrize("change,code", [({"assignee_id": "a-ghost"}, "unknown_assignee"),
                                         ({"queue_id": "q-ghost"}, "unknown_queue"),
                                         ({"status": "done"}, "validation_error"),
                                         ({"priority": None}, "validation_error"),
                                         ({"colour": "red"}, "validation_error")])
def test_invalid_patch_is_422(api: Api, change: dict[str, Any], code: str) -> None:
    _assert_error(api.call("PATCH", "/api/v1/conversations/cv-000003", json=change), 422, code)


def test_assign_unassign_and_requeue(api: Api) -> None:
    """A lead may assign to anyone and move queues by PATCH (agents may not: tests/server/test_server_authorization.py)."""
    conversation = _find(api, status="new", assignee_id=None)
    path = f"/api/v1/conversations/{conversation['id']}"
    assigned = api.call("PATCH", path, as_user="lead1",
                        json={"assignee_id": "a-agent2", "queue_id": "q-complaints"}).json()
    assert assigned["assignee_id"] == "a-agent2" and assigned["queue_id"] == "q-complaints"
    unassigned = api.call("PATCH", path, as_user="lead1", json={"assignee_id": None}).json()
    assert unassigned["assignee_id"] is None and unassigned["version"] == assigned["version"] + 1
    same = api.call("PATCH", path, as_user="lead1", json={"assignee_id": None})
    assert same.json()["version"] == unassigned["version"]  # nothing changed, no new version


@pytest.mark.parametrize("tag", ['"stale-0"', '"abc"', '""', '"0"', "W/\"{version}\"", '"{version}-x"'])
def test_a_well_formed_tag_that_does_not_match_is_412_with_the_current_record(api: Api, tag: str) -> None:
    """RFC 9110 §13.1.1: any entity-tag the server does not hold now (stale, never issued, weak: the
    comparison is strong) fails the precondition; it is not a syntax error."""
    conversation = _find(api, status="open")
    header = tag.replace("{version}", str(conversation["version"]))
    response = api.call("PATCH", f"/api/v1/conversations/{conversation['id']}", headers={"If-Match": header},
                        json={"priority": "low" if conversation["priority"] != "low" else "high"})
    body = _assert_error(response, 412, "version_conflict")
    assert body["current"]["id"] == conversation["id"]
    assert body["current"]["version"] == conversation["version"]  # nothing was applied
    assert response.headers["ETag"] == f'"{conversation["version"]}"'


def test_if_match_star_matches_any_existing_record(api: Api) -> None:
    conversation = _find(api, status="open")
    response = api.call("PATCH", f"/api/v1/conversations/{conversation['id']}", headers={"If-Match": "*"},
                        json={"priority": "low" if conversation["priority"] != "low" else "high"})
    assert response.status_code == 200, response.text
    assert response.json()["version"] == conversation["version"] + 1
    _assert_error(api.call("PATCH", "/api/v1/conversations/cv-nope", headers={"If-Match": "*"},
                           json={"priority": "low"}), 404)


@pytest.mark.parametrize("header", ["abc", "7", '"7', "W/7", '"7" "8"', '"7";', ",", "**", '"a b"'])
def test_only_a_broken_if_match_header_is_400(api: Api, header: str) -> None:
    _assert_error(api.call("PATCH", "/api/v1/conversations/cv-000003", headers={"If-Match": header},
                           json={"priority": "low"}), 400, "bad_if_match")


def test_unknown_conversation_is_404(api: Api) -> None:
    _assert_error(api.call("PATCH", "/api/v1/conversations/cv-nope", json={"priority": "low"}), 404)


# -- inbound channels -----------------------------------------------------------------------------


def _inbound(api: Api, body: dict[str, Any], key: str | None = KEY) -> Any:
    headers = {"X-Integration-Key": key} if key is not None else {}
    return api.call("POST", "/api/v1/inbound", as_user=None, headers=headers, json=body)


def test_inbound_creates_then_appends_and_deduplicates(api: Api) -> None:
    phone = f"+86 139{uuid.uuid4().int % 10**8:08d}"
    first = _inbound(api, {"channel": "chat", "customer": {"name": "张伟", "phone": phone},
                           "subject": "", "body": "你好，我想投诉快递太慢了", "external_id": "wx-1-" + phone})
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["created"] is True
    conversation = api.call("GET", f"/api/v1/conversations/{created['conversation_id']}").json()
    assert conversation["status"] == "new" and conversation["queue_id"] == "q-complaints"
    assert conversation["customer_id"] == created["customer_id"] and conversation["message_count"] == 1
    assert conversation["waiting_since"] and conversation["first_response_due"] and conversation["resolution_due"]
    PARSERS["conversation"](conversation["id"], conversation)

    second = _inbound(api, {"channel": "chat", "customer": {"name": "张伟", "phone": phone.replace(" ", "")},
                            "body": "还在吗？", "external_id": "wx-2-" + phone})
    assert second.status_code == 201 and second.json()["created"] is False
    assert second.json()["conversation_id"] == created["conversation_id"]
    assert second.json()["customer_id"] == created["customer_id"]

    repeat = _inbound(api, {"channel": "chat", "customer": {"name": "张伟", "phone": phone},
                            "body": "还在吗？", "external_id": "wx-2-" + phone})
    assert repeat.status_code == 200 and repeat.json() == second.json()
    after = api.call("GET", f"/api/v1/conversations/{created['conversation_id']}").json()
    assert after["message_count"] == 2 and after["preview"] == "还在吗？"
    assert after["waiting_since"] == conversation["waiting_since"]


def test_inbound_wakes_a_pending_conversation_of_a_known_customer(api: Api, server: EmbeddedServer) -> None:
    conversation = _find(api, status="pending", channel="email")
    customer = demo_database(server).get("customer", conversation["customer_id"])
    assert customer is not None
    contact = {"name": customer["name"], "phone": (customer["phones"] or [None])[0]}
    response = _inbound(api, {"channel": "email", "customer": contact, "subject": "Re: order",
                              "body": "Any news?", "external_id": _key()})
    assert response.status_code == 201 and response.json()["customer_id"] == conversation["customer_id"]
    woken = api.call("GET", f"/api/v1/conversations/{response.json()['conversation_id']}").json()
    assert woken["status"] in ("open", "new")
    assert woken["waiting_since"] is not None


@pytest.mark.parametrize("text,tier_queue", [("What is the price of the X10?", "q-presales"),
                                             ("My parcel is late", "q-aftersales")])
def test_inbound_routes_new_contacts_by_keywords(api: Api, text: str, tier_queue: str) -> None:
    response = _inbound(api, {"channel": "web", "customer": {"name": "Emily Clarke", "email": f"{_key()}@example.com"},
                              "subject": "Web form", "body": text, "external_id": _key()})
    conversation = api.call("GET", f"/api/v1/conversations/{response.json()['conversation_id']}").json()
    assert conversation["queue_id"] == tier_queue


def test_inbound_needs_the_integration_key(api: Api) -> None:
    body = {"channel": "chat", "customer": {"name": "x"}, "body": "hi"}
    _assert_error(_inbound(api, body, key="wrong"), 401, "unauthorized")
    _assert_error(_inbound(api, body, key=None), 401, "unauthorized")
    _assert_error(_inbound(api, {"channel": "fax", "customer": {"name": "x"}, "body": "hi"}), 422)


def test_inbound_without_a_configured_key_is_503(tmp_path: Any) -> None:
    server = EmbeddedServer()
    url = server.start(tmp_path / "nokey.sqlite3", demo=False, integration_key=None)
    try:
        response = Api(url).call("POST", "/api/v1/inbound", as_user=None, headers={"X-Integration-Key": "x"},
                                 json={"channel": "chat", "customer": {"name": "x"}, "body": "hi"})
        _assert_error(response, 503, "inbound_disabled")
        assert response.headers["Retry-After"]
    finally:
        server.stop()


# -- the rest -------------------------------------------------------------------------------------


def test_queue_stats_and_agent_state(api: Api) -> None:
    stats = api.call("GET", "/api/v1/queues/stats", as_user="lead1").json()
    assert {row["queue_id"] for row in stats} >= {"q-presales", "q-aftersales", "q-complaints", "q-key-accounts"}
    assert all(row["open_total"] == row["new"] + row["open"] + row["pending"] for row in stats)
    _, cursor = api.feed()
    me = api.call("PATCH", "/api/v1/me", as_user="agent3", json={"state": "break"})
    assert me.status_code == 200 and me.json()["state"] == "break"
    changes, _ = api.feed(cursor)
    assert [(c["entity"], c["id"], c["data"]["state"]) for c in changes] == [("agent", "a-agent3", "break")]
    _assert_error(api.call("PATCH", "/api/v1/me", json={"state": "asleep"}), 422)


def test_if_match_parsing_follows_rfc_9110() -> None:
    from agent_desktop.server.errors import ApiError
    from agent_desktop.server.preconditions import parse_if_match

    assert parse_if_match(None) is None
    assert parse_if_match(" * ").matches("12")
    listed = parse_if_match('"1" , W/"2",, "3"')
    assert listed.strong_tags == {"1", "3"}
    assert listed.matches("3") and not listed.matches("2")  # weak tags never match strongly
    assert not parse_if_match('W/"5"').matches("5")
    for broken in ("", "   ", "5", '"5', '"5"x', 'w/"5"'):
        with pytest.raises(ApiError) as raised:
            parse_if_match(broken)
        assert raised.value.status == 400
