"""A reply with a file under a killed client and lost answers, through the real adapter, a real
server on 127.0.0.1 and the fault proxy: the message arrives once, carrying one stored file."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

import pytest
import requests

from agent_desktop.backends.base import BackendError
from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database, conversation, outbox
from agent_desktop.store.blobs import BlobStore
from tests.faults.proxy import FaultProxy
from tests.helpers import RunningServer

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


class Rig:
    """The server (its SQLite file kept, to count stored files), a proxy whose faults the test
    scripts per request, and a cache pulled once per module, copied per test."""

    def __init__(self, workdir: Path) -> None:
        self.server_db = workdir / "server.sqlite3"
        self.server = RunningServer(self.server_db)
        self.script: deque[tuple[str, str]] = deque()   # (path fragment, fault) in order
        self.hold_messages = threading.Event()          # armed: a message post waits for `release`
        self.held = threading.Event()
        self.release = threading.Event()
        self.proxy = FaultProxy(self.server.url, self._choose, delay=3.0).start()
        self.template = workdir / "template.sqlite3"
        backend = ReferenceBackend(self.server.url)
        self.agent = backend.sign_in("agent1", "demo").agent
        db = Database(self.template)
        SyncEngine(db, backend, page_size=2000).pull()
        self.targets = [row[0] for row in db.reader().execute(
            "SELECT id FROM conversations WHERE status IN ('open','new') AND assignee_id=? ORDER BY id",
            (self.agent["id"],))]
        db.close()

    def _choose(self, method: str, path: str) -> str:
        if method == "POST" and path.split("?")[0].endswith("/messages") and self.hold_messages.is_set():
            self.held.set()
            self.release.wait(60)
            return "reset"       # never reaches the server
        if self.script and self.script[0][0] in path:
            return self.script.popleft()[1]
        return "ok"

    def messages_with(self, conversation_id: str, body: str) -> list[dict]:
        token = self.server.token("lead1")
        answer = requests.get(f"{self.server.url}/api/v1/conversations/{conversation_id}/messages",
                              headers={"Authorization": f"Bearer {token}"}, timeout=10)
        answer.raise_for_status()
        listed = answer.json()
        items = listed["messages"] if isinstance(listed, dict) else listed
        return [m for m in items if m.get("body") == body]

    def stored_uploads(self, sha: str) -> list[tuple[str | None]]:
        with sqlite3.connect(f"file:{self.server_db}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT message_id FROM attachments WHERE sha256=?", (sha,)).fetchall()

    def stop(self) -> None:
        self.release.set()
        self.proxy.stop()
        self.server.stop()


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    made = Rig(tmp_path_factory.mktemp("attachment-faults"))
    yield made
    made.stop()


def a_file(tmp_path: Path, size: int = 300_000) -> tuple[Path, str]:
    path = tmp_path / "合同.pdf"
    data = PDF + os.urandom(size)
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def _spawn(rig: Rig, cache: Path, folder: Path, target: str, file: Path, body: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.faults.attachment_worker", str(cache), str(folder),
                             rig.proxy.url, target, str(file), body],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_a_client_killed_between_upload_and_message_post_sends_the_message_once_with_one_file(rig, tmp_path):
    cache, folder = tmp_path / "cache.sqlite3", tmp_path / "attachments"
    shutil.copy(rig.template, cache)
    target = rig.targets[0]
    file, sha = a_file(tmp_path)
    body = f"signed contract attached {time.time_ns()}"
    rig.held.clear()
    rig.release.clear()
    rig.hold_messages.set()
    child = _spawn(rig, cache, folder, target, file, body)
    try:
        assert rig.held.wait(120), child.stderr.read().decode() if child.poll() is not None else "no message post"
        # The upload is on the server, the message post is in the proxy's hand: kill the client now.
        child.kill()
        child.wait(30)
    finally:
        rig.hold_messages.clear()
        rig.release.set()
    assert rig.stored_uploads(sha) == [(None,)]          # uploaded, waiting for its message
    assert rig.messages_with(target, body) == []

    again = _spawn(rig, cache, folder, target, file, body)   # the next start
    _out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    [message] = rig.messages_with(target, body)
    assert [a["sha256"] for a in message["attachments"]] == [sha]
    stored = rig.stored_uploads(sha)
    assert len(stored) == 1 and stored[0][0] == message["id"]   # the first upload, reused: stored once
    db = Database(cache)
    assert outbox.items(db.reader()) == [] and BlobStore(folder, db).pinned(sha) == 0
    db.close()


@pytest.mark.parametrize("fault", ["drop", "truncate", "delay"])
@pytest.mark.parametrize("where", ["/attachments", "/messages"])
def test_a_lost_answer_to_the_upload_or_the_post_stores_nothing_twice(rig, tmp_path, fault, where):
    cache, folder = tmp_path / "cache.sqlite3", tmp_path / "attachments"
    shutil.copy(rig.template, cache)
    target = rig.targets[1]
    db = Database(cache)
    blobs = BlobStore(folder, db)
    backend = ReferenceBackend(rig.proxy.url, timeout=(2.0, 1.5))   # the 'delay' fault outlasts it
    backend.sign_in("agent1", "demo")
    engine = SyncEngine(db, backend, blobs=blobs)
    file, sha = a_file(tmp_path, 200_000)
    digest, size = blobs.put_stream(open(file, "rb"), pin=True)
    body = f"invoice through {fault} at {where} {time.time_ns()}"
    db.write_sync(outbox.enqueue_message, target, "reply", body, rig.agent["id"], rig.agent["name"],
                  [{"sha256": digest, "name": file.name, "content_type": "application/pdf", "size": size}])
    rig.script.append((where, fault))
    with pytest.raises(BackendError):
        engine.push()
    assert not rig.script and len(outbox.items(db.reader())) == 1
    engine.clock = lambda: 1e12     # past the backoff
    assert engine.push().sent == 1
    [message] = rig.messages_with(target, body)
    assert [a["sha256"] for a in message["attachments"]] == [sha]
    assert rig.stored_uploads(sha) == [(message["id"],)]
    engine.pull()
    mine = [m for m in conversation.messages(db.reader(), target) if m["body"] == body]
    assert len(mine) == 1 and mine[0]["pending"] == 0 and [a.sha256 for a in mine[0]["attachments"]] == [sha]
    assert blobs.pinned(sha) == 0
    db.close()
