"""Notifications: a tray balloon and a sound, also when the window has focus.

Headless (no tray, no audio device) nothing fails: the notification is still recorded in
`history` and shown in the status bar, which is what tests and a kiosk without a tray see.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QMainWindow, QSystemTrayIcon

from .resources import icon

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    kind: str        # "offer" | "assigned" | "sla" | "callback"
    title: str
    text: str
    at: float


class Notifier(QObject):
    notified = Signal(object)   # Notice

    def __init__(self, window: QMainWindow | None = None, *, sound: bool = True) -> None:
        super().__init__(window)
        self.window = window
        self.sound = sound
        self.history: list[Notice] = []
        self.tray: QSystemTrayIcon | None = None
        try:
            if QSystemTrayIcon.isSystemTrayAvailable():
                self.tray = QSystemTrayIcon(icon("app"), self)
                self.tray.setToolTip("Agent Desktop")
                self.tray.show()
        except RuntimeError:  # pragma: no cover - platform plugin without tray support
            self.tray = None

    def notify(self, kind: str, title: str, text: str) -> Notice:
        notice = Notice(kind, title, text, time.monotonic())
        self.history.append(notice)
        del self.history[:-50]
        if self.tray is not None:
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)
        if self.sound:
            try:
                QApplication.beep()
            except RuntimeError:  # pragma: no cover
                log.debug("no sound available")
        if self.window is not None and self.window.statusBar() is not None:
            bar = self.window.statusBar()
            if hasattr(bar, "show_notice"):
                bar.show_notice(f"{title} · {text}")
            else:
                bar.showMessage(f"{title} · {text}", 8000)
        self.notified.emit(notice)
        return notice
