"""The app on a live Request Tracker 5: the same window, what RT lacks greyed out with the reason.

One test drives the real window (pytest-qt) on RT: the inbox fills from the first sync, a reply
typed and sent with the keyboard reaches the ticket's history once, and the buttons for what RT
cannot do (callbacks, CSAT, customer records) are disabled with a sentence saying why. The other
starts `main.py --backend rt` under Xvfb in both languages, the token coming from the
environment, and keeps the screenshot.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from agent_desktop.backends.base import Capability
from agent_desktop.backends.rt import RequestTrackerBackend
from agent_desktop.ui.capability_text import unsupported_reason
from agent_desktop.ui.resources import stylesheet
from tests.contract.rt_helpdesk import RequestTrackerHelpdesk
from tests.helpers import paint_main_py_on
from tests.ui.conftest import Opened, run_until, type_text

ROOT = Path(__file__).resolve().parents[2]


def _history_bodies(rt, ticket_id: str) -> list[str]:
    return RequestTrackerHelpdesk(rt).bodies(ticket_id)


def test_the_window_works_on_request_tracker_and_greys_out_what_it_lacks(qapp, loop, qtbot, rt_server, tmp_path):
    qapp.setStyleSheet(stylesheet())
    backend = RequestTrackerBackend(rt_server.url)
    signed = backend.sign_in(rt_server.agent.name, rt_server.agent.token)
    opened = Opened.on(loop, tmp_path / "home", backend, rt_server.agent.name, signed, f"rt:{rt_server.url}")
    window, bridge, session = opened.window, opened.bridge, opened.session
    try:
        run_until(loop, lambda: bridge.status.first_sync_done and window.conversation.conversation_id is not None,
                  timeout=120)
        assert window.model.rowCount() > 0
        panel = window.conversation
        buttons = panel.workflow_buttons
        assert buttons["transfer"].isEnabled()
        for name, capability in (("callback", Capability.CALLBACKS), ("csat", Capability.CSAT)):
            assert not buttons[name].isEnabled()
            assert buttons[name].toolTip() == unsupported_reason(capability, "rt")
            assert "Request Tracker" in buttons[name].toolTip()   # says where to do it instead
        customer = window.customer
        assert not customer.edit_tags.isEnabled()
        assert customer.edit_tags.toolTip() == unsupported_reason(Capability.CUSTOMERS, "rt")
        target = panel.conversation_id
        text = f"Reply from Agent Desktop to RT {time.time_ns()}"
        editor = panel.composer.editor
        editor.setFocus()
        type_text(qtbot, editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        run_until(loop, lambda: bridge.status.queued == 0 and text in _history_bodies(rt_server, target), timeout=60)
        assert _history_bodies(rt_server, target).count(text) == 1
        loop.run_until_complete(session.sync.stop())
    finally:
        opened.close()


@pytest.mark.xvfb
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Xvfb is a Linux X server")
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_main_py_on_request_tracker_paints_the_inbox(rt_server, tmp_path, language):
    paint_main_py_on("rt", rt_server.url, rt_server.agent.name, rt_server.agent.token or "", language, tmp_path,
                     f"rt-1366x768-{language}-agent1-inbox.png")
