"""Start-up: parse arguments, start the embedded demo backend if needed, sign in, show the window."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path

LAUNCHED_AT = time.perf_counter()



def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from .backends.registry import DEFAULT_KIND, KINDS

    parser = argparse.ArgumentParser(
        prog="agent-desktop", description="Agent Desktop: the agent's workstation.",
        epilog="The password or API token comes from the system keyring, else AGENT_DESKTOP_TOKEN (token "
               "kinds) or AGENT_DESKTOP_PASSWORD, else the sign-in dialog asks. Without --server or --profile "
               "the profile used last opens, or the embedded demo when there is none.")
    parser.add_argument("--backend", choices=sorted(KINDS), default=DEFAULT_KIND, metavar="KIND",
                        help=f"kind of server at --server: {', '.join(sorted(KINDS))} (default: {DEFAULT_KIND})")
    parser.add_argument("--server", help="backend URL (default: the embedded demo backend)")
    parser.add_argument("--user", help="user name (demo: agent1, or lead1 for the team lead)")
    parser.add_argument("--profile", metavar="NAME", help="start with this saved server profile")
    parser.add_argument("--lang", choices=["zh_CN", "en"], help="interface language (default: system)")
    parser.add_argument("--open", metavar="ID", help="open this conversation")
    parser.add_argument("--screenshot", metavar="PATH", type=Path,
                        help="save a PNG of the window once the inbox has painted, then exit")
    parser.add_argument("--simulate", action="store_true", help="demo backend: keep new contacts coming in")
    parser.add_argument("--view", choices=["inbox", "dashboard", "wallboard"],
                        help="what the window shows first (default: the dashboard for team leads, "
                             "the inbox for agents; wallboard: the dashboard's full-screen tiles)")
    args = parser.parse_args(argv)
    if args.profile and args.server:
        parser.error("--profile and --server name two servers: give one of them")
    return args


def _setup_logging(base: Path) -> None:
    from logging.handlers import RotatingFileHandler  # here: the benchmark's import chain skips it

    logs = base / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(logs / "agent-desktop.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # A full disk must not print "--- Logging error ---" tracebacks for every line: the app says
    # so itself (the cache's StoreError), and the log resumes when there is room again.
    logging.raiseExceptions = False
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    for noisy in ("urllib3", "uvicorn", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def share_the_gil_quickly() -> None:
    """Worker threads (sync, search) hand the GIL back after 1 ms instead of 5 ms, so the GUI
    thread never waits long for it (measured: shorter stalls while syncing)."""
    sys.setswitchinterval(0.001)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    share_the_gil_quickly()
    from .services.paths import data_dir

    base = data_dir()
    _setup_logging(base)

    from PySide6.QtCore import QLockFile
    from PySide6.QtWidgets import QApplication

    from .ui import i18n
    from .ui.resources import icon

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Agent Desktop")
    app.setOrganizationName("AgentDesktop")
    # The app's own icon on every window, and the desktop entry Wayland and the taskbar match it to
    # (packaging/linux/org.agentdesktop.AgentDesktop.desktop).
    app.setWindowIcon(icon("app"))
    app.setDesktopFileName("org.agentdesktop.AgentDesktop")
    language = i18n.install(app, args.lang)

    lock = QLockFile(str(base / "agent-desktop.lock"))
    lock.setStaleLockTime(0)  # a lock left by a killed process is detected by its dead PID instead
    if not lock.tryLock(200):
        from .ui.single_instance import ask_running_instance

        if args.screenshot is None and ask_running_instance(base, args.open):
            print(i18n.translate("Startup", "Agent Desktop is already running: its window was brought to the front."))
            return 0
        message = i18n.translate(
            "Startup", "Agent Desktop is already running with this data folder (%1). Switch to the open "
            "window, or set AGENT_DESKTOP_HOME to use a second folder.").replace("%1", str(base))
        print(message, file=sys.stderr)
        if args.screenshot is None:
            from PySide6.QtWidgets import QMessageBox
            QMessageBox.information(None, "Agent Desktop", message)
        return 2

    from .ui.event_loop import AppEventLoop

    loop = AppEventLoop(app)
    asyncio.set_event_loop(loop)
    from .demo_backend import EmbeddedDemo
    from .ui.startup import Startup

    startup = Startup(app, args, base, language, launched_at=LAUNCHED_AT,
                      demo_backend=lambda folder, simulate: EmbeddedDemo(folder, simulate=simulate))
    from .ui.single_instance import InstanceServer

    later_starts = InstanceServer(base, startup.bring_to_front)
    with loop:
        loop.create_task(startup.run())
        loop.run_forever()
        loop.run_until_complete(startup.shutdown())
    later_starts.close()
    lock.unlock()
    return startup.exit_code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

__all__ = ["main", "LAUNCHED_AT"]
