"""Dialogs awaited from coroutines, and the sign-in dialog.

A modal `exec()` inside a qasync task fails ("Cannot enter into task"), so dialogs are shown
with `open()` and their `finished` signal resolves a future.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)


def resize_within_screen(widget: QWidget, width: int, height: int) -> None:
    """The size a viewer would like, but never taller or wider than the screen's free area:
    an 820×900 preview on a 1366×768 screen hid its bottom rows (and its buttons) off screen."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        widget.resize(width, height)
        return
    free = screen.availableGeometry()
    widget.resize(min(width, int(free.width() * 0.95)), min(height, int(free.height() * 0.92)))


def button_row(prefix: str, buttons: Sequence[tuple[str, str, Callable[[], object]]], *,
               focus: Qt.FocusPolicy | None = None) -> tuple[QHBoxLayout, dict[str, QPushButton]]:
    """A viewer's row of (key, label, action) buttons, named `<prefix>_<key>` for tests and styles."""
    row = QHBoxLayout()
    made: dict[str, QPushButton] = {}
    for key, text, slot in buttons:
        button = QPushButton(text)
        button.setObjectName(f"{prefix}_{key}")
        if focus is not None:
            button.setFocusPolicy(focus)
        button.clicked.connect(lambda _=False, run=slot: run())
        row.addWidget(button)
        made[key] = button
    return row, made


async def run_dialog(dialog: QDialog) -> int:
    future: asyncio.Future[int] = asyncio.get_event_loop().create_future()

    def finished(code: int) -> None:
        if not future.done():
            future.set_result(code)

    dialog.finished.connect(finished)
    dialog.open()
    return await future


class SignInDialog(QDialog):
    def __init__(self, server: str, username: str, message: str = "", parent: QWidget | None = None, *,
                 secret_label: str | None = None) -> None:
        """`secret_label`: what the secret is called when it is not a password ("API token")."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign in to Agent Desktop"))
        self.server = QLineEdit(server)
        self.server.setReadOnly(bool(server))
        self.username = QLineEdit(username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(self.tr("Remember the password in this computer's password store")
                                  if secret_label is None else self.tr("Remember it in this computer's password store"))
        self.remember.setChecked(True)
        self.message = QLabel(message)
        self.message.setWordWrap(True)
        self.message.setObjectName("dialogMessage")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign in"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.message)
        form.addRow(self.tr("Server"), self.server)
        form.addRow(self.tr("User name"), self.username)
        form.addRow(secret_label or self.tr("Password"), self.password)
        form.addRow(self.remember)
        form.addRow(buttons)
        (self.password if username else self.username).setFocus()
