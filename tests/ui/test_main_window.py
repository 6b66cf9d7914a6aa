"""The agent's window against a real server: inbox fills, open, reply with Ctrl+Enter, drafts."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from agent_desktop.store.inbox import ALL_OPEN, InboxView
from tests.ui.conftest import run_until, type_text


def test_inbox_fills_after_the_first_sync_and_is_sla_ordered(open_window, loop):
    opened = open_window()
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.model.rowCount() > 0)
    assert window.inbox_stack.currentWidget() is window.inbox
    dues = [window.model.index(r).data(Qt.ItemDataRole.UserRole + 1)["sla_due"]
            for r in range(window.model.rowCount())]
    assert dues == sorted(dues)
    counts = opened.session.conversations.view_counts()
    # The counts are read off the GUI thread: wait for them to arrive, never read them early.
    run_until(loop, lambda: window.views.currentItem().text(1) == str(counts["mine"]))
    # The first row is opened at once: the first glance shows what needs an answer first.
    run_until(loop, lambda: window.conversation.conversation_id is not None)
    assert window.conversation.conversation_id == window.model.conversation_id(0)


def test_switching_views_and_opening_a_conversation_shows_its_thread(open_window, loop, qtbot):
    opened = open_window()
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.model.rowCount() > 0)
    window.set_view(InboxView(ALL_OPEN))
    assert window.model.rowCount() > 0
    window.inbox.setFocus()
    qtbot.keyClick(window.inbox, Qt.Key.Key_Down)
    target = window.model.conversation_id(window.inbox.currentIndex().row())
    run_until(loop, lambda: window.conversation.conversation_id == target)
    messages = opened.session.conversations.messages(target)
    assert messages
    last_line = messages[-1]["body"].splitlines()[0]
    assert last_line[:20] in window.conversation.thread_view.toPlainText()
    assert window.customer.name.text()


def test_ctrl_enter_sends_a_reply_that_reaches_the_server_once(open_window, loop, qtbot, server):
    opened = open_window()
    window = opened.window
    run_until(loop, lambda: window.conversation.conversation_id is not None)
    target = window.conversation.conversation_id
    before = server.conversation(target)["message_count"]
    editor = window.conversation.composer.editor
    editor.setFocus()
    type_text(qtbot, editor, "您好 hello from the test")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == ""
    run_until(loop, lambda: "您好 hello from the test" in window.conversation.thread_view.toPlainText())
    run_until(loop, lambda: server.conversation(target)["message_count"] == before + 1)
    run_until(loop, lambda: opened.bridge.status.queued == 0)
    # The server's copy replaces the optimistic one in the thread.
    run_until(loop, lambda: "waiting to send" not in window.conversation.thread_view.toPlainText())
    loop.run_until_complete(opened.session.sync.stop())  # nothing more can go out: count what went
    assert server.conversation(target)["message_count"] == before + 1


def test_draft_survives_a_restart(open_window, loop, qtbot):
    first = open_window()
    run_until(loop, lambda: first.window.conversation.conversation_id is not None)
    target = first.window.conversation.conversation_id
    type_text(qtbot, first.window.conversation.composer.editor, "半句话 half a sentence")
    first.close()

    second = open_window()
    second.window.open_conversation(target)
    assert second.window.conversation.composer.editor.toPlainText() == "半句话 half a sentence"


def test_status_change_is_shown_at_once_and_synced(open_window, loop, server):
    opened = open_window()
    window = opened.window
    run_until(loop, lambda: window.conversation.conversation_id is not None)
    target = window.conversation.conversation_id
    window.conversation.status_buttons["pending"].click()
    run_until(loop, lambda: opened.session.conversations.header(target)["status"] == "pending")
    run_until(loop, lambda: server.conversation(target)["status"] == "pending")


def test_many_signal_emits_do_not_crash(qapp):
    """PySide6 6.12.0 on CPython 3.11 crashed after a few hundred Python-side emits (STYLE.md)."""

    class Emitter(QObject):
        fired = Signal(object, object)

    emitter = Emitter()
    received: list[int] = []
    emitter.fired.connect(lambda number, flag: received.append(number) if flag is not None else None)
    for number in range(5000):
        emitter.fired.emit(number, number % 2 == 0)
    assert len(received) == 5000
