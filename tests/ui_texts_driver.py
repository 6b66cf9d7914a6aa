"""Runs the real app and, once the window shows a synced inbox with its side tabs built (and the
dashboard for a lead), prints every piece of interface chrome text as JSON: button, tab, tool
button, window and label texts, minus labels that show data (names, subjects, phone numbers).
`python tests/ui_texts_driver.py APP ARGS…`; used by tests/test_ui_language.py."""

from __future__ import annotations

import json
import sys

from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTabBar, QWidget

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
            app.quit()

    return run_app(sys.argv[1:], poll, interval_ms=100)


if __name__ == "__main__":
    raise SystemExit(main())
