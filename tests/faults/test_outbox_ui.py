"""The Outbox view against a real server: a 412 shows both versions and the agent chooses;
a refused reply can be edited, retried, copied or discarded — never silently dropped."""

from __future__ import annotations

import pytest
import requests
from PySide6.QtWidgets import QApplication

from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.services.conversations import ConversationService
from agent_desktop.services.outbox_service import OutboxService
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database, outbox
from agent_desktop.ui.outbox_dialog import OutboxDialog
from tests.helpers import RunningServer
from tests.ui.conftest import run_until


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = RunningServer(tmp_path_factory.mktemp("server") / "server.sqlite3")
    yield running
    running.stop()


@pytest.fixture
def rig(server, tmp_path):
    backend = ReferenceBackend(server.url)
    agent = backend.sign_in("agent1", "demo").agent
    db = Database(tmp_path / "cache.sqlite3")
    engine = SyncEngine(db, backend)
    engine.pull()
    yield engine, ConversationService(db, agent), server
    db.close()


def _someone_else_sets(server: RunningServer, conversation_id: str, **fields) -> dict:
    answer = requests.patch(f"{server.url}/api/v1/conversations/{conversation_id}", json=fields,
                            headers={"Authorization": f"Bearer {server.token('lead1')}"}, timeout=10)
    answer.raise_for_status()
    return answer.json()


def _open_target(db: Database) -> str:
    return db.reader().execute(
        "SELECT id FROM conversations WHERE status IN ('open','new') AND priority != 'urgent' ORDER BY id DESC"
    ).fetchone()[0]


def _conflict(engine: SyncEngine, server: RunningServer) -> tuple[str, str]:
    target = _open_target(engine.db)
    key = engine.db.write_sync(outbox.enqueue_patch, target, {"priority": "urgent", "tags": ["mine"]})
    _someone_else_sets(server, target, priority="low", tags=["theirs"])
    assert engine.push().conflicts == 1
    return target, key


def test_a_conflict_shows_both_versions_and_keep_mine_wins(rig, qtbot, loop):
    engine, service, server = rig
    target, _key = _conflict(engine, server)
    dialog = OutboxDialog(OutboxService(service))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.list.count() == 1 and dialog.keep_mine.isEnabled() and dialog.take_theirs.isEnabled()
    table = dialog.fields
    assert table.columnCount() == 4      # mine, theirs, and the base both started from
    rows = {table.item(r, 0).text(): tuple(table.item(r, c).text() for c in (1, 2, 3)) for r in range(table.rowCount())}
    assert rows["Tags"][:2] == ("mine", "theirs") and rows["Tags"][2] != "theirs"
    assert rows["Priority"][:2] == ("Urgent", "Low") and rows["Priority"][2]    # the base is shown too
    assert "changed on the server meanwhile: priority" in dialog.error.text()   # the field, not a version
    dialog.keep_mine.click()
    run_until(loop, lambda: outbox.items(engine.db.reader())[0].state == outbox.QUEUED)
    assert engine.push().sent == 1
    now = server.conversation(target)
    # Mine wins the field both changed; tags travel as what I added, so theirs stays beside mine.
    assert (now["priority"], now["tags"]) == ("urgent", ["theirs", "mine"])
    run_until(loop, lambda: True)
    dialog.reload()
    assert dialog.list.count() == 0 and "Nothing waiting" in dialog.info.text()


def test_take_theirs_drops_my_change_and_shows_the_server_state(rig, qtbot, loop):
    engine, service, server = rig
    target, _key = _conflict(engine, server)
    dialog = OutboxDialog(OutboxService(service))
    qtbot.addWidget(dialog)
    dialog.take_theirs.click()
    run_until(loop, lambda: not outbox.items(engine.db.reader()))
    local = engine.db.reader().execute("SELECT priority, tags FROM conversations WHERE id=?", (target,)).fetchone()
    assert local == ("low", '["theirs"]')
    assert server.conversation(target)["priority"] == "low"


def test_a_refused_reply_is_edited_and_sent_or_copied_or_discarded(rig, qtbot, loop, monkeypatch):
    engine, service, server = rig
    target = _open_target(engine.db)
    before = server.conversation(target)["message_count"]
    engine.db.write_sync(outbox.enqueue_message, target, "reply", "   ", "a", "Agent")   # the server says 422
    second = engine.db.write_sync(outbox.enqueue_message, target, "note", "\t", "a", "Agent")
    assert engine.push().failed == 2
    dialog = OutboxDialog(OutboxService(service))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.list.count() == 2 and "refused" in dialog.list.item(0).text()
    assert dialog.error.text()  # the server's reason is shown
    assert not dialog.editor.isReadOnly()
    dialog.editor.setPlainText("您好，您的退款已处理。")
    dialog.save.click()
    run_until(loop, lambda: len(outbox.items(engine.db.reader(), (outbox.QUEUED,))) == 1)
    assert engine.push().sent == 1
    assert server.conversation(target)["message_count"] == before + 1
    bodies = [m["body"] for m in service.messages(target)]
    assert bodies.count("您好，您的退款已处理。") == 1
    # The other one: copy keeps the text, discard asks first and then removes it with its local copy.
    run_until(loop, lambda: True)
    dialog.reload()
    assert dialog.list.count() == 1
    dialog.copy.click()
    assert QApplication.clipboard().text() == "\t"
    monkeypatch.setattr(dialog, "confirm_discard", lambda _item: False)
    dialog.discard.click()
    assert len(outbox.items(engine.db.reader())) == 1
    monkeypatch.setattr(dialog, "confirm_discard", lambda _item: True)
    dialog.discard.click()
    run_until(loop, lambda: not outbox.items(engine.db.reader()))
    assert engine.db.reader().execute("SELECT count(*) FROM messages WHERE id=?", (f"local:{second}",)).fetchone()[0] == 0
