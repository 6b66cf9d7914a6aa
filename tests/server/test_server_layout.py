"""The server's shape: no import cycle among its modules, and one Idempotency-Key helper and table
behind every idempotent endpoint (also for databases written before there was only one)."""

from __future__ import annotations

import ast
import hashlib
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent_desktop.server import db as store
from agent_desktop.server.app import create_app
from agent_desktop.server.db import Database
from agent_desktop.server.demo_data import load_demo

SERVER = Path(__file__).resolve().parents[2] / "agent_desktop" / "server"
LEGACY_TABLES = ("idempotency_keys", "knowledge_idempotency", "workflow_idempotency")


# -- imports --------------------------------------------------------------------------------------


def _server_imports(path: Path) -> set[str]:
    """Server modules `path` imports, anywhere in the file (a function-level import is an edge too)."""
    modules = {p.stem for p in SERVER.glob("*.py")}
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                names = [node.module.split(".")[0]] if node.module else [alias.name for alias in node.names]
            elif node.level == 0 and (node.module or "").startswith("agent_desktop.server"):
                parts = (node.module or "").split(".")
                names = [parts[2]] if len(parts) > 2 else [alias.name for alias in node.names]
            else:
                continue
        elif isinstance(node, ast.Import):
            names = [a.name.split(".")[2] for a in node.names if a.name.startswith("agent_desktop.server.")]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_server_modules_import_without_a_cycle() -> None:
    graph = {path.stem: _server_imports(path) for path in SERVER.glob("*.py")}
    assert graph["app"] >= {"knowledge", "stats_api", "workflow", "deps"}  # the checker sees real edges
    assert _cycle(graph) is None, " → ".join(_cycle(graph) or [])


def test_the_cycle_check_can_fail() -> None:
    assert _cycle({"app": {"knowledge"}, "knowledge": {"deps", "app"}, "deps": set()}) == ["app", "knowledge", "app"]


def test_feature_routers_take_their_dependencies_from_deps() -> None:
    for router in ("knowledge", "stats_api", "workflow"):
        imports = _server_imports(SERVER / f"{router}.py")
        assert "deps" in imports and "app" not in imports, router


def test_only_the_helper_touches_the_idempotency_table() -> None:
    users = {path.name for path in SERVER.glob("*.py")
             if "idempotent_requests" in path.read_text(encoding="utf-8")
             or "idempotency_key_reused" in path.read_text(encoding="utf-8")}
    assert users == {"idempotency.py", "db.py"}  # db.py only creates it


# -- one helper, one table ------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    path = tmp_path / "server.sqlite3"
    database = Database(path)
    load_demo(database, customers=20, conversations=40)
    database.close()
    yield from _serve(path)


def _serve(path: Path) -> Iterator[tuple[TestClient, Path]]:
    with TestClient(create_app(path, integration_key=None)) as client:
        token = client.post("/api/v1/auth/token", json={"username": "agent1", "password": "demo"}).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client, path


def _rows(path: Path, key: str) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT agent_id, key FROM idempotent_requests WHERE key = ?", (key,)).fetchall()


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _open_conversation(path: Path) -> tuple[str, dict]:
    with sqlite3.connect(path) as conn:
        cid, data = conn.execute("SELECT id, data FROM conversations WHERE status = 'open' ORDER BY id LIMIT 1").fetchone()
    return cid, json.loads(data)


def _twice(client: TestClient, method: str, url: str, body: dict, key: str):  # noqa: ANN202
    first = client.request(method, url, json=body, headers={"Idempotency-Key": key})
    again = client.request(method, url, json=body, headers={"Idempotency-Key": key})
    return first, again


def test_message_transfer_and_script_replay_from_the_one_table(served) -> None:
    client, path = served
    cid, conversation = _open_conversation(path)
    queue = "q-complaints" if conversation["queue_id"] != "q-complaints" else "q-aftersales"
    writes = [
        ("POST", f"/api/v1/conversations/{cid}/messages", {"kind": "reply", "body": "已为您退款。"}),
        ("POST", f"/api/v1/conversations/{cid}/transfer", {"queue_id": queue, "note": "退款已核实，请跟进"}),
        ("POST", "/api/v1/scripts", {"id": "ps-" + uuid.uuid4().hex, "title": "退款", "body": "已为您退款。"}),
    ]
    for method, url, body in writes:
        key = uuid.uuid4().hex
        first, again = _twice(client, method, url, body, key)
        assert (first.status_code, again.status_code) == (201, 200), (url, first.text)
        assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true", url
        assert _rows(path, key) == [("a-agent1", key)], url
        refused = client.request(method, url, json={**body, "body" if "body" in body else "note": "别的"},
                                 headers={"Idempotency-Key": key})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "idempotency_key_reused", url
    with sqlite3.connect(path) as conn:  # one transfer note, one reply, one script: nothing written twice
        notes = conn.execute("SELECT count(*) FROM messages WHERE conversation_id = ? "
                             "AND json_extract(data, '$.event') = 'transfer'", (cid,)).fetchone()[0]
        replies = conn.execute("SELECT count(*) FROM messages WHERE conversation_id = ? "
                               "AND json_extract(data, '$.body') = '已为您退款。'", (cid,)).fetchone()[0]
    assert (notes, replies) == (1, 1)
    assert not _tables(path) & set(LEGACY_TABLES)


