"""Nothing jumps: the first sync, an offer, a colleague's presence and a state change leave the
workspace's columns and the toolbar where they were."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolBar

from tests.ui.conftest import run_until


def _geometry(window) -> dict[str, tuple[int, int, int, int]]:
    """Where the columns, the conversation's thread and every toolbar item are, in window coordinates."""
    def at(widget):
        top_left = widget.mapTo(window, widget.rect().topLeft())
        return (top_left.x(), top_left.y(), widget.width(), widget.height())

    parts = {"views": window.views, "inbox": window.inbox_stack, "conversation": window.conversation,
             "side": window.side, "thread": window.conversation.thread_view}
    places = {name: at(widget) for name, widget in parts.items() if widget.isVisible()}
    toolbar = window.findChild(QToolBar, "mainToolbar")
    for action in toolbar.actions():
        widget = toolbar.widgetForAction(action)
        if widget is not None and widget.isVisible():
            places[f"toolbar:{action.text() or widget.objectName()}"] = at(widget)
    return places


def _settled(loop, window) -> None:
    run_until(loop, lambda: not window.refresh_pending())
    QApplication.processEvents()


def test_the_first_sync_an_offer_and_presence_move_nothing(open_window, loop):
    opened = open_window()
    window = opened.window
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1366, 740)   # a 1366×768 screen less the taskbar (offscreen's own screen is 800 px)
    QApplication.processEvents()
    assert window.minimumSizeHint().width() <= 1280, window.minimumSizeHint()
    before_sync = _geometry(window)
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.conversation.conversation_id is not None)
    _settled(loop, window)
    after_sync = _geometry(window)
    for name in ("views", "inbox", "side"):
        assert before_sync[name] == after_sync[name], (name, before_sync[name], after_sync[name])
    # An offer arriving lays its bar over the workspace instead of pushing it down.
    window.workflow_parts.offer_toolbar.setVisible(True)
    QApplication.processEvents()
    assert _geometry(window) == after_sync
    window.workflow_parts.offer_toolbar.setVisible(False)
    # Someone else on the conversation: said beside the reply/note switch, nothing moves. The
    # panel's own heartbeats stop first, and the one in flight lands, so none answers "nobody" over it.
    presence = window.conversation.presence
    presence.stop()
    run_until(loop, lambda: presence.in_flight == 0)
    window.conversation.show_others([{"name": "王磊", "activity": "replying"}])
    QApplication.processEvents()
    assert window.conversation.collision.isVisible()
    assert _geometry(window) == after_sync
    # The agent's state changes width-wise ("Available" → "Break · Missed an offer"): the toolbar stays.
    state = window.workflow_parts.agent_state
    state.button.setText("● " + "Break · Missed an offer")
    QApplication.processEvents()
    assert _geometry(window) == after_sync
    loop.run_until_complete(opened.session.sync.stop())
