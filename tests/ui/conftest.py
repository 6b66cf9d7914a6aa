"""UI fixtures: one qasync loop on the session QApplication, a real server, a signed-in window."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from agent_desktop.services.session import make_backend, open_session, sign_in
from agent_desktop.ui.bridge import SessionBridge
from agent_desktop.ui.main_window import MainWindow
from agent_desktop.ui.resources import stylesheet
from tests.helpers import RunningServer


def run_until(loop: asyncio.AbstractEventLoop, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Run the asyncio+Qt loop until `condition()` holds (qtbot.waitUntil does not run asyncio)."""

    async def wait() -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            await asyncio.sleep(0.02)

    loop.run_until_complete(wait())


def type_text(qtbot, widget, text: str) -> None:
    """Type like a user: ASCII as key presses, Chinese as an input-method commit (as an IME does).

    QTest can only synthesise key presses for ASCII characters.
    """
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    run = ""
    for char in text + "\0":
        if char != "\0" and (char.isascii() == (run[:1].isascii() if run else char.isascii())):
            run += char
            continue
        if run:
            if run.isascii():
                qtbot.keyClicks(widget, run)
            else:
                event = QInputMethodEvent()
                event.setCommitString(run)
                QApplication.sendEvent(widget, event)
        run = char if char != "\0" else ""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = RunningServer(tmp_path_factory.mktemp("ui-server") / "server.sqlite3")
    yield running
    running.stop()


class Opened:
    """A signed-in session and its main window; `close()` shuts both like the app does."""

    def __init__(self, loop, server: RunningServer, home, username: str = "agent1") -> None:
        backend = make_backend(server.url)
        self.open(loop, home, backend, username, sign_in(backend, username, "demo"), "test-server")

    @classmethod
    def on(cls, loop, home, backend, username: str, signed, cache_key: str) -> Opened:
        """The window on any signed-in backend (Request Tracker, a vendor's fake…)."""
        opened = cls.__new__(cls)
        opened.open(loop, home, backend, username, signed, cache_key)
        return opened

    def open(self, loop, home, backend, username: str, signed, cache_key: str) -> None:
        self.loop = loop
        self.session = open_session(home, backend, username, signed, cache_key, language="en")
        self.bridge = SessionBridge(self.session)
        self.window = MainWindow(self.session, self.bridge, language="en")
        self.window.show()
        self.session.sync.start()

    def close(self) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent

        # As the app does: widgets go first (their last signals still find the cache open).
        self.window.close()
        self.window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.loop.run_until_complete(self.session.close())


@pytest.fixture
def open_window(loop, qapp, server, tmp_path):
    qapp.setStyleSheet(stylesheet())
    opened: list[Opened] = []

    def factory(username: str = "agent1") -> Opened:
        window = Opened(loop, server, tmp_path / "home", username)
        opened.append(window)
        return window

    yield factory
    for window in opened:
        if not window.session.db._closed:
            window.close()
