"""Putting the dashboard into the main window: a second page beside the agent's workspace.

The window's central widget moves into a QStackedWidget (page 0: inbox, page 1: dashboard);
the toolbar gets "Dashboard" (Ctrl+D), shown to leads only. Polling runs only while the
dashboard page is visible, and stops when the window closes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QToolBar

from ...services.dashboard import DashboardService
from ..resources import icon
from .view import DashboardView


class _CloseWatcher(QObject):
    def __init__(self, view: DashboardView) -> None:
        super().__init__(view)
        self.view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Close:
            self.view.stop()
            if self.view.wallboard is not None:
                self.view.wallboard.close()
        return False


def install(window: Any) -> DashboardView:
    session = window.session
    service = DashboardService(session.db, session.backend, session.agent)
    view = DashboardView(service, language=window.language)
    workspace = window.takeCentralWidget()
    stack = QStackedWidget()
    stack.setObjectName("mainStack")
    stack.addWidget(workspace)
    stack.addWidget(view)
    window.setCentralWidget(stack)
    window.main_stack = stack
    action = QAction(icon("dashboard"), QCoreApplication.translate("Dashboard", "Dashboard (Ctrl+D)"), window)
    action.setObjectName("dashboardAction")
    action.setShortcut(QKeySequence("Ctrl+D"))
    action.setCheckable(True)
    action.setVisible(service.is_lead)
    action.setEnabled(service.is_lead)
    action.toggled.connect(lambda on: show(window) if on else hide(window))
    toolbar = window.findChild(QToolBar, "mainToolbar")
    (toolbar or window).addAction(action)
    window.dashboard_action = action
    window.installEventFilter(_CloseWatcher(view))
    window.data_refreshed.connect(lambda _ids, _entities: view.on_data_refreshed())
    return view


def show(window: QMainWindow) -> None:
    view: DashboardView = window.dashboard  # type: ignore[attr-defined]
    window.main_stack.setCurrentWidget(view)  # type: ignore[attr-defined]
    action: QAction = window.dashboard_action  # type: ignore[attr-defined]
    action.blockSignals(True)
    action.setChecked(True)
    action.blockSignals(False)
    view.start()
    view.setFocus()


def hide(window: QMainWindow) -> None:
    view: DashboardView = window.dashboard  # type: ignore[attr-defined]
    if view.wallboard is None:  # a wallboard on the wall keeps refreshing while the lead works the inbox
        view.stop()
    window.main_stack.setCurrentIndex(0)  # type: ignore[attr-defined]
    action: QAction = window.dashboard_action  # type: ignore[attr-defined]
    action.blockSignals(True)
    action.setChecked(False)
    action.blockSignals(False)
