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