def test_keys_are_scoped_per_agent(served) -> None:
    client, path = served
    cid, _ = _open_conversation(path)
    key, url = uuid.uuid4().hex, f"/api/v1/conversations/{cid}/messages"
    mine = client.post(url, json={"body": "one"}, headers={"Idempotency-Key": key})
    other = client.post("/api/v1/auth/token", json={"username": "agent2", "password": "demo"}).json()["token"]
    theirs = client.post(url, json={"body": "two"}, headers={"Idempotency-Key": key, "Authorization": f"Bearer {other}"})
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert sorted(_rows(path, key)) == [("a-agent1", key), ("a-agent2", key)]


# -- a database written by an older server --------------------------------------------------------

_LEGACY_SCHEMA = """
DROP TABLE idempotent_requests;
CREATE TABLE idempotency_keys (
    agent_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    message_id TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (agent_id, key));
CREATE TABLE knowledge_idempotency (
    agent_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
    response TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (agent_id, key));
CREATE TABLE workflow_idempotency (
    agent_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, response TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (agent_id, key));
"""


def _old_fingerprint(request: object) -> str:  # as knowledge.py and workflow_ops.py computed it
    return hashlib.sha256(json.dumps(request, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def test_keys_stored_by_an_older_server_still_replay(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    database = Database(path)
    load_demo(database, customers=20, conversations=40)
    cid, _ = _open_conversation(path)
    now = "2024-05-01T08:00:00Z"
    message = {"conversation_id": cid, "kind": "reply", "direction": "out", "author_id": "a-agent1",
               "author_name": "陈静", "body": "旧的回复", "created_at": now, "idempotency_key": "k-msg"}
    script = {"id": "ps-" + "a" * 32, "title": "t", "body": "b", "category": "general", "language": "zh",
              "shortcut": "", "tags": []}
    script_answer = {**script, "scope": "personal", "owner_id": "a-agent1", "kind": "text", "used_count": 0,
                     "updated_at": now, "version": 1}
    callback = {"customer_id": "c-00001", "conversation_id": None, "agent_id": None,
                "due_at": "2030-01-01T09:00:00Z", "note": ""}
    callback_answer = {"id": "cb-old", "customer_id": "c-00001", "status": "scheduled", "version": 1}
    with database.transaction() as conn:
        stored = store.store(conn, "message", "m-old", message)
    database.close()
    with sqlite3.connect(path) as conn:
        conn.executescript(_LEGACY_SCHEMA)
        conn.execute("INSERT INTO idempotency_keys VALUES (?, ?, ?, ?, ?)", (
            "a-agent1", "k-msg", hashlib.sha256(f"{cid}\0reply\0旧的回复".encode()).hexdigest(), "m-old", now))
        conn.execute("INSERT INTO knowledge_idempotency VALUES (?, ?, ?, ?, ?, ?)", (
            "a-agent1", "k-script", _old_fingerprint(("create", script)), 201, json.dumps(script_answer), now))
        conn.execute("INSERT INTO workflow_idempotency VALUES (?, ?, ?, ?, ?)", (
            "a-agent1", "k-cb", _old_fingerprint({"op": "callback", **callback}), json.dumps(callback_answer), now))

    for client, _ in _serve(path):
        sent = client.post(f"/api/v1/conversations/{cid}/messages", json={"kind": "reply", "body": "旧的回复"},
                           headers={"Idempotency-Key": "k-msg"})
        assert sent.status_code == 200 and sent.json()["id"] == "m-old"
        assert sent.json()["version"] == stored["version"]
        made = client.post("/api/v1/scripts", json=script, headers={"Idempotency-Key": "k-script"})
        assert made.status_code == 200 and made.json() == script_answer
        booked = client.post("/api/v1/callbacks", json={"customer_id": "c-00001", "due_at": callback["due_at"]},
                             headers={"Idempotency-Key": "k-cb"})
        assert booked.status_code == 200 and booked.json() == callback_answer
    assert not _tables(path) & set(LEGACY_TABLES)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM messages WHERE json_extract(data, '$.body') = '旧的回复'"
                            ).fetchone()[0] == 1
