"""The whole way, on the real reference server and the real app window: a customer's e-mail with a
photo and a disguised program arrives; the agent sees the thumbnail and the true name, and answers
with a file attached from the tray; the server stores the reply with it."""

from __future__ import annotations

import base64
import hashlib

import requests
from PySide6.QtCore import Qt

from tests.ui.attachment_samples import picture
from tests.ui.conftest import run_until


def test_a_photo_arrives_as_a_thumbnail_and_a_reply_goes_out_with_a_file(open_window, server, loop, qtbot, tmp_path):
    photo = picture(1200, 900, "JPEG")
    program = b"MZ\x90\x00" + b"\x00" * 500
    arrived = server.inbound(
        channel="email", customer={"name": "Photo Sender", "email": "photo.sender@example.com"},
        subject="Broken screen", body="Photo attached, and the invoice.", external_id="att-app-1",
        attachments=[{"name": "screen.jpg", "content_type": "image/jpeg", "data_base64": base64.b64encode(photo).decode()},
                     {"name": "invoice\u202efdp.exe", "data_base64": base64.b64encode(program).decode()}])
    opened = open_window("lead1")
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done, timeout=60)
    cid = arrived["conversation_id"]
    run_until(loop, lambda: window.service.header(cid) is not None, timeout=60)
    window.open_conversation(cid)
    panel = window.conversation
    assert panel.tray.attach_button.isEnabled()              # this server takes files
    sha = hashlib.sha256(photo).hexdigest()
    run_until(loop, lambda: panel.thread_view.image_source(sha, "thumb") is not None and not panel.thread_files.busy,
              timeout=60)
    text = panel.thread_view.toPlainText()
    assert "screen.jpg · " in text and "invoicefdp.exe · 504 B · EXE file" in text and "\u202e" not in text

    report = tmp_path / "repair-form.txt"
    report.write_text("fill this in, please")
    panel.tray.choose_files = lambda _parent, _title: [str(report)]
    panel.tray.choose()
    run_until(loop, lambda: len(panel.tray.staged()) == 1)
    editor = panel.composer.editor
    editor.setFocus()
    qtbot.keyClicks(editor, "Here is the form")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    if panel.confirm_dialog is not None and panel.confirm_dialog.isVisible():
        panel.confirm_dialog.accept()

    token = server.token("lead1")

    def sent_with_file() -> bool:
        answer = requests.get(f"{server.url}/api/v1/conversations/{cid}/messages",
                              headers={"Authorization": f"Bearer {token}"}, timeout=10)
        answer.raise_for_status()
        messages = answer.json()
        return any(m.get("body") == "Here is the form" and [a["name"] for a in m.get("attachments") or []]
                   == ["repair-form.txt"] for m in messages)

    run_until(loop, sent_with_file, timeout=60)
    assert panel.tray.staged() == []
