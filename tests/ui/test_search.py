"""Ctrl+K search in the window: Chinese and English, keyboard only."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import run_until, type_text


def test_ctrl_k_finds_chinese_and_english_and_enter_opens(open_window, loop, qtbot):
    opened = open_window()
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.conversation.conversation_id)
    window.activateWindow()
    window.search_action.trigger()
    dialog = window.search
    assert dialog.isVisible()
    for query in ("退款", "invoice"):
        dialog.field.clear()
        type_text(qtbot, dialog.field, query)
        run_until(loop, lambda: dialog.results.count() > 0)
        assert dialog.results.count() > 0
    qtbot.keyClick(dialog.field, Qt.Key.Key_Down)
    kind, target = dialog.results.currentItem().data(Qt.ItemDataRole.UserRole + 1)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    if kind == "conversation":
        assert window.conversation.conversation_id == target


def test_search_says_when_nothing_is_found(open_window, loop, qtbot):
    opened = open_window()
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done)
    window.search.open_fresh()
    qtbot.keyClicks(window.search.field, "zzqqxxnotaword")
    run_until(loop, lambda: "Nothing found" in window.search.state.text())
    assert window.search.results.count() == 0


def test_hits_are_highlighted_dated_filtered_and_page_on(open_window, loop, qtbot):
    from agent_desktop.ui.knowledge_widgets import HTML_ROLE

    opened = open_window()
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done)
    dialog = window.search
    dialog.open_fresh()
    type_text(qtbot, dialog.field, "退款")
    run_until(loop, lambda: dialog.results.count() > 0)
    rows = [dialog.results.item(i) for i in range(dialog.results.count())]
    assert all('class="hit"' in (row.data(HTML_ROLE) or "") for row in rows if row.data(TARGET)[0] != "more")
    assert any("/" in (row.data(HTML_ROLE) or "") for row in rows)      # a date on each hit's line
    everything = dialog.results.count()
    # The demo has more than one page of 退款: the last row pages on.
    last = dialog.results.item(dialog.results.count() - 1)
    assert last.data(TARGET)[0] == "more"
    dialog.results.setCurrentItem(last)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    run_until(loop, lambda: dialog.results.count() > everything)
    # Alt+O: open ones only; the channel filter narrows to phone calls.
    from PySide6.QtWidgets import QApplication
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog.field, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    run_until(loop, dialog.open_only.isChecked)   # a mnemonic "clicks" after Qt's short animation
    dialog.channel.setCurrentIndex(dialog.channel.findData("phone"))
    results = dialog._results
    shown = [dialog.results.item(i).data(TARGET) for i in range(dialog.results.count())]
    kept = {c["id"] for c in results.conversations if c["status"] in ("new", "open", "pending") and c["channel"] == "phone"}
    kept |= {m["conversation_id"] for m in results.messages
             if m["status"] in ("new", "open", "pending") and m["channel"] == "phone"}
    assert {target for kind, target in shown if kind == "conversation"} == kept
    assert not any(kind == "customer" for kind, _ in shown)


TARGET = Qt.ItemDataRole.UserRole + 1


def test_when_and_this_customer_filters_narrow_by_keyboard(open_window, loop, qtbot):
    from PySide6.QtWidgets import QApplication

    from agent_desktop.domain.timeutil import parse_iso, utcnow

    opened = open_window()
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.conversation.conversation_id)
    customer_id, customer_name = window.conversation.customer()
    window.activateWindow()
    window.search_action.trigger()       # Ctrl+K offers the open conversation's customer as a filter
    dialog = window.search
    assert dialog.this_customer.isVisible() and customer_name[:10] in dialog.this_customer.text()
    type_text(qtbot, dialog.field, "退款")
    run_until(loop, lambda: dialog.results.count() > 0)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    # Alt+W reaches the "When" list; ↓ picks "last 24 hours"
    qtbot.keyClick(dialog.field, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dialog.within
    qtbot.keyClick(dialog.within, Qt.Key.Key_Down)
    assert dialog.within.currentData() == 1
    results = dialog._results
    day_ago = utcnow().timestamp() - 86400
    recent = {m["conversation_id"] for m in results.messages if parse_iso(m["created_at"]).timestamp() >= day_ago}
    recent |= {c["id"] for c in results.conversations
               if c.get("last_message_at") and parse_iso(c["last_message_at"]).timestamp() >= day_ago}
    shown = {dialog.results.item(i).data(TARGET)[1] for i in range(dialog.results.count())
             if dialog.results.item(i).data(TARGET)[0] == "conversation"}
    assert shown == recent
    # Alt+T: only this customer's contacts
    qtbot.keyClick(dialog.within, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.field, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    run_until(loop, dialog.this_customer.isChecked)
    theirs = {m["conversation_id"] for m in results.messages if m["customer_id"] == customer_id}
    theirs |= {c["id"] for c in results.conversations if c["customer_id"] == customer_id}
    shown = {dialog.results.item(i).data(TARGET)[1] for i in range(dialog.results.count())
             if dialog.results.item(i).data(TARGET)[0] == "conversation"}
    assert shown == theirs
    if not theirs:
        assert "with these filters" in dialog.state.text()
