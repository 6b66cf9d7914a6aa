"""Runs the real app and, once the window shows a synced inbox with its side tabs built (and the
dashboard for a lead), prints every piece of interface chrome text as JSON: button, tab, tool
button, window and label texts, minus labels that show data (names, subjects, phone numbers).
Then, with the window at 1366×740 (a 1366×768 screen less its taskbar), it prints what is clipped:
a button or one-line label narrower than its text, a tab bar that scrolls (tabs behind arrows).
`python tests/ui_texts_driver.py APP ARGS…`; used by tests/test_ui_language.py."""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QTabBar,
    QToolButton,
    QWidget,
)

from tests.app_driver import run_app

# Labels whose text is data from the server or the customer, not interface wording.
DATA_LABELS = {"conversationTitle", "conversationSubtitle", "customerName", "customerValue", "tileAgents",
               "agentStateTimer", "lastSync", "splash", "statusNotice", "offerText"}


def _texts(window: QWidget) -> list[str]:
    found: list[str] = [window.windowTitle()]
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QAbstractButton):
            found.append(widget.text())
        elif isinstance(widget, QTabBar):
            found += [widget.tabText(i) for i in range(widget.count())]
        elif isinstance(widget, QLabel) and widget.objectName() not in DATA_LABELS:
            # The customer pane shows data beside its captions: only the captions are wording.
            if window.customer.isAncestorOf(widget) and widget.buddy() is None \
                    and widget.objectName() not in ("sectionTitle", "emptyState"):
                continue
            found.append(widget.text())
    # The signed-in agent's own name is data wherever it appears (title, status bar).
    name = str(window.session.agent.get("name") or "")
    return [text.replace(name, "") if name else text for text in found if text and text.strip()]


def _where(widget: QWidget) -> str:
    names = []
    while widget is not None and len(names) < 4:
        names.append(widget.objectName() or type(widget).__name__)
        widget = widget.parentWidget()
    return "/".join(reversed(names))


def _in_scroll_area(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _clipped(window: QWidget) -> list[str]:
    """What a person would see cut off: texts narrower than they need, tabs behind scroll arrows,
    widgets running past the window's edge."""
    found: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.width() <= 0:
            continue
        if isinstance(widget, QTabBar):
            arrows = [b for b in widget.findChildren(QToolButton) if b.isVisible()]
            if arrows:
                found.append(f"tabs behind arrows: {_where(widget)} "
                             f"{[widget.tabText(i) for i in range(widget.count())]}")
            continue
        text = widget.text() if isinstance(widget, (QAbstractButton, QLabel)) else ""
        if not text or "\n" in text:
            continue
        if isinstance(widget, QLabel) and (widget.wordWrap() or type(widget).__name__ == "ElidedLabel"
                                           or widget.textFormat() == Qt.TextFormat.RichText):
            continue  # wraps or elides on purpose (with the whole text as its tooltip)
        if isinstance(widget, QToolButton) and widget.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly:
            continue
        need = widget.fontMetrics().horizontalAdvance(text.replace("&", "")) if isinstance(widget, QLabel) \
            else widget.sizeHint().width()
        if widget.width() + 1 < need:
            found.append(f"text cut: {_where(widget)} {text!r} {widget.width()} < {need}")
        if not _in_scroll_area(widget, window):
            right = widget.mapTo(window, widget.rect().bottomRight())
            if right.x() > window.width() or right.y() > window.height():
                found.append(f"past the window's edge: {_where(widget)} {text!r}")
    return found


def main() -> int:
    def poll() -> None:
        app = QApplication.instance()
        for window in app.topLevelWidgets():
            if type(window).__name__ != "MainWindow" or not window.isVisible():
                continue
            if not (window.bridge.status.first_sync_done and window.deferred.built("knowledge")
                    and window.deferred.built("callbacks")):
                return
            if window.is_lead and window.main_stack.currentIndex() != 1:
                return
            print("TEXTS " + json.dumps(_texts(window), ensure_ascii=False), flush=True)
            window.setWindowState(Qt.WindowState.WindowNoState)
            window.resize(1366, 740)
            for _ in range(3):
                app.processEvents()
            # Measure the layout as it stands once every layout asked for has been done: a label
            # whose text a timer just changed ("35:01") waits for its posted LayoutRequest, and
            # measured before it, reads as cut (seen in CI: 7 px < 31). Nested layouts post further
            # requests to their parents, hence a few rounds; no timer can run in between.
            for _ in range(8):
                app.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            print("SIZE " + json.dumps([window.width(), window.height()]), flush=True)
            print("CLIPPED " + json.dumps(_clipped(window), ensure_ascii=False), flush=True)
            app.quit()

    return run_app(sys.argv[1:], poll, interval_ms=100)


if __name__ == "__main__":
    raise SystemExit(main())
