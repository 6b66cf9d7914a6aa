"""E-mail signatures: per agent and per queue in both languages, in a JSON file in the data folder;
appended visibly to e-mail replies in the customer's language; edited in a dialog by keyboard."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from agent_desktop.services.signatures import (
    FILE_NAME,
    MAX_LENGTH,
    Signature,
    SignatureService,
    reply_language,
)
from agent_desktop.ui.composer import Composer
from tests.ui.conftest import run_until, type_text

CTRL = Qt.KeyboardModifier.ControlModifier


def test_signatures_round_trip_through_the_file_and_compose_in_the_language(tmp_path):
    path = tmp_path / FILE_NAME
    service = SignatureService(path)
    service.set_agent("a-1", Signature(en="Ann Lee\r\nSupport", zh="李安\u202e"))
    service.set_queue("q-1", Signature(en="After-sales team"))
    service.set_queue("q-2", Signature(en="x" * (MAX_LENGTH + 50)))
    service.save()
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert set(stored) == {"version", "agents", "queues"}          # signature texts only
    again = SignatureService(path)
    assert again.agent("a-1") == Signature(en="Ann Lee\nSupport", zh="李安")    # controls and overrides gone
    assert len(again.queue("q-2").en) == MAX_LENGTH
    assert again.compose("a-1", "q-1", "en") == "Ann Lee\nSupport\nAfter-sales team"
    assert again.compose("a-1", "q-1", "zh") == "李安\nAfter-sales team"      # no Chinese: the English one
    assert again.compose("nobody", None, "zh") == ""
    again.set_agent("a-1", Signature())                                    # blank: removed
    again.save()
    assert "a-1" not in json.loads(path.read_text(encoding="utf-8"))["agents"]
    assert not list(tmp_path.glob(".signatures-*"))                       # no temporary file left


def test_a_damaged_file_is_set_aside_not_a_crash(tmp_path):
    path = tmp_path / FILE_NAME
    path.write_text("{not json", encoding="utf-8")
    service = SignatureService(path)
    assert service.compose("a-1", "q-1", "en") == ""
    assert (tmp_path / (FILE_NAME + ".damaged")).read_text(encoding="utf-8") == "{not json"


def test_the_reply_language_is_the_customers():
    inbound = [{"direction": "in", "kind": "reply", "body": "Hello"},
               {"direction": "out", "kind": "reply", "body": "您好"},
               {"direction": "in", "kind": "reply", "body": "我的订单还没到"}]
    assert reply_language(inbound, "en") == "zh"
    assert reply_language(inbound[:2], "zh_CN") == "en"
    assert reply_language([{"direction": "in", "kind": "note", "body": "内部"}], "zh_CN") == "zh"
    assert reply_language([], "en") == "en"


@pytest.fixture
def composer(qtbot):
    made = Composer()
    qtbot.addWidget(made)
    made.show()
    made.activateWindow()
    made.editor.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is made.editor)
    made.set_rich(True)
    made.set_signature("Ann Lee\nAfter-sales")
    return made


def test_a_fresh_e_mail_reply_carries_the_signature_visibly_and_editably(composer, qtbot):
    sent: list[tuple[str, str]] = []
    drafts: list[tuple[str, str]] = []
    composer.send_requested.connect(lambda kind, body: sent.append((kind, body)))
    composer.draft_changed.connect(lambda kind, body: drafts.append((kind, body)))
    composer.load("reply", "")
    assert composer.editor.toPlainText() == "\n\n-- \nAnn Lee\nAfter-sales"
    assert composer.editor.textCursor().position() == 0 and not composer.has_own_text()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, CTRL)
    assert sent == []                                   # a signature alone is not a reply
    type_text(qtbot, composer.editor, "Your refund is on its way.")
    assert composer.has_own_text()
    html = composer.outgoing_html()
    assert "Your refund is on its way." in html and "Ann Lee" in html   # HTML because it is signed
    composer.flush_draft()
    assert drafts[-1][1].endswith("-- \nAnn Lee\nAfter-sales")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, CTRL)
    assert sent == [("reply", "Your refund is on its way.\n\n-- \nAnn Lee\nAfter-sales")]
    composer.clear_after_send()
    assert composer.editor.toPlainText().endswith("Ann Lee\nAfter-sales")   # the next reply is signed too


def test_notes_and_chats_get_no_signature(composer, qtbot):
    composer.load("reply", "")
    composer.toggle_kind()
    assert composer.kind == "note" and composer.editor.toPlainText() == ""
    composer.toggle_kind()
    assert composer.editor.toPlainText().endswith("After-sales")
    composer.load("note", "")
    assert composer.editor.toPlainText() == ""
    composer.set_rich(False)
    composer.load("reply", "")
    assert composer.editor.toPlainText() == "" and composer.outgoing_html() == ""


def test_the_signature_dialog_by_keyboard_then_a_signed_reply_in_the_customers_language(open_window, loop, qtbot):
    opened = open_window()
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.conversation.conversation_id is not None)
    reader = opened.session.db.reader()
    chinese = [row[0] for row in reader.execute(
        "SELECT c.id FROM conversations c WHERE c.channel='email' AND c.status NOT IN ('closed', 'resolved') "
        "AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id=c.id AND m.direction='in' "
        "AND m.body GLOB '*[一-龥]*') ORDER BY c.id")]
    assert chinese, "the demo has Chinese e-mail conversations"
    target = chinese[0]
    queue_id = reader.execute("SELECT queue_id FROM conversations WHERE id=?", (target,)).fetchone()[0]

    assert window.signatures_action in window.settings_menu.actions()   # Settings ▾, or its key:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_E, CTRL | Qt.KeyboardModifier.ShiftModifier)
    run_until(loop, lambda: getattr(window, "signatures_dialog", None) is not None and window.signatures_dialog.isVisible())
    dialog = window.signatures_dialog
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dialog.english
    type_text(qtbot, dialog.english, "Ann from support")
    qtbot.keyClick(dialog.english, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.chinese
    type_text(qtbot, dialog.chinese, "客服 安")
    # The conversation's queue: picked with the keyboard in the "Signature of" list.
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dialog.whose
    index = dialog.targets.index(("queue", queue_id))
    assert index > 0
    for _ in range(index):
        qtbot.keyClick(dialog.whose, Qt.Key.Key_Down)
    assert dialog.whose.currentIndex() == index and dialog.english.toPlainText() == ""
    type_text(qtbot, dialog.chinese, "售后组")
    qtbot.keyClick(dialog.chinese, Qt.Key.Key_Return, CTRL)
    run_until(loop, lambda: not dialog.isVisible())
    stored = json.loads(opened.session.signatures.path.read_text(encoding="utf-8"))
    agent_id = opened.session.conversations.agent_id
    assert stored["agents"][agent_id] == {"en": "Ann from support", "zh": "客服 安"}
    assert stored["queues"][queue_id] == {"en": "", "zh": "售后组"}

    panel = window.conversation
    window.open_conversation(target)
    run_until(loop, lambda: panel.conversation_id == target)
    composer = panel.composer
    assert composer.rich and panel.thread_view.render_html
    assert composer.editor.toPlainText().endswith("-- \n客服 安\n售后组")
    composer.editor.setFocus()
    type_text(qtbot, composer.editor, "您好，退款已处理。")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, CTRL)
    # Sent with the signature in its body (the plain alternative), and shown in the thread.
    def mine():
        return [m["body"] for m in opened.session.conversations.messages(target) if "退款已处理" in m["body"]]
    run_until(loop, lambda: bool(mine()))
    assert mine() == ["您好，退款已处理。\n\n-- \n客服 安\n售后组"]
    run_until(loop, lambda: "您好，退款已处理。" in panel.thread_view.toPlainText())
    assert "售后组" in panel.thread_view.toPlainText()
