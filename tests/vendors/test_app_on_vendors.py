"""The app on each vendor's API (Chatwoot, Zendesk, Zammad), through the same fakes and Prism
validation as the contract suite: the same window, what the vendor lacks greyed out with a
sentence naming the vendor and where to do it instead.

One test per vendor drives the real window (pytest-qt): the inbox fills from the first sync, a reply
typed and sent with the keyboard reaches the vendor once. Another starts `main.py --backend VENDOR`
under Xvfb in both languages, the token coming from the environment, and keeps the screenshot
(AGENT_DESKTOP_ARTIFACTS, or the test's folder).
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from agent_desktop.backends.base import Capability, capabilities_of
from agent_desktop.backends.registry import kind_of, make_backend
from agent_desktop.ui.capability_text import BUTTON_NEEDS, unsupported_reason
from agent_desktop.ui.resources import stylesheet
from tests.contract.conftest import VENDOR_HELPDESKS
from tests.helpers import paint_main_py_on
from tests.ui.conftest import Opened, run_until, type_text

ROOT = Path(__file__).resolve().parents[2]
VENDORS = sorted(VENDOR_HELPDESKS)


@pytest.fixture(scope="module", params=VENDORS)
def vendor(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"vendor-{request.param}")
    with importlib.import_module(VENDOR_HELPDESKS[request.param]).running(folder) as helpdesk:
        yield helpdesk
        helpdesk.check_contract()


def test_the_window_works_on_the_vendor_and_greys_out_what_it_lacks(qapp, loop, qtbot, vendor, tmp_path):
    qapp.setStyleSheet(stylesheet())
    backend = make_backend(vendor.url, vendor.kind)
    signed = backend.sign_in(vendor.user, vendor.secret)
    opened = Opened.on(loop, tmp_path / "home", backend, vendor.user, signed, f"{vendor.kind}:{vendor.url}")
    window, bridge, session = opened.window, opened.bridge, opened.session
    try:
        run_until(loop, lambda: bridge.status.first_sync_done and window.conversation.conversation_id is not None,
                  timeout=120)
        assert window.model.rowCount() > 0
        panel = window.conversation
        offered = capabilities_of(backend)
        label = kind_of(vendor.kind).label
        for name, capability in BUTTON_NEEDS.items():
            button = panel.workflow_buttons[name]
            if capability in offered:
                assert button.isEnabled(), name
            else:
                assert not button.isEnabled(), name
                assert button.toolTip() == unsupported_reason(capability, vendor.kind)
                assert label in button.toolTip() or "server" in button.toolTip()
        if Capability.CUSTOMERS not in offered:
            assert not window.customer.edit_tags.isEnabled()
            assert window.customer.edit_tags.toolTip() == unsupported_reason(Capability.CUSTOMERS, vendor.kind)
        target = panel.conversation_id
        text = f"Reply from Agent Desktop to {label} {time.time_ns()}"
        editor = panel.composer.editor
        editor.setFocus()
        type_text(qtbot, editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        run_until(loop, lambda: bridge.status.queued == 0 and text in vendor.bodies(target), timeout=60)
        assert vendor.bodies(target).count(text) == 1
        loop.run_until_complete(session.sync.stop())
    finally:
        opened.close()


@pytest.mark.xvfb
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Xvfb is a Linux X server")
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_main_py_on_the_vendor_paints_the_inbox(vendor, tmp_path, language):
    paint_main_py_on(vendor.kind, vendor.url, vendor.user, vendor.secret, language, tmp_path,
                     f"{vendor.kind}-1366x768-{language}-inbox.png")
