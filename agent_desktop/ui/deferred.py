"""Parts of the main window that the first paint does not need, built later.

Start-up pays for every module it imports and every widget it builds before the inbox shows.
The side-panel feature tabs, the dashboard page, the search dialog … are registered here instead
and built either right after the first paint (one part per event-loop turn, so input stays
responsive) or earlier, the moment something needs them (a shortcut, a tab click, code asking
for the attribute). A tab that exists from the start shows a blank placeholder page until its
real page is built; the real page replaces it before anything is painted, so the user never sees
the placeholder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QTabWidget, QWidget

log = logging.getLogger(__name__)

FALLBACK_MS = 2000  # a window that is never painted (hidden, tests) still gets its parts built


class DeferredParts(QObject):
    """Named builders; `get(name)` builds on demand, `start_after_paint(widget)` builds the rest."""

    after_paint_done = Signal()   # every part meant for after the first paint is built

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._builders: dict[str, Callable[[], Any]] = {}
        self._order: list[str] = []
        self._built: dict[str, Any] = {}
        self._stopped = False
        self._scheduled = False

    def add(self, name: str, build: Callable[[], Any], *, after_paint: bool = True) -> None:
        """Register `build` (returns the part). `after_paint=False`: only built when asked for."""
        self._builders[name] = build
        if after_paint:
            self._order.append(name)

    def get(self, name: str) -> Any:
        if name not in self._built:
            build = self._builders.pop(name)   # KeyError: nobody registered it
            self._built[name] = build()
        return self._built[name]

    def built(self, name: str) -> Any | None:
        """The part if it exists already; never builds (for refreshes and shutdown)."""
        return self._built.get(name)

    def pending(self) -> list[str]:
        return [name for name in self._builders if name not in self._built]

    def building_after_paint(self) -> bool:
        """Parts meant for right after the first paint are not all built yet."""
        return not self._stopped and any(name in self._builders for name in self._order)

    def start_after_paint(self, watched: QWidget) -> None:
        """Build the registered parts once `watched` has painted (or after FALLBACK_MS)."""
        watched.installEventFilter(self)
        self._watched = watched
        QTimer.singleShot(FALLBACK_MS, self, self._schedule)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint and watched is getattr(self, "_watched", None):
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self._schedule)   # after this paint has completed
        return False

    def _schedule(self) -> None:
        if self._scheduled or self._stopped:
            return
        self._scheduled = True
        self._next()

    def _next(self) -> None:
        if self._stopped:
            return
        while self._order:
            name = self._order.pop(0)
            if name in self._builders:
                try:
                    self.get(name)
                except Exception:  # one broken part must not take the window down with it
                    log.exception("building %s after the first paint failed", name)
                QTimer.singleShot(0, self, self._next)   # one part per turn: input is handled between
                return
        self.after_paint_done.emit()

    def stop(self) -> None:
        """The window is closing: nothing more is built (the session closes next)."""
        self._stopped = True


class LazyTabs(QObject):
    """Tabs whose page is a placeholder until first shown (or built by other means)."""

    def __init__(self, tabs: QTabWidget) -> None:
        super().__init__(tabs)
        self.tabs = tabs
        self._pending: dict[QWidget, Callable[[], Any]] = {}
        self._replacing = False
        tabs.currentChanged.connect(self._on_current)

    def add(self, label: str, build: Callable[[], Any], name: str = "") -> QWidget:
        """A placeholder tab labelled `label`; `build()` must end by calling `replace` for it."""
        placeholder = QWidget()
        placeholder.setObjectName(f"lazyTab_{name}" if name else "lazyTab")
        self.tabs.addTab(placeholder, label)
        self._pending[placeholder] = build
        return placeholder

    def is_placeholder(self, widget: QWidget | None) -> bool:
        return widget in self._pending

    def replace(self, placeholder: QWidget, page: QWidget) -> None:
        """Put the real page where the placeholder is, keeping label, position and selection."""
        index = self.tabs.indexOf(placeholder)
        self._pending.pop(placeholder, None)
        if index < 0:
            return
        current = self.tabs.currentIndex() == index
        label = self.tabs.tabText(index)
        self._replacing = True
        try:
            self.tabs.insertTab(index, page, label)
            self.tabs.removeTab(index + 1)
            if current:
                self.tabs.setCurrentIndex(index)
        finally:
            self._replacing = False
        placeholder.deleteLater()

    def _on_current(self, index: int) -> None:
        if self._replacing:
            return
        page = self.tabs.widget(index)
        build = self._pending.get(page) if page is not None else None
        if build is not None:
            build()   # replaces the placeholder synchronously, before the tab is painted
