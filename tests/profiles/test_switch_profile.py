"""Switching profiles in a running app: the window and session are replaced, the app keeps
running, the new session talks to the other server, and each account keeps its own cache."""

from __future__ import annotations

import time

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from agent_desktop.app import parse_args
from agent_desktop.services.profiles import ProfileStore
from agent_desktop.store import meta
from agent_desktop.ui.startup import Startup
from tests.helpers import RunningServer
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


def _no_demo(_base, _simulate):
    raise AssertionError("these starts name their server: no demo backend")


@pytest.fixture(scope="module")
def other_server(tmp_path_factory):
    running = RunningServer(tmp_path_factory.mktemp("other-server") / "server.sqlite3")
    yield running
    running.stop()


@pytest.fixture
def started(loop, tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("AGENT_DESKTOP_PASSWORD", "demo")
    startups: list[Startup] = []

    def factory(*argv: str) -> Startup:
        startup = Startup(_App(), parse_args([*argv, "--lang", "en"]), tmp_path / "home", "en",
                          launched_at=time.perf_counter(), demo_backend=_no_demo)
        startups.append(startup)
        return startup

    yield factory
    for startup in startups:
        window, session, startup.window, startup.session = startup.window, startup.session, None, None
        if window is not None:
            window.close()
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if session is not None and not session.db._closed:
            loop.run_until_complete(session.close())
    QApplication.instance().setQuitOnLastWindowClosed(True)


def _marked_conversation(server: RunningServer, subject: str) -> None:
    server.inbound(channel="email", subject=subject, body="only on this server",
                   customer={"name": "Profile Tester", "email": "tester@example.com"})


def _subjects(session) -> set[str]:
    return {row[0] for row in session.db.reader().execute("SELECT subject FROM conversations WHERE subject LIKE 'Only on%'")}


def test_switching_replaces_window_and_session_and_the_app_keeps_running(started, loop, server, other_server,
                                                                         tmp_path):
    store = ProfileStore(tmp_path / "home")
    first = store.add("First", "reference", server.url, "agent1")
    second = store.add("Second", "reference", other_server.url, "agent1")
    store.set_secret(second, "demo")
    startup = started("--profile", "First")
    loop.run_until_complete(startup.run())
    run_until(loop, lambda: startup.session is not None and startup.session.sync.status.first_sync_done)
    old_window, old_session = startup.window, startup.session
    assert old_session.server_url == server.url and ProfileStore(tmp_path / "home").active() == first

    # Through the window, as a user does: Settings ▸ Server profiles…, pick Second, Switch.
    old_window.profiles_action.trigger()
    dialog = startup.profiles_dialog
    assert dialog is not None and dialog.isVisible() and "(in use)" in dialog.list.item(0).text()
    dialog.list.setCurrentRow(1)
    dialog.switch_button.click()
    run_until(loop, lambda: startup.session is not None and startup.session is not old_session
              and startup.window is not None and startup.window.isVisible())
    assert startup.session.server_url == other_server.url
    assert old_session.db._closed and not shiboken6.isValid(old_window)
    assert not startup.app.quitted and startup.exit_code == 0
    assert QApplication.instance().quitOnLastWindowClosed()       # closing this window quits again
    assert ProfileStore(tmp_path / "home").active() == second
    run_until(loop, lambda: startup.session.sync.status.first_sync_done)


def test_two_profiles_same_user_different_servers_never_mix_their_data(started, loop, server, other_server,
                                                                       tmp_path):
    store = ProfileStore(tmp_path / "home")
    store.add("First", "reference", server.url, "lead1")          # a lead sees every queue
    second = store.add("Second", "reference", other_server.url, "lead1")
    _marked_conversation(server, "Only on the first server")
    _marked_conversation(other_server, "Only on the second server")
    startup = started("--profile", "First")
    loop.run_until_complete(startup.run())
    first_session = startup.session
    first_path = first_session.db.path
    run_until(loop, lambda: "Only on the first server" in _subjects(first_session))
    loop.run_until_complete(startup.switch_profile(second, "demo"))
    second_session = startup.session
    run_until(loop, lambda: "Only on the second server" in _subjects(second_session))
    assert second_session.db.path != first_path and first_path.exists()
    assert _subjects(second_session) == {"Only on the second server"}
    assert meta.get(second_session.db.reader(), meta.SERVER) == other_server.url
    assert store.cache_file(second) == second_session.db.path
    # And back: the first cache is opened again, with the first server's data only.
    loop.run_until_complete(startup.switch_profile(ProfileStore(tmp_path / "home").find("First")))
    back = startup.session
    assert back.db.path == first_path and back.server_url == server.url
    assert _subjects(back) == {"Only on the first server"}


def test_a_command_line_start_remembered_in_the_sign_in_dialog_becomes_a_profile(started, loop, server, tmp_path,
                                                                                 monkeypatch):
    from PySide6.QtWidgets import QDialog

    from agent_desktop.ui import startup as startup_module

    monkeypatch.delenv("AGENT_DESKTOP_PASSWORD")

    async def answer(dialog) -> int:
        dialog.password.setText("demo")
        dialog.remember.setChecked(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(startup_module, "run_dialog", answer)
    startup = started("--server", server.url, "--user", "agent1")
    loop.run_until_complete(startup.run())
    [profile] = ProfileStore(tmp_path / "home").list()
    assert (profile.base_url, profile.username, profile.kind) == (server.url, "agent1", "reference")
    assert ProfileStore(tmp_path / "home").active() == profile
    assert ProfileStore(tmp_path / "home").secret(profile) == "demo"
    assert "demo" not in (tmp_path / "home" / "profiles.json").read_text(encoding="utf-8")


def test_an_unknown_profile_name_fails_clearly(started, loop):
    startup = started("--profile", "Nowhere")
    startup.args.screenshot = "unused.png"    # no message box: the failure is printed
    loop.run_until_complete(startup.run())
    assert startup.exit_code == 1 and startup.app.quitted
