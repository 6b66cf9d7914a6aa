"""The start-up sequence on the event loop: backend, sign-in, cache, window, sync."""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox

from ..services import credentials
from ..services.errors import AuthRequired, BackendError, NetworkError, SignIn
from ..services.paths import cache_path
from ..services.session import Session, adopt_sign_in, make_backend, open_session, sign_in
from .bridge import SessionBridge
from .dialogs import SignInDialog, run_dialog
from .main_window import MainWindow
from .resources import stylesheet

log = logging.getLogger(__name__)
SCREENSHOT_TIMEOUT_S = 180


class DemoBackend(Protocol):
    """The embedded demo server as the start-up uses it (agent_desktop/demo_backend.py)."""

    users: tuple[str, ...]
    password: str
    cache_key: str

    def start(self) -> str: ...

    def stop(self) -> None: ...


class Startup:
    def __init__(self, app: QApplication, args: argparse.Namespace, base: Path, language: str, *,
                 launched_at: float, demo_backend: Callable[[Path, bool], DemoBackend]) -> None:
        """`demo_backend(base, simulate)`: the embedded demo server, given by app.py (the UI never
        imports the server); `launched_at`: when the process started (perf_counter)."""
        self.app = app
        self.demo_backend = demo_backend
        self.args = args
        self.base = base
        self.language = language
        self.exit_code = 0
        self.demo: DemoBackend | None = None
        self.session: Session | None = None
        self.window: MainWindow | None = None
        self.splash: QLabel | None = None
        self._error_box: QMessageBox | None = None
        self._notice_box: QMessageBox | None = None
        self.launched_at = launched_at

    def tr(self, text: str) -> str:
        return QApplication.translate("Startup", text)

    async def run(self) -> None:
        try:
            await self._run()
        except Exception as exc:  # the last line of defence: say what happened, then quit
            log.exception("start-up failed")
            self._fail(self.tr("Agent Desktop could not start: %1").replace("%1", str(exc)))

    def _fail(self, message: str) -> None:
        print(message, file=sys.stderr)
        self.exit_code = 1
        if self.args.screenshot is None:
            # Shown without a nested event loop (a modal exec inside a task breaks qasync); the
            # app ends when the user has read it.
            box = QMessageBox(QMessageBox.Icon.Critical, "Agent Desktop", message)
            box.finished.connect(lambda _code: self._quit())
            self._error_box = box
            box.open()
            return
        self._quit()

    def _quit(self) -> None:
        self.app.quit()
        asyncio.get_event_loop().stop()

    def _hold_open(self, hold: bool) -> None:
        """While nothing but the splash and the sign-in dialog is up, closing them must not end the
        app (Qt quits when the last window closes); once the main window is up, closing it does."""
        self.app.setQuitOnLastWindowClosed(not hold)

    async def _run(self) -> None:
        self._hold_open(True)
        self.app.setStyleSheet(stylesheet())
        self._show_splash(self.tr("Starting Agent Desktop…"))
        args = self.args
        if args.server:
            server_url, username = args.server, args.user or ""
            backend = make_backend(server_url)
            password = None
            if username:
                password = credentials.get_password(backend.base_url, username) or os.environ.get(
                    "AGENT_DESKTOP_PASSWORD")
            cache_key = backend.base_url
            if username and cache_path(self.base, cache_key, username).exists():
                await self._run_from_cache(backend, username, password, cache_key)
                return
        else:
            self._show_splash(self.tr("Starting the demo backend (the first start creates the demo data)…"))
            self.demo = self.demo_backend(self.base, bool(args.simulate))
            server_url = await asyncio.to_thread(self.demo.start)
            backend = make_backend(server_url)
            username, password = args.user or self.demo.users[0], self.demo.password
            cache_key = self.demo.cache_key
            if cache_path(self.base, cache_key, username).exists():
                await self._run_from_cache(backend, username, password, cache_key)
                return
        signed = await self._sign_in(backend, username, password)
        if signed is False:
            self.exit_code = 1
            self._quit()
            return
        if isinstance(signed, SignIn):
            username = str(signed.agent.get("username") or username)
        self.session = await asyncio.to_thread(
            functools.partial(open_session, language=self.language), self.base, backend, username,
            signed if isinstance(signed, SignIn) else None, cache_key)
        self._show_window()
        self.session.sync.start()
        self._after_window_shown()

    async def _run_from_cache(self, backend, username: str, password: str | None,
                              cache_key: str) -> None:
        """A cache for this server and user exists: show it at once, sign in meanwhile.

        The window works from the cache as in an offline start; sync starts once the sign-in has
        an answer (signed in, or offline: sync keeps retrying). A refused password still brings up
        the sign-in dialog (over the window), and giving up there quits as before."""
        self.session = session = await asyncio.to_thread(
            functools.partial(open_session, language=self.language), self.base, backend, username, None, cache_key)
        self._show_window()
        self._after_window_shown()
        signed = await self._sign_in(backend, username, password)
        if self.session is not session:
            return   # the window was closed (the app is quitting) while the sign-in was under way
        if signed is False:
            self.exit_code = 1
            self._quit()
            return
        if isinstance(signed, SignIn) and str(signed.agent.get("username") or username) != username:
            # Another account was signed in from the dialog: its own cache, never this one. The new
            # window is up before the old one goes (closing the last window would quit the app).
            old_window, old_session = self.window, session
            username = str(signed.agent.get("username"))
            self.session = session = await asyncio.to_thread(open_session, self.base, backend, username, signed,
                                                             cache_key)
            self._show_window()
            self._after_window_shown()
            await self._close(old_window, old_session)
        elif isinstance(signed, SignIn):
            await asyncio.wrap_future(adopt_sign_in(session, signed))
        session.sync.start()

    def _show_window(self) -> None:
        session = self.session
        assert session is not None
        args = self.args
        bridge = SessionBridge(session)
        self.window = window = MainWindow(session, bridge, language=self.language)
        bridge.sign_in_required.connect(lambda: asyncio.ensure_future(self._sign_in_again()))
        window.status.sign_in_clicked.connect(lambda: asyncio.ensure_future(self._sign_in_again()))
        if args.screenshot is not None:
            window.inbox_painted.connect(self._take_screenshot)
            QTimer.singleShot(SCREENSHOT_TIMEOUT_S * 1000, self._screenshot_timeout)
        else:
            window.inbox_painted.connect(self._report_ready)
        self._hide_splash()
        window.show()
        self._hold_open(False)

    def _after_window_shown(self) -> None:
        window, args = self.window, self.args
        assert window is not None
        if args.open:
            window.open_conversation(args.open)
        view = getattr(args, "view", None) or ("dashboard" if window.is_lead else "inbox")
        if view in ("dashboard", "wallboard"):
            window.show_dashboard()
        if view == "wallboard" and window.is_lead:
            window.dashboard.toggle_wallboard()

    async def _sign_in(self, backend, username: str, password: str | None):
        """SignIn, None (offline: work from the cache), or False (the user gave up).

        The dialog comes back after every refusal until the user signs in or cancels; the server's
        sign-in throttling, not a client-side count, limits guessing. "Remember" stores the
        password only once the server has accepted it."""
        message = ""
        remember = False
        while True:
            if username and password:
                try:
                    signed = await asyncio.to_thread(sign_in, backend, username, password)
                except AuthRequired:
                    message = self.tr("The user name or password was not accepted.")
                except NetworkError as exc:
                    log.warning("cannot reach the server at start-up: %s", exc)
                    return None  # offline start: the cache is shown and sync retries
                except BackendError as exc:
                    message = str(exc)
                else:
                    if remember:
                        self._remember(backend.base_url, username, password)
                    return signed
            if self.args.screenshot is not None or os.environ.get("CI"):
                self._fail(self.tr("Cannot sign in: %1").replace("%1", message or self.tr("no password")))
                return False
            self._hide_splash()
            dialog = SignInDialog(backend.base_url, username, message)
            if await run_dialog(dialog) != QDialog.DialogCode.Accepted:
                return False
            username, password = dialog.username.text().strip(), dialog.password.text()
            remember = dialog.remember.isChecked() and bool(self.args.server)
            if not (username and password):
                message = self.tr("Enter your user name and password.")

    def _remember(self, server_url: str, username: str, password: str) -> None:
        try:
            credentials.set_password(server_url, username, password)
        except credentials.CredentialsUnavailable as exc:
            # Said, not asked: the start-up goes on while the note is up.
            box = QMessageBox(QMessageBox.Icon.Information, "Agent Desktop", str(exc))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self._notice_box = box
            box.open()

    async def _sign_in_again(self) -> None:
        session = self.session
        if session is None:
            return
        password = ((credentials.get_password(session.backend.base_url, session.username)
                     or os.environ.get("AGENT_DESKTOP_PASSWORD")) if self.demo is None else self.demo.password)
        signed = await self._sign_in(session.backend, session.username, password)
        if isinstance(signed, SignIn):
            session.sync.resume_after_sign_in()

    def bring_to_front(self, open_id: str | None) -> None:
        """A second start on this data folder: show this window instead (and open what it asked)."""
        window = self.window
        log.info("a second start asked for the window (open=%s)", open_id)
        if window is None:
            return
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()
        QApplication.alert(window)
        if open_id:
            window.open_conversation(open_id)

    def _show_splash(self, text: str) -> None:
        if self.splash is None:
            self.splash = QLabel()
            self.splash.setObjectName("splash")
            self.splash.setWindowFlag(Qt.WindowType.SplashScreen)
            self.splash.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.splash.resize(460, 140)
        self.splash.setText(text)
        self.splash.show()

    def _hide_splash(self) -> None:
        if self.splash is not None:
            self.splash.close()
            self.splash = None

    def _report_ready(self) -> None:
        log.info("inbox painted %.2f s after launch", time.perf_counter() - self.launched_at)

    def _take_screenshot(self) -> None:
        # Let the selected conversation and the side panel lay out before grabbing.
        QTimer.singleShot(400, self._save_screenshot)

    def _save_screenshot(self) -> None:
        assert self.window is not None and self.args.screenshot is not None
        elapsed = time.perf_counter() - self.launched_at
        path = Path(self.args.screenshot)
        path.parent.mkdir(parents=True, exist_ok=True)
        wallboard = self.window.dashboard.wallboard if self.window.is_lead and self.args.view == "wallboard" else None
        if not (wallboard or self.window).grab().save(str(path), "PNG"):
            self._fail(self.tr("Could not save the screenshot to %1").replace("%1", str(path)))
            return
        print(f"launch to painted inbox: {elapsed:.2f} s")
        print(f"inbox rows: {self.window.model.rowCount()}, sync state: {self.window.bridge.status.state}")
        print(f"screenshot saved: {path}")
        self._quit()

    def _screenshot_timeout(self) -> None:
        if self.window is not None and self.app is not None:
            self._fail(self.tr("The inbox did not finish loading in time; no screenshot taken."))

    async def shutdown(self) -> None:
        await self._close_window_and_session()
        if self.demo is not None:
            await asyncio.to_thread(self.demo.stop)

    async def _close_window_and_session(self) -> None:
        window, session, self.window, self.session = self.window, self.session, None, None
        await self._close(window, session)

    @staticmethod
    async def _close(window: MainWindow | None, session: Session | None) -> None:
        if window is not None:
            # Widgets go before the cache, so their last signals still find it open.
            window.shutdown()
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if session is not None:
            await session.close()
