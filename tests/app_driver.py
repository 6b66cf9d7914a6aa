"""Runs the real app (`agent_desktop.app.main`) with a poll that watches its windows, as a person at
the screen would: used by the driver scripts that test the app in its own process."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def run_app(argv: list[str], poll: Callable[[], None], interval_ms: int = 50) -> int:
    """`main(argv)` with `poll()` called every `interval_ms` once the app has made its QApplication."""
    from agent_desktop import app as app_module

    timer = QTimer()
    timer.timeout.connect(poll)
    original_init = QApplication.__init__

    def start_polling(self, *args, **kwargs) -> None:  # the app makes its QApplication in main()
        original_init(self, *args, **kwargs)
        timer.start(interval_ms)

    QApplication.__init__ = start_polling  # type: ignore[method-assign]
    try:
        return app_module.main(argv)
    finally:
        QApplication.__init__ = original_init  # type: ignore[method-assign]
