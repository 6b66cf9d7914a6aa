"""Child processes for the start-up benchmark: the app on a prepared cache, and the floor.

`python -m agent_desktop.bench.launch app --home DIR` starts the way `main.py` does (same
imports, QApplication, translations, theme, qasync loop, cache opened off the GUI thread,
MainWindow), offline so no network is in the figure, and prints `PAINTED <rows>` once the
inbox viewport has painted its rows. `… floor` imports the same libraries and shows an empty
QMainWindow, printing `PAINTED 0` at its first paint. The parent times launch → that line.
"""

from __future__ import annotations

import sys
import time

STARTED = time.perf_counter()


def _paint_watcher(widget, rows, done):
    """Call `done()` after the first paint event of `widget` that shows rows (rows() > 0 or None)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Watcher(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint and (rows is None or rows() > 0) and not getattr(self, "fired", 0):
                self.fired = 1
                QTimer.singleShot(0, done)  # after this paint completes
            return False

    watcher = Watcher(widget)
    widget.installEventFilter(watcher)
    return watcher


def run_floor(lean: bool = False) -> int:
    """The design card's libraries (DESIGN.md §6), or with `lean` only those the app loads at start."""
    import asyncio

    import qasync
    import requests  # noqa: F401 - the floor pays for the same imports as the app
    if not lean:
        import sqlite_utils  # noqa: F401 - the app imports it only when a schema step is pending
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = QMainWindow()
    window.resize(1440, 860)

    def done() -> None:
        print(f"PAINTED 0 {time.perf_counter() - STARTED:.4f}", flush=True)
        loop.stop()

    keep = _paint_watcher(window, None, done)
    window.show()
    with loop:
        loop.run_forever()
    del keep
    return 0


def run_app(home: str, language: str = "en") -> int:
    import asyncio
    from pathlib import Path

    import qasync
    from PySide6.QtWidgets import QApplication

    from ..app import LAUNCHED_AT  # noqa: F401 - the app's own import chain, as main.py pays it
    from ..services.session import make_backend, open_session
    from ..ui import i18n
    from ..ui.bridge import SessionBridge
    from ..ui.main_window import MainWindow
    from ..ui.resources import stylesheet
    from ..ui.startup import Startup  # noqa: F401
    from .constants import BENCH_SERVER_KEY, BENCH_USER

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Agent Desktop")
    app.setOrganizationName("AgentDesktop")
    language = i18n.install(app, language)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    state: dict[str, object] = {}

    def done() -> None:
        window = state["window"]
        print(f"PAINTED {window.model.rowCount()} {time.perf_counter() - STARTED:.4f}", flush=True)  # type: ignore[attr-defined]
        loop.stop()

    async def start() -> None:
        app.setStyleSheet(stylesheet())
        # Port 9 (discard) on loopback: nothing answers, so this is the offline start from the cache.
        backend = make_backend("http://127.0.0.1:9")
        session = await asyncio.to_thread(open_session, Path(home), backend, BENCH_USER, None, BENCH_SERVER_KEY)
        state["session"] = session
        window = MainWindow(session, SessionBridge(session), language=language)
        state["window"] = window
        state["watcher"] = _paint_watcher(window.inbox.viewport(), window.model.rowCount, done)
        window.show()

    with loop:
        loop.create_task(start())
        loop.run_forever()
    session = state.get("session")
    if session is not None:
        session.search.close()  # type: ignore[attr-defined]
        session.db.close()  # type: ignore[attr-defined]
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["floor"], ["floor-lean"]):
        return run_floor(lean=args[0] == "floor-lean")
    if args[:1] == ["app"] and "--home" in args:
        return run_app(args[args.index("--home") + 1])
    print("usage: python -m agent_desktop.bench.launch floor | floor-lean | app --home DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
