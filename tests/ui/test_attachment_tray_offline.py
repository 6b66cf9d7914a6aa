"""The tray without files on this server: greyed out with the reason, and a drop or a pasted
picture is refused with the same reason instead of vanishing."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QPlainTextEdit

from agent_desktop.services.capabilities import Capability
from agent_desktop.ui.attachment_tray import ATTACH_KEYS, AttachmentTray, screenshot_name
from agent_desktop.ui.capability_text import unsupported_reason
from tests.ui.attachment_samples import drop_on


def test_without_the_capability_attaching_is_greyed_out_with_the_reason(qtbot, tmp_path):
    editor = QPlainTextEdit()
    tray = AttachmentTray()
    qtbot.addWidget(editor)
    qtbot.addWidget(tray)
    tray.watch(editor)
    editor.show()          # Qt delivers drops to visible widgets only
    qtbot.waitExposed(editor)
    reason = unsupported_reason(Capability.ATTACHMENTS)
    tray.set_service(None, reason)
    tray.show_for("c1")
    assert not tray.attach_button.isEnabled() and tray.attach_button.toolTip() == reason
    assert reason == "This server does not take attachments: send the file another way."

    dropped = tmp_path / "report.pdf"
    dropped.write_bytes(b"%PDF-1.4")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    drop_on(editor, mime)
    assert tray.message.text() == reason and tray.staged() == [] and editor.toPlainText() == ""

    tray.show_for("c1")
    image = QImage(10, 10, QImage.Format.Format_RGB32)
    QGuiApplication.clipboard().setImage(image)
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert tray.message.text() == reason and editor.toPlainText() == ""
    QGuiApplication.clipboard().setText("plain words")
    qtbot.keyClick(editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == "plain words"           # text pastes as before
    assert ATTACH_KEYS == "Ctrl+Shift+I"


def test_a_pasted_picture_is_named_for_its_time(qapp):
    from datetime import datetime

    assert screenshot_name(datetime(2026, 12, 4, 19, 5, 7)) == "screenshot-20261204-190507.png"
