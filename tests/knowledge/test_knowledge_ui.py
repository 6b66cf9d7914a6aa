"""The knowledge tabs and the composer, driven by keystrokes in a real window on a real server."""

from __future__ import annotations

from PySide6.QtCore import Qt

from agent_desktop.store import outbox
from agent_desktop.ui.composer import Composer
from tests.ui.conftest import run_until, type_text


def ready(opened, loop):
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.conversation.conversation_id is not None)
    run_until(loop, lambda: window.knowledge.service.script("s-001-zh") is not None)
    return window


def usage_items(session, record_id):
    return [i for i in outbox.items(session.db.reader()) if i.action == "knowledge_usage" and i.payload["id"] == record_id]


def test_reply_with_an_unfilled_placeholder_is_refused(qtbot):
    composer = Composer()
    qtbot.addWidget(composer)
    sent = []
    composer.send_requested.connect(lambda kind, body: sent.append((kind, body)))
    composer.load("reply", "您的订单 {{订单号}} 已退款，{{金额}} 元。")
    composer.editor.setFocus()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent == []
    assert "{{" in composer.hint.text()
    assert composer.editor.textCursor().selectedText() == "{{订单号}}"   # shown where to fill in
    composer.send_button.click()
    assert sent == []
    # Typing replaces the selected blank; Tab jumps to the next one.
    type_text(qtbot, composer.editor, "2026001")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Tab)
    assert composer.editor.textCursor().selectedText() == "{{金额}}"
    type_text(qtbot, composer.editor, "99")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent == [("reply", "您的订单 2026001 已退款，99 元。")]


def test_slash_quick_insert_by_keyboard(open_window, loop, qtbot):
    opened = open_window()
    window = ready(opened, loop)
    composer = window.conversation.composer
    header = opened.session.conversations.header(window.conversation.conversation_id)
    composer.editor.setFocus()
    type_text(qtbot, composer.editor, "/hi")
    run_until(loop, lambda: composer.popup.isVisible() and composer.popup.count() > 0
              and composer.popup.current_script() is not None)
    first = composer.popup.current_script()
    assert first["shortcut"].startswith("hi")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Down)
    qtbot.keyClick(composer.editor, Qt.Key.Key_Up)
    assert composer.popup.current_script()["id"] == first["id"]
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    text = composer.editor.toPlainText()
    assert not composer.popup.isVisible()
    assert "/hi" not in text and "{{" not in text
    assert header["customer_name"] in text or "您" in text or "there" in text
    assert opened.session.agent["name"] in text   # {{agent.name}} filled
    run_until(loop, lambda: len(usage_items(opened.session, first["id"])) == 1)

    # Chinese filter text (typed through the input method), Esc closes and keeps what was typed.
    composer.load("reply", "")
    type_text(qtbot, composer.editor, "好的 /")
    type_text(qtbot, composer.editor, "投诉")
    run_until(loop, lambda: composer.popup.isVisible() and composer.popup.current_script() is not None)
    assert "投诉" in composer.popup.current_script()["title"] + composer.popup.current_script()["body"]
    qtbot.keyClick(composer.editor, Qt.Key.Key_Escape)
    assert not composer.popup.isVisible()
    assert composer.editor.toPlainText() == "好的 /投诉"
    # A slash inside a word (a URL, a date) does not open the popup.
    composer.load("reply", "")
    type_text(qtbot, composer.editor, "see a/b")
    loop.run_until_complete(__import__("asyncio").sleep(0.2))
    assert not composer.popup.isVisible()


def test_scripts_tab_inserts_with_enter_and_shows_usage(open_window, loop, qtbot):
    opened = open_window()
    window = ready(opened, loop)
    panel = window.knowledge.scripts
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F6)               # the keyboard way into the Scripts tab
    assert window.side.currentWidget() is panel and panel.search.hasFocus()
    type_text(qtbot, panel.search, "发票重开")
    run_until(loop, lambda: panel.current_script() is not None and panel.current_script()["title"] == "发票重开")
    assert "used" in panel.meta.text().lower()
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert "原发票已作废" in window.conversation.composer.editor.toPlainText()


def test_faq_suggestions_follow_the_conversation_and_feedback(open_window, loop, qtbot):
    opened = open_window()
    window = ready(opened, loop)
    faq = window.knowledge.faq
    run_until(loop, lambda: faq.last_suggestions_ms is not None and faq.results.count() > 0)
    assert faq.last_suggestions_ms < 100
    type_text(qtbot, faq.search, "保修")
    run_until(loop, lambda: faq.current_article() is not None and "保修" in faq.current_article()["title"])
    assert 'class="hit"' in faq.results.currentItem().data(Qt.ItemDataRole.UserRole + 2)
    article = faq.current_article()
    faq.helpful_button.click()
    run_until(loop, lambda: faq.service.article(article["id"])["my_feedback"] == "helpful")
    faq.link_button.click()
    assert article["url"] in window.conversation.composer.editor.toPlainText()


def test_guided_script_branches_survives_restart_and_saves_a_note(open_window, loop, qtbot):
    opened = open_window()
    window = ready(opened, loop)
    conversation_id = window.conversation.conversation_id
    guided = window.knowledge.guided
    window.knowledge.show_tab(guided)
    run_until(loop, lambda: guided.picker.findData("g-refund-zh") >= 0)
    guided.picker.setCurrentIndex(guided.picker.findData("g-refund-zh"))
    guided.start_button.click()
    assert guided.run.current == "greet"
    qtbot.keyClick(guided, Qt.Key.Key_1)                # 是本人 → verify
    assert guided.run.current == "verify" and guided.answer.isVisible()
    type_text(qtbot, guided.answer, "2026112201")
    guided.choice_buttons[0].click()                    # 核实通过 → classify
    qtbot.keyClick(guided, Qt.Key.Key_2)                # 已发货 → return
    assert guided.run.current == "return"
    run_until(loop, lambda: (opened.session.db.reader().execute(
        "SELECT state FROM guided_runs WHERE conversation_id=?", (conversation_id,)).fetchone() or [""])[0].count('"step"') == 3)
    opened.close()

    # Restart: the run resumes at the same step of the same conversation.
    again = open_window()
    window = ready(again, loop)
    window.open_conversation(conversation_id)
    guided = window.knowledge.guided
    run_until(loop, lambda: guided.run is not None)
    assert guided.run.current == "return" and len(guided.run.path) == 3
    type_text(qtbot, guided.answer, "明天上午")
    guided.pick(0)                                      # 已预约取件 → confirm
    guided.pick(0)                                      # 没有了 → close
    assert guided.guide.step(guided.run.current).terminal
    used: list[str] = []   # finish_run's last step counts the script's use: the test ends after it
    again.session.knowledge.changed.connect(used.append)
    guided.finish_button.click()
    run_until(loop, lambda: any(m["kind"] == "note" and m["body"].startswith("【引导话术】退款来电引导")
                                for m in again.session.conversations.messages(conversation_id)))
    note = [m for m in again.session.conversations.messages(conversation_id) if m["kind"] == "note"][-1]["body"]
    assert "核实身份 → 核实通过；记录：2026112201" in note
    assert "退货退款 → 已预约取件；记录：明天上午" in note
    assert note.rstrip().endswith("结束通话")
    # finish_run forgets the run after the note is queued: wait for that write too, not only the note.
    run_until(loop, lambda: again.session.db.reader().execute(
        "SELECT count(*) FROM guided_runs WHERE conversation_id=?", (conversation_id,)).fetchone()[0] == 0
        and "script" in used)
