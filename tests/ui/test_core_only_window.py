"""The whole window on a backend that offers only the core protocol: the inbox fills, a reply goes
out, and what the backend lacks is greyed out with the reason instead of failing later."""

from __future__ import annotations

from PySide6.QtCore import Qt

from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.services.session import open_session
from agent_desktop.ui.bridge import SessionBridge
from agent_desktop.ui.main_window import MainWindow
from agent_desktop.ui.resources import stylesheet
from tests.sync.test_core_only_backend import CoreOnly
from tests.ui.conftest import run_until, type_text


def test_a_core_only_backend_runs_the_window_and_greys_out_the_workflow(qapp, loop, qtbot, server, tmp_path):
    qapp.setStyleSheet(stylesheet())
    backend = CoreOnly(ReferenceBackend(server.url))
    signed = backend.sign_in("agent1", "demo")
    session = open_session(tmp_path / "home", backend, "agent1", signed, "core-only")
    bridge = SessionBridge(session)
    window = MainWindow(session, bridge, language="en")
    window.show()
    session.sync.start()
    try:
        run_until(loop, lambda: bridge.status.first_sync_done and window.conversation.conversation_id is not None)
        panel = window.conversation
        for button in panel.workflow_buttons.values():
            assert not button.isEnabled() and "does not support" in button.toolTip()
        target = panel.conversation_id
        before = server.conversation(target)["message_count"]
        editor = panel.composer.editor
        editor.setFocus()
        type_text(qtbot, editor, "reply through a core-only backend")
        qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        run_until(loop, lambda: server.conversation(target)["message_count"] == before + 1)
        run_until(loop, lambda: bridge.status.queued == 0 and bridge.status.state == "online")
        loop.run_until_complete(session.sync.stop())
    finally:
        window.close()
        window.deleteLater()
        from PySide6.QtCore import QCoreApplication, QEvent
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        loop.run_until_complete(session.close())
