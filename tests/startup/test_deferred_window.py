"""The first window builds only what the first paint shows; the rest comes right after, or when needed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget, QWidget

from agent_desktop.ui.deferred import DeferredParts, LazyTabs
from tests.ui.conftest import run_until


def _before_post_paint_build(opened):
    """A window as it is before its post-paint build ran (that build is switched off here)."""
    window = opened.window
    window.deferred.stop()
    return window


def _activate(window, loop) -> None:
    """Shortcuts reach the active window only."""
    window.activateWindow()
    run_until(loop, window.isActiveWindow, timeout=5)


def test_feature_tabs_are_in_the_bar_from_the_start_and_built_after_the_first_paint(open_window, loop):
    opened = open_window()
    window = opened.window
    labels = [window.side.tabText(i) for i in range(window.side.count())]
    assert labels == ["Customer", "Scripts", "FAQ", "Guided", "Callbacks"]
    run_until(loop, lambda: not window.deferred.pending() or window.deferred.pending() == ["dashboard"])
    # Same tabs, same order, now the real pages (no placeholder left).
    assert [window.side.tabText(i) for i in range(window.side.count())] == labels
    pages = [window.side.widget(i) for i in range(window.side.count())]
    knowledge = window.knowledge
    assert pages == [window.customer, knowledge.scripts, knowledge.faq, knowledge.guided, window.callbacks_view]
    assert window.search is window.search   # built once
    assert window.deferred.built("dashboard") is None   # an agent never gets the lead's page


def test_f6_before_the_post_paint_build_builds_the_scripts_tab_and_focuses_it(open_window, loop, qtbot):
    opened = open_window()
    window = _before_post_paint_build(opened)
    assert window.deferred.built("knowledge") is None
    _activate(window, loop)
    qtbot.keyClick(window, Qt.Key.Key_F6)
    knowledge = window.deferred.built("knowledge")
    assert knowledge is not None
    assert window.side.currentWidget() is knowledge.scripts and knowledge.scripts.search.hasFocus()
    # F7 and F8 now go to the knowledge tabs' own shortcuts: exactly one action per key.
    qtbot.keyClick(window, Qt.Key.Key_F7)
    assert window.side.currentWidget() is knowledge.faq
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert window.side.currentWidget() is knowledge.guided


def test_clicking_a_placeholder_tab_shows_the_real_page(open_window, loop):
    opened = open_window()
    window = _before_post_paint_build(opened)
    assert window.deferred.built("callbacks") is None
    window.side.setCurrentIndex(4)   # what a click on "Callbacks" does
    view = window.deferred.built("callbacks")
    assert view is not None and window.side.currentWidget() is view and window.side.tabText(4) == "Callbacks"
    assert window.deferred.built("knowledge") is None   # only what was asked for


def test_the_knowledge_tabs_follow_the_conversation_opened_before_they_existed(open_window, loop):
    opened = open_window()
    window = _before_post_paint_build(opened)
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.conversation.conversation_id is not None)
    assert window.deferred.built("knowledge") is None
    assert window.knowledge.conversation_id == window.conversation.conversation_id


def test_ctrl_k_before_the_post_paint_build_opens_search(open_window, loop, qtbot):
    opened = open_window()
    window = _before_post_paint_build(opened)
    assert window.deferred.built("search") is None
    _activate(window, loop)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    search = window.deferred.built("search")
    assert search is not None and search.isVisible()
    search.hide()


def test_lead_dashboard_is_built_on_ctrl_d(open_window, loop, qtbot):
    opened = open_window("lead1")
    window = _before_post_paint_build(opened)
    assert window.dashboard_action.isVisible() and window.deferred.built("dashboard") is None
    _activate(window, loop)
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    view = window.deferred.built("dashboard")
    assert view is not None and window.main_stack.currentWidget() is view
    window.show_inbox()
    assert window.main_stack.currentIndex() == 0


def test_lazy_tab_replacement_keeps_position_label_and_selection(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QWidget(), "A")
    lazy = LazyTabs(tabs)
    built: list[str] = []
    pages: dict[str, QWidget] = {}

    def build(name: str) -> None:
        built.append(name)
        pages[name] = QWidget()
        lazy.replace(holders[name], pages[name])

    holders = {name: lazy.add(name, lambda n=name: build(n)) for name in ("B", "C")}
    assert built == []
    tabs.setCurrentIndex(2)
    assert built == ["C"]   # B stays a placeholder: nothing else is built on the way
    assert tabs.currentWidget() is pages["C"] and tabs.tabText(2) == "C" and tabs.count() == 3
    tabs.setCurrentIndex(1)
    assert built == ["C", "B"] and tabs.currentWidget() is pages["B"] and tabs.tabText(1) == "B"


def test_deferred_parts_are_built_once_in_order_and_not_after_stop(qtbot, loop):
    owner = QWidget()
    qtbot.addWidget(owner)
    parts = DeferredParts(owner)
    calls: list[str] = []
    parts.add("a", lambda: calls.append("a") or "A")
    parts.add("b", lambda: calls.append("b") or "B")
    parts.add("only-on-demand", lambda: calls.append("c") or "C", after_paint=False)
    assert parts.get("b") == "B" and parts.get("b") == "B"
    parts._schedule()
    run_until(loop, lambda: "a" in calls)
    assert calls == ["b", "a"] and parts.pending() == ["only-on-demand"]
    stopped = DeferredParts(owner)
    stopped.add("x", lambda: calls.append("x"))
    stopped.stop()
    stopped._schedule()
    loop.run_until_complete(__import__("asyncio").sleep(0.05))
    assert "x" not in calls
