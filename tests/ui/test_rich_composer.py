"""The reply box in an e-mail conversation: bold, italic, lists and links by keyboard, the reply as
sanitised HTML with its plain alternative, pasted content as plain text; chats and notes stay plain."""

from __future__ import annotations

import functools

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from agent_desktop.ui.composer import Composer
from tests.ui.conftest import run_until, type_text

CTRL, SHIFT, ALT = (Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier,
                    Qt.KeyboardModifier.AltModifier)


@pytest.fixture
def composer(qtbot):
    made = Composer()
    qtbot.addWidget(made)
    made.resize(600, 240)
    made.show()
    qtbot.waitExposed(made)
    made.activateWindow()
    made.editor.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is made.editor)
    return made


def rich(composer, body: str = "") -> Composer:
    composer.set_rich(True)
    composer.load("reply", body)
    composer.editor.setFocus()
    return composer


def sent_by(composer) -> list[tuple[str, str]]:
    sent: list[tuple[str, str]] = []
    composer.send_requested.connect(lambda kind, body: sent.append((kind, body)))
    return sent


def test_bold_and_italic_by_keyboard_become_html_and_the_body_stays_plain(composer, qtbot):
    rich(composer)
    assert composer.toolbar.isVisible()
    type_text(qtbot, composer.editor, "Hello ")
    qtbot.keyClick(composer.editor, Qt.Key.Key_B, CTRL)
    type_text(qtbot, composer.editor, "world")
    qtbot.keyClick(composer.editor, Qt.Key.Key_B, CTRL)
    type_text(qtbot, composer.editor, " and ")
    qtbot.keyClick(composer.editor, Qt.Key.Key_I, CTRL)
    type_text(qtbot, composer.editor, "you")
    qtbot.keyClick(composer.editor, Qt.Key.Key_I, CTRL)
    assert composer.outgoing_html() == "<div>Hello <b>world</b> and <i>you</i></div>"
    assert composer.body() == "Hello world and you"
    sent = sent_by(composer)
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, CTRL)
    assert sent == [("reply", "Hello world and you")]


def test_lists_by_keyboard_in_html_and_in_the_plain_alternative(composer, qtbot):
    rich(composer)
    type_text(qtbot, composer.editor, "Steps:")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    qtbot.keyClick(composer.editor, Qt.Key.Key_O, CTRL | ALT)
    type_text(qtbot, composer.editor, "restart")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    type_text(qtbot, composer.editor, "sign in")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    qtbot.keyClick(composer.editor, Qt.Key.Key_U, CTRL | ALT)   # this item leaves the numbers for bullets
    type_text(qtbot, composer.editor, "done")
    html = composer.outgoing_html()
    assert html == "<div>Steps:</div><ol><li>restart</li><li>sign in</li></ol><ul><li>done</li></ul>", html
    assert composer.body() == "Steps:\n1. restart\n2. sign in\n• done"
    qtbot.keyClick(composer.editor, Qt.Key.Key_U, CTRL | ALT)   # again: out of the list
    assert composer.body().endswith("\ndone")


def test_a_link_by_keyboard_links_the_selection_and_refuses_what_the_thread_would_refuse(composer, qtbot, monkeypatch):
    rich(composer)
    type_text(qtbot, composer.editor, "see help now")
    cursor = composer.editor.textCursor()
    cursor.setPosition(4)
    cursor.setPosition(8, cursor.MoveMode.KeepAnchor)
    composer.editor.setTextCursor(cursor)
    asked: list[str] = []
    answer = {"url": "https://example.com/help?q=1"}
    monkeypatch.setattr(composer, "ask_link_url", lambda selected: asked.append(selected) or answer["url"])
    qtbot.keyClick(composer.editor, Qt.Key.Key_K, CTRL | SHIFT)
    assert asked == ["help"]
    html = composer.outgoing_html()
    assert '<a href="https://example.com/help?q=1" rel="noopener noreferrer">help</a>' in html, html
    assert composer.body() == "see help <https://example.com/help?q=1> now"
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "ftp://x.example/a"):
        answer["url"] = bad
        cursor = composer.editor.textCursor()
        cursor.setPosition(0)
        cursor.setPosition(3, cursor.MoveMode.KeepAnchor)
        composer.editor.setTextCursor(cursor)
        qtbot.keyClick(composer.editor, Qt.Key.Key_K, CTRL | SHIFT)
        assert "Not a link" in composer.hint.text()
        assert bad.split(":")[0] not in composer.outgoing_html()
    # With nothing selected the address itself goes in; what is typed after it is not linked.
    answer["url"] = "mailto:help@example.com"
    cursor = composer.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    composer.editor.setTextCursor(cursor)
    type_text(qtbot, composer.editor, " or ")
    qtbot.keyClick(composer.editor, Qt.Key.Key_K, CTRL | SHIFT)
    type_text(qtbot, composer.editor, " thanks")
    assert composer.outgoing_html().endswith(
        ' or <a href="mailto:help@example.com" rel="noopener noreferrer">mailto:help@example.com</a> thanks</div>')


