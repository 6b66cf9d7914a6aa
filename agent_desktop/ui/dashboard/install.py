"""Putting the dashboard into the main window: a second page beside the agent's workspace.

The window's central QStackedWidget `main_stack` gets the page as page 1 (page 0: inbox) when it
is first needed; the toolbar gets "Dashboard" (Ctrl+D), shown to leads only. Polling runs only while the
dashboard page is visible, and stops when the window closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar

from ..resources import icon

if TYPE_CHECKING:   # imported when the page is first built (start-up does not pay for it)
    from ..main_window import MainWindow  # it imports this module: annotations only
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


def install(window: MainWindow) -> QAction:
    """The toolbar action now (returned: the window keeps it as `dashboard_action`); the page on
    first use (Ctrl+D), or right after the first paint for a lead (so Ctrl+D is instant).
    `window.main_stack` (page 0: the workspace) is the window's."""
    lead = is_lead(window.session.agent)
    action = QAction(icon("dashboard"), QCoreApplication.translate("Dashboard", "Dashboard (Ctrl+D)"), window)
    action.setObjectName("dashboardAction")
    action.setShortcut(QKeySequence("Ctrl+D"))
    action.setCheckable(True)
    action.setVisible(lead)
    action.setEnabled(lead)
    action.toggled.connect(lambda on: show(window) if on else hide(window))
    toolbar = window.findChild(QToolBar, "mainToolbar")
    (toolbar or window).addAction(action)
    window.deferred.add("dashboard", lambda: build(window), after_paint=lead)
    return action


def is_lead(agent: dict[str, Any]) -> bool:
    """The same rule as `DashboardService.is_lead`, without importing the service at start-up."""
    return agent.get("role") == "lead"


def build(window: MainWindow) -> DashboardView:
    from .view import DashboardView

    view = DashboardView(window.session.dashboard, language=window.language)
    window.main_stack.addWidget(view)
    window.installEventFilter(_CloseWatcher(view))
    window.refresher.refreshed.connect(lambda _ids, _entities: view.on_data_refreshed())
    return view


def show(window: MainWindow) -> None:
    view = window.dashboard
    window.main_stack.setCurrentWidget(view)
    action = window.dashboard_action
    action.blockSignals(True)
    action.setChecked(True)
    action.blockSignals(False)
    view.start()
    view.setFocus()


def hide(window: MainWindow) -> None:
    view: DashboardView | None = window.deferred.built("dashboard")
    if view is not None and view.wallboard is None:  # a wallboard keeps refreshing while the lead works
        view.stop()
    window.main_stack.setCurrentIndex(0)
    action = window.dashboard_action
    action.blockSignals(True)
    action.setChecked(False)
    action.blockSignals(False)
