"""A working day from the keyboard alone, in the real window against a real server.

Every key goes to whatever has the focus, as a person's keystrokes do; nothing is clicked and no
widget is focused by the test. A step that cannot be reached from the keyboard fails here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import run_until
from tests.workflow.test_ui_workflow import in_loop

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


class Keyboard:
    def __init__(self, qtbot, loop, window) -> None:
        self.qtbot, self.loop, self.window = qtbot, loop, window

    def focus(self):
        return QApplication.focusWidget() or QApplication.activeWindow() or self.window

    def press(self, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        in_loop(self.loop, lambda: self.qtbot.keyClick(self.focus(), key, modifiers))

    def type(self, text: str) -> None:
        from tests.ui.conftest import type_text
        in_loop(self.loop, lambda: type_text(self.qtbot, self.focus(), text))

    def shortcut(self, key, modifiers=CTRL | SHIFT) -> None:
        self.press(key, modifiers)

    def open_dialog(self, panel, key, attribute: str):
        """Ctrl+Shift+key, then wait for the panel's dialog (a button's shortcut clicks a moment later)."""
        self.shortcut(key)
        run_until(self.loop, lambda: getattr(panel, attribute, None) is not None and getattr(panel, attribute).isVisible())
        return getattr(panel, attribute)

    def next_open_conversation(self, panel, *, after: str) -> str:
        """Ctrl+L, ↓: the next open conversation of mine in the inbox opens."""
        self.shortcut(Qt.Key.Key_L, CTRL)
        self.press(Qt.Key.Key_Down)
        run_until(self.loop, lambda: panel.conversation_id not in (None, after) and panel._header.get("status") == "open")
        return panel.conversation_id


def _active(window, qtbot):
    """The window manager's part (offscreen has none): the main window is active again once a
    separate window closes."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_an_agents_day_by_keyboard(open_window, loop, qtbot, server):
    opened = open_window()
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.conversation.conversation_id is not None)
    _active(window, qtbot)
    keys = Keyboard(qtbot, loop, window)
    panel = window.conversation

    def submit_and_wait(dialog) -> None:
        """Ctrl+Enter submits; the main window is active again once the dialog has closed."""
        keys.press(Qt.Key.Key_Return, CTRL)
        run_until(loop, lambda: not dialog.isVisible())
        _active(window, qtbot)

    # Search (Ctrl+K), open the first hit with Enter.
    keys.shortcut(Qt.Key.Key_K, CTRL)
    search = window.search
    run_until(loop, lambda: search.isVisible())
    keys.type("发票")
    run_until(loop, lambda: search.results.count() > 0)
    keys.press(Qt.Key.Key_Return)
    run_until(loop, lambda: not search.isVisible())
    _active(window, qtbot)   # what a window manager does when a window closes
    target = panel.conversation_id
    assert target is not None

    # Reply (Ctrl+E, type, Ctrl+Enter), then an internal note (Ctrl+Shift+N), back in reply mode after.
    keys.shortcut(Qt.Key.Key_E, CTRL)
    assert QApplication.focusWidget() is panel.composer.editor
    keys.type("您好，发票已开具 keyboard reply")
    keys.press(Qt.Key.Key_Return, CTRL)
    run_until(loop, lambda: "keyboard reply" in panel.thread_view.toPlainText())
    # A reply from a script: "/hi", Enter inserts it with its variables filled, Ctrl+Enter sends.
    composer = panel.composer
    keys.type("/hi")
    run_until(loop, lambda: composer.popup.isVisible() and composer.popup.current_script() is not None)
    keys.press(Qt.Key.Key_Return)
    scripted = composer.editor.toPlainText()
    assert scripted and "/hi" not in scripted and "{{" not in scripted
    keys.press(Qt.Key.Key_Return, CTRL)
    run_until(loop, lambda: scripted.splitlines()[0][:20] in panel.thread_view.toPlainText()
              and not composer.editor.toPlainText())
    keys.shortcut(Qt.Key.Key_N)
    assert panel.composer.kind == "note"
    keys.type("已核实开票信息 keyboard note")
    keys.press(Qt.Key.Key_Return, CTRL)
    run_until(loop, lambda: "keyboard note" in panel.thread_view.toPlainText())
    assert panel.composer.kind == "reply"

    # Schedule a callback: Tab leaves the date-time field for the note; Ctrl+Enter saves.
    dialog = keys.open_dialog(panel, Qt.Key.Key_B, "callback_dialog")
    assert QApplication.focusWidget() is dialog.when     # the dialog opens on "When"
    keys.press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.note, QApplication.focusWidget()
    keys.press(Qt.Key.Key_Return, CTRL)            # an empty note is refused with the reason
    assert dialog.isVisible() and dialog.error.text()
    keys.type("回访确认发票已收到")
    keys.press(Qt.Key.Key_Return, CTRL)
    run_until(loop, lambda: not dialog.isVisible())
    _active(window, qtbot)
    assert dialog.hours.is_open(dialog.moment())   # the default time is inside business hours

    # CSAT: nothing preselected; 4 then Enter records it.
    csat = keys.open_dialog(panel, Qt.Key.Key_F, "csat_dialog")
    assert csat.score() is None and not csat.ok.isEnabled()
    keys.press(Qt.Key.Key_4)
    keys.press(Qt.Key.Key_Return)
    run_until(loop, lambda: not csat.isVisible())
    _active(window, qtbot)

    # From the inbox (Ctrl+L, ↓: one of mine, open), transfer with a hand-off note.
    target = keys.next_open_conversation(panel, after=target)
    transfer = keys.open_dialog(panel, Qt.Key.Key_T, "transfer_dialog")
    assert QApplication.focusWidget() is transfer.note
    keys.type("客户需要增值税专票，已核实抬头")
    keys.press(Qt.Key.Key_Tab)
    assert "\t" not in transfer.note.toPlainText() and QApplication.focusWidget() is not transfer.note
    if transfer.queue.currentData() == panel._header.get("queue_id"):   # another queue: back to it
        keys.press(Qt.Key.Key_Tab, SHIFT)
        keys.press(Qt.Key.Key_Tab, SHIFT)
        keys.press(Qt.Key.Key_Tab, SHIFT)
        assert QApplication.focusWidget() is transfer.queue, QApplication.focusWidget()
        keys.press(Qt.Key.Key_Down)
    submit_and_wait(transfer)
    run_until(loop, lambda: server.conversation(target).get("handoff_note") == "客户需要增值税专票，已核实抬头")

    # Escalate another one (Ctrl+Shift+X): the tiers are offered first, a note is required.
    target = keys.next_open_conversation(panel, after=target)
    escalation = keys.open_dialog(panel, Qt.Key.Key_X, "transfer_dialog")
    assert escalation is not transfer and escalation.kind == "escalate"
    assert escalation.queue.currentData() in ("q-aftersales-l2", "q-complaints-desk")
    keys.press(Qt.Key.Key_Return, CTRL)                           # no note yet: refused, says why
    assert escalation.isVisible() and escalation.error.text()
    keys.type("二次来电，退款未到账，升级处理")
    submit_and_wait(escalation)
    run_until(loop, lambda: server.conversation(target).get("handoff_note") == "二次来电，退款未到账，升级处理")

    # The next conversation from the inbox (Ctrl+L, ↓), resolve with a wrap-up code and go on.
    resolving = keys.next_open_conversation(panel, after=target)
    wrap = keys.open_dialog(panel, Qt.Key.Key_R, "wrapup_dialog")
    keys.press(Qt.Key.Key_Down)                    # the first wrap-up code
    assert wrap.disposition() is not None and wrap.go_next.isChecked()
    keys.press(Qt.Key.Key_Return, CTRL)
    run_until(loop, lambda: not wrap.isVisible())
    _active(window, qtbot)
    run_until(loop, lambda: panel.conversation_id not in (None, resolving))   # went on to the next
    assert QApplication.focusWidget() is panel.composer.editor

    # A guided call script (F8): Enter starts it, 1 walks each step, then Finish.
    keys.press(Qt.Key.Key_F8)
    guided = window.knowledge.guided
    run_until(loop, lambda: guided.isVisible() and QApplication.focusWidget() is guided.picker)
    keys.press(Qt.Key.Key_Return)
    run_until(loop, lambda: guided.run is not None)
    for _step in range(20):
        if guided.run.current is None or guided.guide.step(guided.run.current).terminal:
            break
        if guided.answer.hasFocus():
            keys.type("ok")
            keys.press(Qt.Key.Key_Tab)
        keys.press(Qt.Key.Key_1)
    assert guided.run.path, "no step was taken from the keyboard"
    assert QApplication.focusWidget() is guided.finish_button   # the last step hands focus to Finish
    keys.press(Qt.Key.Key_Return)
    run_until(loop, lambda: guided.run is None)

    # The state menu opens on the current state.
    keys.shortcut(Qt.Key.Key_S)
    menu = window.workflow_parts.agent_state.button.menu()
    run_until(loop, lambda: menu.isVisible())
    assert menu.activeAction() is not None
    keys.press(Qt.Key.Key_Escape)
    loop.run_until_complete(opened.session.sync.stop())


def test_a_leads_dashboard_by_keyboard_tab_reaches_a_tile_and_enter_opens_it(open_window, loop, qtbot):
    from agent_desktop.ui.dashboard.tile import QueueTile

    opened = open_window("lead1")
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done)
    _active(window, qtbot)
    keys = Keyboard(qtbot, loop, window)
    keys.shortcut(Qt.Key.Key_D, CTRL)
    view = window.dashboard
    run_until(loop, lambda: view.isVisible() and bool(view.tiles.tiles))
    for _ in range(40):   # Tab walks the page: the buttons, then the tiles
        if isinstance(QApplication.focusWidget(), QueueTile):
            break
        keys.press(Qt.Key.Key_Tab)
    tile = QApplication.focusWidget()
    assert isinstance(tile, QueueTile), f"Tab never reached a tile (focus: {tile})"
    keys.press(Qt.Key.Key_Return)
    run_until(loop, lambda: bool(view.drilldowns) and view.drilldowns[-1].isVisible())
    assert view.drilldowns[-1].queue_id == tile.queue_id
    keys.press(Qt.Key.Key_Escape)
    run_until(loop, lambda: not view.drilldowns)
    loop.run_until_complete(opened.session.sync.stop())
