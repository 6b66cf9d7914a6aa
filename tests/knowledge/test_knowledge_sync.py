"""Against a real reference server: the feed brings scripts and articles; personal scripts,
feedback and usage go up through the outbox exactly once, also after an offline spell."""

from __future__ import annotations

import socket
import uuid

import pytest
import requests

from agent_desktop.backends.base import NetworkError
from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.services.knowledge import KnowledgeService
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database, outbox
from tests.helpers import RunningServer, run_private


@pytest.fixture(scope="module")
def kserver(tmp_path_factory):
    running = RunningServer(tmp_path_factory.mktemp("kserver") / "server.sqlite3")
    yield running
    running.stop()


def run(coro):
    return run_private(coro)


def make(server: RunningServer, path, username: str = "agent1"):
    backend = ReferenceBackend(server.url)
    signed = backend.sign_in(username, "demo")
    db = Database(path)
    return SyncEngine(db, backend), KnowledgeService(db, signed.agent), signed.agent


def server_scripts(server: RunningServer, title: str) -> list[dict]:
    return [data for (entity, _id), data in server.feed().items() if entity == "script" and data["title"] == title]


def test_pull_mirrors_scripts_and_articles(kserver, tmp_path):
    engine, service, _agent = make(kserver, tmp_path / "c.sqlite3")
    engine.pull()
    counts = kserver.counts()
    reader = engine.db.reader()
    assert counts["script"] >= 60 and counts["faq_article"] >= 200
    assert reader.execute("SELECT count(*) FROM scripts").fetchone()[0] == counts["script"]
    assert reader.execute("SELECT count(*) FROM faq_articles").fetchone()[0] == counts["faq_article"]
    languages = {row[0] for row in reader.execute("SELECT DISTINCT language FROM scripts")}
    categories = {row[0] for row in reader.execute("SELECT DISTINCT category FROM scripts")}
    assert languages == {"zh", "en"} and {"presales", "aftersales", "complaints"} <= categories
    assert reader.execute("SELECT count(*) FROM scripts WHERE kind='guided'").fetchone()[0] >= 3
    service.close()
    engine.db.close()


def test_personal_script_created_offline_syncs_exactly_once(kserver, tmp_path):
    path = tmp_path / "c.sqlite3"
    engine, service, _agent = make(kserver, path)
    engine.pull()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    engine.backend.http.base_url = f"http://127.0.0.1:{dead_port}"
    title = f"离线话术 {uuid.uuid4().hex[:6]}"
    script_id = run(service.create_personal(title, "{{customer.name | 您}}好，稍后回电。", shortcut="later"))
    # Shown and searchable at once, while offline.
    assert [s["id"] for s in service.scripts_now("稍后回电")] == [script_id]
    with pytest.raises(NetworkError):
        engine.push()
    assert len(outbox.items(engine.db.reader())) == 1
    service.close()
    engine.db.close()

    # "Restart": a new process opens the same cache; the server is reachable again.
    engine, service, _agent = make(kserver, path)
    engine.db.write_sync(lambda conn: conn.execute("UPDATE outbox SET next_attempt_at=0"))
    # The first attempt reached the server but its answer was lost: resending the same key must not duplicate.
    item = outbox.items(engine.db.reader())[0]
    engine.backend.create_script(item.payload, item.key)
    result = engine.push()
    assert result.sent == 1 and result.failed == 0
    engine.pull()
    on_server = server_scripts(kserver, title)
    assert len(on_server) == 1
    assert on_server[0]["scope"] == "personal" and on_server[0]["owner_id"] == "a-agent1"
    local = service.script(script_id)
    assert local["pending"] == 0 and local["version"] == on_server[0]["version"]
    assert engine.push().sent == 0   # nothing left to send
    service.close()
    engine.db.close()


def test_edit_and_delete_personal_script_reach_the_server(kserver, tmp_path):
    engine, service, _agent = make(kserver, tmp_path / "c.sqlite3")
    engine.pull()
    script_id = run(service.create_personal("待修改", "原文", category="presales"))
    run(service.update_personal(script_id, title="已修改", body="新文"))
    assert service.script(script_id)["title"] == "已修改"
    assert engine.push().sent == 2
    engine.pull()
    assert server_scripts(kserver, "已修改")[0]["body"] == "新文"
    run(service.delete_personal(script_id))
    assert service.script(script_id) is None and service.scripts_now("新文") == []
    assert engine.push().sent == 1
    engine.pull()
    assert server_scripts(kserver, "已修改") == []
    assert engine.db.reader().execute("SELECT count(*) FROM scripts WHERE id=?", (script_id,)).fetchone()[0] == 0
    service.close()
    engine.db.close()


def test_shared_scripts_cannot_be_changed_by_an_agent(kserver, tmp_path):
    engine, service, _agent = make(kserver, tmp_path / "c.sqlite3")
    engine.pull()
    with pytest.raises(PermissionError):
        run(service.update_personal("s-001-zh", title="改掉"))
    service.close()
    engine.db.close()


def test_usage_and_feedback_are_counted_once_on_the_server(kserver, tmp_path):
    engine, service, _agent = make(kserver, tmp_path / "c.sqlite3")
    engine.pull()
    script_before = service.script("s-002-zh")["used_count"]
    article_before = service.article("kb-zh-01-01")
    run(service.record_use("script", "s-002-zh"))
    run(service.record_use("faq_article", "kb-zh-01-01"))
    run(service.feedback("kb-zh-01-01", helpful=False))
    assert service.script("s-002-zh")["used_count"] == script_before + 1   # shown before it is synced
    assert engine.push().sent == 3
    engine.pull()
    feed = kserver.feed()
    assert feed[("script", "s-002-zh")]["used_count"] == script_before + 1
    assert feed[("faq_article", "kb-zh-01-01")]["used_count"] == article_before["used_count"] + 1
    assert feed[("faq_article", "kb-zh-01-01")]["not_helpful_count"] == article_before["not_helpful_count"] + 1
    after = service.article("kb-zh-01-01")
    assert after["used_count"] == article_before["used_count"] + 1 and after["my_feedback"] == "not_helpful"
    service.close()
    engine.db.close()


def test_server_idempotency_and_validation(kserver):
    token = kserver.token()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    body = {"id": "ps-" + uuid.uuid4().hex, "title": "t", "body": "b"}
    first = requests.post(f"{kserver.url}/api/v1/scripts", json=body, headers=headers, timeout=10)
    again = requests.post(f"{kserver.url}/api/v1/scripts", json=body, headers=headers, timeout=10)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    reused = requests.post(f"{kserver.url}/api/v1/scripts", json={**body, "title": "other"}, headers=headers,
                           timeout=10)
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"
    bad_id = requests.post(f"{kserver.url}/api/v1/scripts", json={**body, "id": "../x"},
                           headers={**headers, "Idempotency-Key": uuid.uuid4().hex}, timeout=10)
    assert bad_id.status_code == 422
    other = kserver.token("agent2")
    foreign = requests.delete(f"{kserver.url}/api/v1/scripts/{body['id']}",
                              headers={"Authorization": f"Bearer {other}", "Idempotency-Key": "k"}, timeout=10)
    assert foreign.status_code == 403
    missing = requests.post(f"{kserver.url}/api/v1/faq/nope/feedback", json={"helpful": True},
                            headers={**headers, "Idempotency-Key": uuid.uuid4().hex}, timeout=10)
    assert missing.status_code == 404
