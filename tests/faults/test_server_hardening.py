"""The reference server under attack: authentication everywhere, lead-only actions, sign-in
rate limit, and a property-based run of its own OpenAPI schema that must find no 5xx."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from agent_desktop.server.app import create_app
from agent_desktop.server.throttle import KeyThrottle

PUBLIC = {("POST", "/api/v1/auth/token"), ("GET", "/healthz")}
INTEGRATION_KEY_ONLY = re.compile(r"^/api/v1/inbound")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(tmp_path_factory.mktemp("hardening") / "server.sqlite3", integration_key="demo-integration-key",
                      demo=True)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as test_client:
        yield test_client


def _token(client, username: str) -> str:
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": "demo"})
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def _operations(app):
    for path, operations in app.openapi()["paths"].items():
        for method in operations:
            yield method.upper(), path


def test_every_endpoint_but_sign_in_and_health_requires_authentication(app, client):
    checked = 0
    for method, path in _operations(app):
        if (method, path) in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "x-1", path)
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic YWdlbnQxOmRlbW8="},
                        {"X-Integration-Key": "wrong"}):
            app.state.key_throttle = KeyThrottle()  # about 401 here; wrong keys add up to 429 (tests/server)
            answer = client.request(method, url, headers=headers)
            assert answer.status_code == 401, (method, path, headers, answer.status_code, answer.text[:200])
            assert answer.headers["content-type"].startswith("application/json")
        checked += 1
    assert checked >= 10
    assert client.get("/openapi.json").status_code == 200


def test_lead_only_actions_are_forbidden_to_agents(app, client):
    agent = {"Authorization": f"Bearer {_token(client, 'agent1')}"}
    lead = {"Authorization": f"Bearer {_token(client, 'lead1')}"}
    conversation = client.get("/api/v1/changes", params={"limit": 2000}, headers=lead).json()["changes"]
    cid = next(c["id"] for c in conversation if c["entity"] == "conversation")
    aid = next(c["id"] for c in conversation if c["entity"] == "agent")
    forbidden = [
        ("PUT", f"/api/v1/agents/{aid}/queues", {"queue_ids": []}),
        ("POST", f"/api/v1/conversations/{cid}/reassign", {"assignee_id": aid}),
    ]
    lead_only = [(m, p) for m, p in _operations(app) if "403" in app.openapi()["paths"][p][m.lower()]["responses"]]
    assert len(lead_only) >= 2
    for method, url, body in forbidden:
        answer = client.request(method, url, json=body, headers=agent)
        assert answer.status_code == 403, (method, url, answer.text)
        assert answer.json()["error"]["code"] == "forbidden"


def test_sign_in_attempts_are_rate_limited(client):
    """One address and one name; the rule in full is tests/server/test_server_throttle.py."""
    statuses = [client.post("/api/v1/auth/token", json={"username": "agent2", "password": f"guess-{n}"}).status_code
                for n in range(15)]
    assert statuses[0] == 401 and statuses[-1] == 429
    limited = client.post("/api/v1/auth/token", json={"username": "agent2", "password": "demo"})
    assert limited.status_code == 429  # even the right password waits: no oracle for the guesser
    retry_after = int(limited.headers["Retry-After"])
    assert 0 < retry_after <= 3600
    assert client.post("/api/v1/auth/token", json={"username": "agent3", "password": "demo"}).status_code == 200


schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_asgi("/openapi.json", app)


fuzz = schemathesis.pytest.from_fixture("api_schema")
STATUSES: dict[int, int] = {}  # what the fuzzer got back, to see it really exercised the endpoints


@fuzz.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_openapi_schema_fuzzed_finds_no_server_error(case, client):
    token = client.app.state.fuzz_token if hasattr(client.app.state, "fuzz_token") else None
    if token is None:
        token = client.app.state.fuzz_token = _token(client, "lead1")
    headers = {"Authorization": f"Bearer {token}"}
    if case.path.startswith("/api/v1/inbound"):
        headers["X-Integration-Key"] = "demo-integration-key"
    response = case.call(headers=headers)
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])


def test_the_fuzzer_reached_past_validation():
    """Runs after the fuzz test: it must have got real answers, not only 401/422."""
    if not STATUSES:
        pytest.skip("run together with the fuzz test")
    assert sum(STATUSES.values()) >= 100
    assert any(200 <= status < 300 for status in STATUSES), STATUSES
