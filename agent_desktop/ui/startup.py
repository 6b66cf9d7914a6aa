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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox

from ..services import credentials
from ..services.errors import AuthRequired, BackendError, NetworkError, SignIn
from ..services.paths import cache_path
from ..services.profiles import (
    DEFAULT_KIND,
    Profile,
    ProfileError,
    ProfileStore,
    env_secret,
    kind_info,
    server_key,
)
from ..services.session import Session, adopt_sign_in, make_backend, open_session, sign_in
from .bridge import SessionBridge
from .dialogs import SignInDialog, run_dialog
from .main_window import MainWindow
from .resources import stylesheet
from .tasks import spawn

if TYPE_CHECKING:   # built when the user opens it
    from .profiles_dialog import ProfilesDialog

log = logging.getLogger(__name__)
SCREENSHOT_TIMEOUT_S = 180


class DemoBackend(Protocol):
    """The embedded demo server as the start-up uses it (agent_desktop/demo_backend.py)."""

    users: tuple[str, ...]
    password: str
    cache_key: str

    def start(self) -> str: ...

    def stop(self) -> None: ...


@dataclass
class Target:
    """What to connect to: a saved profile, the server named on the command line, or the demo."""

    kind: str
    url: str                         # the demo's: known once it runs
    username: str
    secret_kind: str = "password"
    profile: Profile | None = None
    secret: str | None = None        # typed in the profiles dialog and not saved: kept in memory only
    demo: bool = False

    @classmethod
    def of(cls, profile: Profile, secret: str | None = None) -> Target:
        return cls(profile.kind, profile.base_url, profile.username, profile.secret_kind, profile, secret)


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
        self.target: Target | None = None
        self._profiles: ProfileStore | None = None
        self.profiles_dialog: ProfilesDialog | None = None
        self._switching = False

    @property
    def profiles(self) -> ProfileStore:
        """The saved profiles, read on first use."""
        if self._profiles is None:
            self._profiles = ProfileStore(self.base)
        return self._profiles

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
        target = self._target_from_args()
        if target is not None and not await self._start(target):
            self.exit_code = 1
            self._quit()

    def _target_from_args(self) -> Target | None:
        """`--profile`, else `--server` (with `--backend`), else the profile used last (unless a
        `--user` asks for the demo's lead), else the embedded demo. None: said why, quitting."""
        args = self.args
        if getattr(args, "profile", None):
            profile = self.profiles.find(args.profile)
            if profile is None:
                self._fail(self.tr("There is no saved profile named “%1”.").replace("%1", args.profile))
                return None
            return Target.of(profile)
        if args.server:
            kind = getattr(args, "backend", None) or DEFAULT_KIND
            username = args.user or ""
            return Target(kind, args.server, username, kind_info(kind).secrets[0],
                          self.profiles.find_account(kind, args.server, username) if username else None)
        last = self.profiles.active() if not args.user else None
        if last is not None:
            return Target.of(last)
        return Target(DEFAULT_KIND, "", args.user or "", demo=True)

    async def _start(self, target: Target) -> bool:
        """Connect to `target` and show its window: from its cache at once when there is one.
        False: the user gave up signing in (the caller decides what follows)."""
        self.target = target
        if target.demo:
            if self.demo is None:
                self._show_splash(self.tr("Starting the demo backend (the first start creates the demo data)…"))
                self.demo = self.demo_backend(self.base, bool(self.args.simulate))
                target.url = await asyncio.to_thread(self.demo.start)
            target.username = target.username or self.demo.users[0]
        backend = make_backend(target.url, target.kind)
        cache_key = self.demo.cache_key if target.demo and self.demo else server_key(target.kind, backend.base_url)
        if target.profile is not None:
            self.profiles.set_active(target.profile.id)
        username = target.username
        password = self._stored_secret(target, backend, username)
        if username and cache_path(self.base, cache_key, username).exists():
            return await self._run_from_cache(backend, username, password, cache_key)
        signed = await self._sign_in(backend, username, password)
        if signed is False:
            return False
        if isinstance(signed, SignIn):
            username = str(signed.agent.get("username") or username)
        self.session = await asyncio.to_thread(
            functools.partial(open_session, language=self.language), self.base, backend, username,
            signed if isinstance(signed, SignIn) else None, cache_key)
        self._show_window()
        self.session.sync.start()
        self._after_window_shown()
        return True

    def _stored_secret(self, target: Target, backend, username: str) -> str | None:
        """The demo's password; or what the profiles dialog passed; or the keyring's; or the
        environment's (AGENT_DESKTOP_TOKEN for token kinds, AGENT_DESKTOP_PASSWORD)."""
        if target.demo and self.demo is not None:
            return self.demo.password
        if target.secret and username == target.username:
            return target.secret
        if not username:
            return None
        return (credentials.get_password(server_key(target.kind, backend.base_url), username)
                or env_secret(target.secret_kind))

    async def switch_profile(self, profile: Profile, secret: str | None = None) -> None:
        """Close this window and session (queued work stays in their cache, sent on the next
        visit) and start `profile` as a start-up would, without quitting the app. Giving up its
        sign-in goes back to the profile (or demo) that was open."""
        if self._switching:
            return
        self._switching = True
        previous = self.target
        try:
            self._hold_open(True)          # the old window closes before the new one shows
            self._show_splash(self.tr("Connecting to %1…").replace("%1", profile.name))
            await self._close_window_and_session()
            try:
                if await self._start(Target.of(profile, secret)):
                    return
            except Exception:
                log.exception("switching to another profile failed")
                self._show_notice(self.tr("Could not open the profile “%1”; going back.").replace("%1", profile.name))
            await self._close_window_and_session()
            if previous is None or not await self._start(previous):
                self.exit_code = 1
                self._quit()
        finally:
            self._switching = False

    def show_profiles(self) -> ProfilesDialog:
        """The profiles dialog over the window; "Switch to this profile" calls `switch_profile`."""
        from .profiles_dialog import ProfilesDialog

        if self.profiles_dialog is not None and self.profiles_dialog.isVisible():
            self.profiles_dialog.raise_()
            return self.profiles_dialog
        current = self.target.profile.id if self.target is not None and self.target.profile else None
        dialog = ProfilesDialog(self.profiles, current=current, parent=self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # No owner: the switch closes the window (and with it this dialog) on its way.
        dialog.switch_requested.connect(lambda profile, secret: spawn(self.switch_profile(profile, secret or None)))
        dialog.destroyed.connect(lambda *_: setattr(self, "profiles_dialog", None))
        self.profiles_dialog = dialog
        dialog.open()
        return dialog

    async def _run_from_cache(self, backend, username: str, password: str | None,
                              cache_key: str) -> bool:
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
            return True   # the window was closed (quitting, switching) while the sign-in was under way
        if signed is False:
            return False
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
        return True

    def _show_window(self) -> None:
        session = self.session
        assert session is not None
        args = self.args
        bridge = SessionBridge(session)
        self.window = window = MainWindow(session, bridge, language=self.language)
        bridge.sign_in_required.connect(lambda: asyncio.ensure_future(self._sign_in_again()))
        window.status.sign_in_clicked.connect(lambda: asyncio.ensure_future(self._sign_in_again()))
        window.profiles_requested.connect(self.show_profiles)
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
        secret only once the server has accepted it (and saves a command-line start as a profile)."""
        message = ""
        remember = False
        target = self.target
        token = target is not None and target.secret_kind == "token"
        while True:
            if username and password:
                try:
                    signed = await asyncio.to_thread(sign_in, backend, username, password)
                except AuthRequired:
                    message = (self.tr("The user name or API token was not accepted.") if token
                               else self.tr("The user name or password was not accepted."))
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
            dialog = SignInDialog(backend.base_url, username, message,
                                  secret_label=self.tr("API token") if token else None)
            if await run_dialog(dialog) != QDialog.DialogCode.Accepted:
                return False
            username, password = dialog.username.text().strip(), dialog.password.text()
            remember = dialog.remember.isChecked() and not (target is not None and target.demo)
            if not (username and password):
                message = (self.tr("Enter your user name and API token.") if token
                           else self.tr("Enter your user name and password."))

    def _remember(self, server_url: str, username: str, password: str) -> None:
        """Into the keyring under this account's key; a start without a profile becomes one."""
        target = self.target
        kind = target.kind if target is not None else DEFAULT_KIND
        try:
            credentials.set_password(server_key(kind, server_url), username, password)
        except credentials.CredentialsUnavailable as exc:
            self._show_notice(str(exc))
            return
        if target is None or target.demo:
            return
        profile = target.profile if target.profile and target.profile.username == username \
            else self.profiles.find_account(kind, server_url, username)
        if profile is None:
            profile = self._save_as_profile(kind, server_url, username, target.secret_kind)
        if profile is not None:
            target.profile = profile
            self.profiles.set_active(profile.id)

    def _save_as_profile(self, kind: str, server_url: str, username: str, secret_kind: str) -> Profile | None:
        from urllib.parse import urlsplit

        host = urlsplit(server_url).netloc or server_url
        taken = {p.name.casefold() for p in self.profiles.list()}
        name = f"{username} @ {host}"
        for n in range(2, 100):
            if name.casefold() not in taken:
                break
            name = f"{username} @ {host} ({n})"
        try:
            return self.profiles.add(name, kind, server_url, username, secret_kind)
        except (ProfileError, OSError) as exc:
            log.warning("could not save the start as a profile: %s", exc)
            return None

    def _show_notice(self, text: str) -> None:
        # Said, not asked: the start-up goes on while the note is up.
        box = QMessageBox(QMessageBox.Icon.Information, "Agent Desktop", text)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._notice_box = box
        box.open()

    async def _sign_in_again(self) -> None:
        session, target = self.session, self.target
        if session is None or target is None:
            return
        secret = self._stored_secret(target, session.backend, session.username)
        signed = await self._sign_in(session.backend, session.username, secret)
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
