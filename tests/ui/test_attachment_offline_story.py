"""Issue 17's story, whole, in the real window on the real reference server behind a network the
test switches off: a customer's photo and PDF arrive and are prefetched; offline, the agent opens
the conversation from the keyboard, sees the thumbnail, opens the photo and the PDF from the cache,
pastes a screenshot into a reply and sends it; the reply waits in the outbox, shown as not sent.
When the network returns (the answer to the first upload lost on the way), the reply arrives on
the server once, carrying the pasted picture stored once."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from agent_desktop.server import files as server_files
from agent_desktop.services.session import make_backend, sign_in
from agent_desktop.services.sync_service import OFFLINE, ONLINE
from agent_desktop.store import outbox
from agent_desktop.ui.attachment_thread import anchor
from agent_desktop.ui.attachment_tray import png_bytes
from agent_desktop.ui.resources import stylesheet
from tests.faults.proxy import FaultProxy
from tests.helpers import RunningServer
from tests.ui.attachment_samples import minimal_pdf, picture
from tests.ui.conftest import Opened, run_until
from tests.workflow.test_ui_workflow import in_loop

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


class Network:
    """Between the app and the server: up or down (every connection reset, nothing reaches the
    server), and, armed, the answer to the next file upload lost after the server stored it."""

    def __init__(self, server_url: str) -> None:
        self.up = True
        self.lose_next_upload_answer = False
        self.uploads: list[str] = []            # what each upload attempt met: "down", "drop", "ok"
        self._lock = threading.Lock()
        self.proxy = FaultProxy(server_url, self._choose).start()

    def _choose(self, method: str, path: str) -> str:
        upload = method == "POST" and path.split("?")[0].rstrip("/").endswith("/attachments")
        with self._lock:
            if not self.up:
                fault = "reset"
                if upload:
                    self.uploads.append("down")
            elif upload and self.lose_next_upload_answer:
                self.lose_next_upload_answer = False
                fault = "drop"          # the server stores the file; its answer never comes back
                self.uploads.append("drop")
            else:
                fault = "ok"
                if upload:
                    self.uploads.append("ok")
            return fault


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("offline-story") / "server.sqlite3"
    running = RunningServer(path)
    running.db_path = path
    yield running
    running.stop()


@pytest.fixture
def network(server):
    made = Network(server.url)
    yield made
    made.proxy.stop()


@pytest.fixture
def window_behind(loop, qapp, network, tmp_path):
    """The app signed in to the server through `network`."""
    qapp.setStyleSheet(stylesheet())
    backend = make_backend(network.proxy.url)
    opened = Opened.on(loop, tmp_path / "home", backend, "agent1", sign_in(backend, "agent1", "demo"),
                       "offline-story")
    yield opened
    if not opened.session.db._closed:
        opened.close()


def my_email_conversation(opened: Opened) -> tuple[str, str, str]:
    """(conversation id, customer name, customer e-mail) of an open e-mail conversation of mine."""
    row = opened.session.db.reader().execute(
        "SELECT c.id, cu.name, cu.emails FROM conversations c JOIN customers cu ON cu.id = c.customer_id "
        "WHERE c.assignee_id=? AND c.channel='email' AND c.status IN ('open','new') AND cu.emails LIKE '[\"%' "
        "ORDER BY c.id LIMIT 1", (opened.session.agent["id"],)).fetchone()
    assert row is not None, "the demo data has an open e-mail conversation of agent1"
    return row[0], row[1], json.loads(row[2])[0]


def server_messages(server: RunningServer, conversation_id: str) -> list[dict]:
    answer = requests.get(f"{server.url}/api/v1/conversations/{conversation_id}/messages",
                          headers={"Authorization": f"Bearer {server.token('lead1')}"}, timeout=10)
    answer.raise_for_status()
    listed = answer.json()
    return listed["messages"] if isinstance(listed, dict) else listed


def stored_rows(server: RunningServer, sha: str) -> list[tuple[str | None, str]]:
    with sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT message_id, name FROM attachments WHERE sha256=?", (sha,)).fetchall()


def files_with_content(folder: Path, data: bytes) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file() and path.read_bytes() == data)


def test_offline_an_agent_reads_a_photo_and_a_pdf_and_the_pasted_screenshot_reply_arrives_once(
        window_behind, network, server, loop, qtbot):
    opened = window_behind
    window, session = opened.window, opened.session
    panel = window.conversation
    run_until(loop, lambda: opened.bridge.status.first_sync_done, timeout=60)
    target, name, email = my_email_conversation(opened)

    # The customer writes with a photo and a PDF; the app syncs and prefetches both, unasked.
    photo, pdf = picture(1200, 900, "PNG", "#2e7d32"), minimal_pdf(2)
    words = f"photo and invoice attached zq{time.time_ns()}"
    arrived = server.inbound(channel="email", customer={"name": name, "email": email}, subject="Broken screen",
                             body=words, attachments=[
                                 {"name": "screen.png", "content_type": "image/png",
                                  "data_base64": base64.b64encode(photo).decode()},
                                 {"name": "invoice.pdf", "content_type": "application/pdf",
                                  "data_base64": base64.b64encode(pdf).decode()}])
    assert arrived["conversation_id"] == target
    session.sync.nudge()

    def theirs() -> dict | None:
        return next((m for m in session.conversations.messages(target) if m["id"] == arrived["message_id"]), None)

    run_until(loop, lambda: theirs() is not None and all(
        session.attachments.local_path(att) is not None for att in theirs()["attachments"]), timeout=60)
    message = theirs()
    image_att, pdf_att = message["attachments"]
    assert (image_att.name, pdf_att.name) == ("screen.png", "invoice.pdf")
    assert session.attachments.local_path(image_att).read_bytes() == photo
    assert session.attachments.local_path(pdf_att).read_bytes() == pdf
    # Search covers the new message too (it is indexed locally; offline search needs no server).
    run_until(loop, lambda: not session.sync.engine.has_index_backlog(), timeout=60)

    # The network goes down; the app says so at its next attempt.
    network.up = False
    session.sync.nudge()
    run_until(loop, lambda: opened.bridge.status.state == OFFLINE, timeout=30)
    assert window.status.state_text.text().startswith("Offline: can't reach the server")

    # Offline, from the keyboard: Ctrl+K, the customer's words, Enter opens the conversation.
    window.activateWindow()
    run_until(loop, lambda: QApplication.activeWindow() is window)

    def press(key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        in_loop(loop, lambda: qtbot.keyClick(QApplication.focusWidget() or window, key, modifiers))

    def close_with_escape(dialog) -> None:
        closed: list[int] = []
        dialog.finished.connect(closed.append)     # it deletes itself once closed
        in_loop(loop, lambda: qtbot.keyClick(dialog, Qt.Key.Key_Escape))
        run_until(loop, lambda: bool(closed))

    press(Qt.Key.Key_K, CTRL)
    search = window.search
    run_until(loop, lambda: search.isVisible())
    in_loop(loop, lambda: qtbot.keyClicks(QApplication.focusWidget(), words.split()[-1]))
    run_until(loop, lambda: search.results.count() > 0)
    press(Qt.Key.Key_Return)
    run_until(loop, lambda: not search.isVisible() and panel.conversation_id == target)
    window.activateWindow()
    run_until(loop, lambda: QApplication.activeWindow() is window)

    # The thumbnail, from the cache.
    view, thread_files = panel.thread_view, panel.thread_files
    photo_sha = hashlib.sha256(photo).hexdigest()
    run_until(loop, lambda: f"agentdesktop-image:{photo_sha}/thumb" in view.document().toHtml()
              and not thread_files.busy)
    assert view.image_source(photo_sha, "thumb") is not None
    # Link labels never wrap inside themselves (word joiners, no-break spaces): read them as words.
    shown = view.toPlainText().replace("\u2060", "").replace("\u00a0", " ").splitlines()
    for att in (image_att, pdf_att):
        [line] = [line for line in shown if line.startswith(f"{att.name} · ")]
        assert "not downloaded" not in line and "Save as…" in line, line    # served from the cache

    # Ctrl+Shift+G selects the newest files, Enter opens the photo in the viewer.
    press(Qt.Key.Key_G, CTRL | SHIFT)
    photo_link = anchor("open", message["id"], image_att.id)
    assert view.hasFocus() and view.textCursor().charFormat().anchorHref() == photo_link
    press(Qt.Key.Key_Return)
    run_until(loop, lambda: thread_files.viewer is not None and thread_files.viewer.isVisible()
              and thread_files.viewer.image is not None)
    viewer = thread_files.viewer
    assert not viewer.image.isNull() and (viewer.image.width(), viewer.image.height()) == (1200, 900)
    assert viewer.picture.pixmap() is not None and not viewer.picture.pixmap().isNull()
    close_with_escape(viewer)
    window.activateWindow()
    run_until(loop, lambda: QApplication.activeWindow() is window)

    # Tab walks on to the PDF's link; Enter opens the preview.
    press(Qt.Key.Key_G, CTRL | SHIFT)
    pdf_link = anchor("open", message["id"], pdf_att.id)
    for _ in range(8):
        if view.textCursor().charFormat().anchorHref() == pdf_link:
            break
        press(Qt.Key.Key_Tab)
    assert view.textCursor().charFormat().anchorHref() == pdf_link
    press(Qt.Key.Key_Return)
    run_until(loop, lambda: thread_files.preview is not None and thread_files.preview.isVisible())
    preview = thread_files.preview
    assert not preview.broken and preview.page_count() >= 1
    close_with_escape(preview)
    window.activateWindow()
    run_until(loop, lambda: QApplication.activeWindow() is window)
    assert opened.bridge.status.state == OFFLINE

    # A screenshot on the clipboard, Ctrl+V in the reply: the tray shows it.
    screenshot = QImage(320, 200, QImage.Format.Format_RGB32)
    screenshot.fill(QColor("#c62828"))
    QGuiApplication.clipboard().setImage(screenshot)
    press(Qt.Key.Key_E, CTRL)
    editor = panel.composer.editor
    assert QApplication.focusWidget() is editor
    before = editor.toPlainText()
    press(Qt.Key.Key_V, CTRL)
    tray = panel.tray
    run_until(loop, lambda: len(tray.staged()) == 1 and not tray.busy)
    [staged] = tray.staged()
    assert staged.name.startswith("screenshot-") and staged.name.endswith(".png")
    assert staged.content_type == "image/png"
    chips = [chip.label.text() for chip in tray.chip_widgets()]
    assert len(chips) == 1 and chips[0].startswith(staged.name), chips
    pasted = Path(staged.path).read_bytes()
    assert hashlib.sha256(pasted).hexdigest() == staged.sha256
    assert pasted == png_bytes(screenshot)             # exactly the pasted picture, as a PNG
    assert editor.toPlainText() == before              # a picture, not text, was pasted

    # A reply, Ctrl+Enter: it waits in the outbox, shown in the thread with its file, not sent.
    reply = f"Here is what I see zr{time.time_ns()}"
    in_loop(loop, lambda: qtbot.keyClicks(editor, reply))
    press(Qt.Key.Key_Return, CTRL)
    assert panel.confirm_dialog is None or not panel.confirm_dialog.isVisible()
    run_until(loop, lambda: len(session.conversations.outbox_items()) == 1 and reply in view.toPlainText())
    [item] = session.conversations.outbox_items()
    assert item.conversation_id == target and item.state == outbox.QUEUED
    assert [f["sha256"] for f in outbox.files_of(item.payload)] == [staged.sha256]
    assert tray.staged() == []
    mine = [m for m in session.conversations.messages(target) if reply in m["body"]]
    assert len(mine) == 1 and mine[0]["pending"] == 1
    assert [a.sha256 for a in mine[0]["attachments"]] == [staged.sha256]
    text = view.toPlainText()
    assert "waiting to send…" in text and f"{staged.name} · " in text
    assert opened.bridge.status.state == OFFLINE and "drop" not in network.uploads
    assert [m for m in server_messages(server, target) if reply in (m.get("body") or "")] == []
    assert stored_rows(server, staged.sha256) == []

    # The network returns; the first answer to the upload is lost on the way back.
    network.lose_next_upload_answer = True
    back_at = time.monotonic()
    network.up = True
    run_until(loop, lambda: not session.conversations.outbox_items(), timeout=120)
    waited = time.monotonic() - back_at
    run_until(loop, lambda: opened.bridge.status.state == ONLINE and "waiting to send…" not in view.toPlainText(),
              timeout=30)
    assert "drop" in network.uploads and network.uploads[-1] == "ok", network.uploads

    # On the server: the reply once, with one stored file, the pasted bytes, stored once.
    sent = [m for m in server_messages(server, target) if reply in (m.get("body") or "")]
    assert len(sent) == 1, sent
    [message_out] = sent
    assert message_out["idempotency_key"] == item.key
    assert [(a["name"], a["sha256"]) for a in message_out["attachments"]] == [(staged.name, staged.sha256)]
    assert stored_rows(server, staged.sha256) == [(message_out["id"], staged.name)]
    store = server_files.folder_for(server.db_path)
    assert (store / staged.sha256[:2] / staged.sha256).read_bytes() == pasted
    assert files_with_content(store, pasted) == 1
    # And in the app: the reply shows as sent, once, with its file.
    ours = [m for m in session.conversations.messages(target) if reply in m["body"]]
    assert len(ours) == 1 and ours[0]["pending"] == 0 and [a.sha256 for a in ours[0]["attachments"]] == [staged.sha256]
    assert view.toPlainText().count(reply) == 1
    print(f"\nthe reply reached the server {waited:.1f} s after the network returned; uploads: {network.uploads}")
