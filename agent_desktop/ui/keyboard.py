"""Keyboard conventions shared by the dialogs: no key traps, one way to submit.

In a form, Tab moves to the next field (a tab character in a hand-off note is never what an
agent meant), and Ctrl+Enter submits from anywhere in the dialog, as it sends a reply.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

SUBMIT_KEYS = ("Ctrl+Return", "Ctrl+Enter")


def tab_moves_focus(*editors: QPlainTextEdit | QTextEdit) -> None:
    for editor in editors:
        editor.setTabChangesFocus(True)


def submit_with_ctrl_enter(dialog: QWidget, submit: Callable[[], None]) -> list[QShortcut]:
    shortcuts = []
    for keys in SUBMIT_KEYS:
        shortcut = QShortcut(QKeySequence(keys), dialog)
        shortcut.activated.connect(submit)
        shortcuts.append(shortcut)
    return shortcuts
