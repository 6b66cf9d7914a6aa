"""The window's keyboard shortcuts that have no button: focus keys, Ctrl+Q, Ctrl+1…9 for the views,
and F6/F7/F8 for the knowledge tabs until those tabs bring their own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:   # the window imports this module: annotations only
    from .main_window import MainWindow


def install(window: MainWindow) -> list[QAction]:
    """Adds the shortcuts to `window`; returns the F6/F7/F8 actions, which the window removes once
    the knowledge tabs (with their own F6/F7/F8) are built."""
    def focus(widget: QWidget) -> None:
        widget.setFocus(Qt.FocusReason.ShortcutFocusReason)

    for keys, target in (("Ctrl+L", lambda: focus(window.inbox)),
                         ("Ctrl+E", lambda: focus(window.conversation.composer.editor)),
                         ("Ctrl+Shift+V", lambda: focus(window.views))):
        action = QAction(window)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(target)
        window.addAction(action)
    # Ctrl+Q quits, as desktop apps do (queued work stays in the outbox for the next start).
    quit_action = QAction(QCoreApplication.translate("MainWindow", "Quit"), window)
    quit_action.setObjectName("quitAction")
    quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
    if quit_action.shortcut().isEmpty():  # Windows has no standard Quit key
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
    quit_action.triggered.connect(window.close)
    window.addAction(quit_action)
    # Ctrl+1 … Ctrl+9 switch views in one keystroke.
    for number in range(1, 10):
        action = QAction(window)
        action.setShortcut(QKeySequence(f"Ctrl+{number}"))
        action.triggered.connect(lambda _=False, n=number: _select_view_number(window, n))
        window.addAction(action)
    # F6/F7/F8 open the knowledge tabs from the first moment: building them if need be.
    knowledge_actions = []
    for keys, which in (("F6", "scripts"), ("F7", "faq"), ("F8", "guided")):
        action = QAction(window)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _=False, w=which: _show_knowledge_tab(window, w))
        window.addAction(action)
        knowledge_actions.append(action)
    return knowledge_actions


def _select_view_number(window: MainWindow, number: int) -> None:
    keys = window.views.view_keys()
    if number <= len(keys):
        window.views.select(keys[number - 1])


def _show_knowledge_tab(window: MainWindow, which: str) -> None:
    knowledge = window.knowledge
    knowledge.show_tab(getattr(knowledge, which))