def test_plain_conversations_and_notes_have_no_formatting(composer, qtbot):
    composer.load("reply", "")
    assert not composer.toolbar.isVisible()
    type_text(qtbot, composer.editor, "chat ")
    qtbot.keyClick(composer.editor, Qt.Key.Key_B, CTRL)
    type_text(qtbot, composer.editor, "text")
    assert composer.outgoing_html() == "" and composer.editor.currentCharFormat().fontWeight() < 600
    rich(composer, "an e-mail")
    composer.toggle_kind()
    assert composer.kind == "note" and not composer.toolbar.isVisible()
    qtbot.keyClick(composer.editor, Qt.Key.Key_B, CTRL)
    type_text(qtbot, composer.editor, " note")
    assert composer.outgoing_html() == ""
    assert not composer.toolbar.bold.isEnabled()


def test_pasted_rich_content_arrives_as_plain_text(composer, qtbot):
    rich(composer)
    data = QMimeData()
    data.setHtml("<b>bold</b><img src='http://127.0.0.1:1/x.png'><a href='javascript:x'>click</a>")
    data.setText("bold click")
    composer.editor.insertFromMimeData(data)
    assert composer.editor.toPlainText() == "bold click"
    assert composer.outgoing_html() == ""    # no formatting came in with it
    taken: list[QMimeData] = []
    composer.editor.paste_filter = lambda mime: taken.append(mime) or True   # the attachment tray's hook
    composer.editor.insertFromMimeData(data)
    assert len(taken) == 1 and composer.editor.toPlainText() == "bold click"


def test_placeholders_and_tab_still_work_in_a_formatted_reply(composer, qtbot):
    rich(composer, "您的订单 {{订单号}} 已退款")
    sent = sent_by(composer)
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, CTRL)
    assert sent == [] and composer.editor.textCursor().selectedText() == "{{订单号}}"
    qtbot.keyClick(composer.editor, Qt.Key.Key_B, CTRL)
    type_text(qtbot, composer.editor, "2026001")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, CTRL)
    assert sent == [("reply", "您的订单 2026001 已退款")]
    assert "<b>2026001</b>" in composer.outgoing_html()
    composer.insert_text("金额 {{金额}}")
    assert composer.editor.textCursor().selectedText() == "{{金额}}"


def bold_in_thread(view, word: str) -> bool:
    """Whether the last `word` in the thread is shown bold."""
    found = view.document().find(word, view.document().characterCount(), QTextDocument.FindFlag.FindBackward)
    return not found.isNull() and found.charFormat().fontWeight() >= 600


def test_a_formatted_e_mail_reply_goes_out_with_its_html_and_a_chat_reply_without(open_window, loop, qtbot):
    opened = open_window()
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.conversation.conversation_id is not None)
    reader = opened.session.db.reader()
    by_channel = {channel: cid for channel, cid in reader.execute(
        "SELECT channel, min(id) FROM conversations WHERE status NOT IN ('closed', 'resolved') GROUP BY channel")}
    service = opened.session.conversations
    calls: list[dict] = []
    original = service.send

    @functools.wraps(original)
    def spy(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)

    service.send = spy
    panel = window.conversation
    for sent, (channel, expected) in enumerate((("email", "<div>Refund <b>approved</b></div>"), ("chat", "")), 1):
        window.open_conversation(by_channel[channel])
        run_until(loop, lambda c=channel: panel.conversation_id == by_channel[c])
        panel.composer.load("reply", "")
        panel.composer.editor.setFocus()
        type_text(qtbot, panel.composer.editor, "Refund ")
        qtbot.keyClick(panel.composer.editor, Qt.Key.Key_B, CTRL)
        type_text(qtbot, panel.composer.editor, "approved")
        qtbot.keyClick(panel.composer.editor, Qt.Key.Key_Return, CTRL)
        run_until(loop, lambda n=sent: len(calls) == n)
        assert calls[-1].get("body_html") == expected
        run_until(loop, lambda: "Refund approved" in panel.thread_view.toPlainText())
        if expected:
            # Through the outbox to the reference server and back: the synced copy keeps its HTML
            # (sanitised again by the server) and the thread shows it bold.
            target = by_channel[channel]

            def synced(target: str = target) -> list[dict]:
                return [m for m in opened.session.conversations.messages(target)
                        if not m.get("pending") and m.get("body") == "Refund approved"]
            run_until(loop, lambda: bool(synced()))
            assert "<b>approved</b>" in synced()[0]["body_html"]
            run_until(loop, lambda: bold_in_thread(panel.thread_view, "approved"))
            assert not bold_in_thread(panel.thread_view, "Refund")
