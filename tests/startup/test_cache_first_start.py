"""With a cache for this server and user, the window shows from it while the sign-in is under way."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QDialog

from agent_desktop.app import parse_args
from agent_desktop.services import credentials
from agent_desktop.services.session import make_backend, open_session, sign_in
from agent_desktop.store import meta
from agent_desktop.ui import startup as startup_module
from agent_desktop.ui.startup import Startup
from tests.ui.conftest import run_until


class _App:
    """The QApplication as Startup uses it, minus quit() (the test session goes on)."""

    def __init__(self) -> None:
        self.quitted = False

    def setStyleSheet(self, sheet: str) -> None:  # noqa: N802 - Qt name
        QApplication.instance().setStyleSheet(sheet)

    def setQuitOnLastWindowClosed(self, quit: bool) -> None:  # noqa: N802 - Qt name
        QApplication.instance().setQuitOnLastWindowClosed(quit)

    def quit(self) -> None:
        self.quitted = True


def _cache_for(server, home, username: str = "agent1") -> None:
    backend = make_backend(server.url)
    session = open_session(home, backend, username, sign_in(backend, username, "demo"), backend.base_url)
    session.sync.engine.pull()   # a synced cache, as the last run left it
    session.search.close()
    session.db.close()


def _no_demo(_base, _simulate):
    raise AssertionError("these starts name their server: no demo backend")


@pytest.fixture
def start(loop, server, tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    home = tmp_path / "home"
    _cache_for(server, home)
    started: list[Startup] = []

    def factory(password: str = "demo") -> Startup:
        monkeypatch.setattr(credentials, "get_password", lambda _url, _user: password)
        startup = Startup(_App(), parse_args(["--server", server.url, "--user", "agent1"]), home, "en",
                          launched_at=time.perf_counter(), demo_backend=_no_demo)
        started.append(startup)
        return startup

    yield factory
    for startup in started:   # as tests/ui/conftest.py closes: the window outside the running loop
        window, session, startup.window, startup.session = startup.window, startup.session, None, None
        if window is not None:
            window.close()
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if session is not None and not session.db._closed:
            loop.run_until_complete(session.close())


def test_the_window_shows_from_the_cache_before_the_sign_in_answers(start, loop, monkeypatch):
    release = threading.Event()
    real_sign_in = startup_module.sign_in

    def slow_sign_in(backend, username, password):
        assert release.wait(20), "the test never let the sign-in finish"
        return real_sign_in(backend, username, password)

    monkeypatch.setattr(startup_module, "sign_in", slow_sign_in)
    startup = start()
    task = loop.create_task(startup.run())
    run_until(loop, lambda: startup.window is not None and startup.window.isVisible())
    window, session = startup.window, startup.session
    assert window.model.rowCount() > 0                      # the cached inbox, no server answer yet
    assert session.sync._task is None                       # sync waits for the sign-in
    assert not release.is_set()
    release.set()
    run_until(loop, lambda: session.sync._task is not None)
    run_until(loop, lambda: session.sync.status.first_sync_done)
    loop.run_until_complete(task)
    stored = json.loads(meta.get(session.db.reader(), meta.AGENT_ID))
    assert stored["username"] == "agent1" and session.agent["id"] == stored["id"]
    assert startup.exit_code == 0


def test_a_refused_password_still_asks_and_giving_up_quits(start, loop, monkeypatch):
    asked: list[str] = []

    async def refuse(dialog: QDialog) -> int:
        asked.append(dialog.message.text())
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(startup_module, "run_dialog", refuse)
    startup = start(password="wrong-password")
    loop.run_until_complete(startup.run())
    assert asked and "not accepted" in asked[0]
    assert startup.exit_code == 1 and startup.app.quitted
    assert startup.session.sync._task is None               # nothing was synced with a refused password


def test_signing_in_as_someone_else_from_the_dialog_opens_their_own_cache(start, loop, monkeypatch):
    async def other_user(dialog: QDialog) -> int:
        dialog.username.setText("agent2")
        dialog.password.setText("demo")
        dialog.remember.setChecked(False)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(startup_module, "run_dialog", other_user)
    startup = start(password="wrong-password")
    first = None

    async def run() -> None:
        nonlocal first
        task = asyncio.ensure_future(startup.run())
        while startup.window is None:
            await asyncio.sleep(0.01)
        first = startup.session
        await task

    loop.run_until_complete(run())
    assert first is not None and first.db._closed             # agent1's cache is closed, not reused
    assert startup.session.username == "agent2" and startup.session.agent["username"] == "agent2"
    assert "agent2" in str(startup.session.db.path)
    run_until(loop, lambda: startup.session.sync.status.first_sync_done)


def test_closing_while_the_sign_in_is_under_way_starts_nothing_on_the_closed_cache(start, loop, monkeypatch):
    release = threading.Event()
    real_sign_in = startup_module.sign_in
    monkeypatch.setattr(startup_module, "sign_in",
                        lambda *args: release.wait(20) and real_sign_in(*args))
    startup = start()
    task = loop.create_task(startup.run())
    run_until(loop, lambda: startup.window is not None)
    window, session = startup.window, startup.session
    startup.window = startup.session = None     # what shutdown does when the user quits now
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    loop.run_until_complete(session.close())
    release.set()
    loop.run_until_complete(asyncio.wait_for(task, 30))   # no exception: the late answer is dropped
    assert session.sync._task is None and startup.session is None
