"""Runs the real app (`agent_desktop.app.main`) and answers its sign-in dialogs from the keyboard,
as a person would: `python sign_in_driver.py ANSWERS -- APP ARGS`. ANSWERS is a comma-separated
list, one per dialog: a password to type and submit with Enter, `!password` to untick "Remember"
first, or `<esc>` to cancel. Prints what it saw; quits once the main window shows a synced inbox.
The keyring is an in-memory one whose contents are printed at the end (never the machine's)."""

from __future__ import annotations

import json
import sys

import keyring
import keyring.backend
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]
    secrets: dict[str, str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get(f"{service}|{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[f"{service}|{username}"] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop(f"{service}|{username}", None)


def main() -> int:
    answers = sys.argv[1].split(",")
    app_args = sys.argv[sys.argv.index("--") + 1:]
    keyring.set_keyring(MemoryKeyring())
    from agent_desktop.ui.dialogs import SignInDialog
    from tests.app_driver import run_app  # imports the app: after the keyring is set

    answered: set[int] = set()

    def poll() -> None:
        app = QApplication.instance()
        for widget in app.topLevelWidgets():
            if isinstance(widget, SignInDialog) and widget.isVisible() and id(widget) not in answered:
                answered.add(id(widget))
                answer = answers.pop(0)
                print(f"dialog: {widget.message.text()!r} focus-on-password={widget.password.hasFocus()}", flush=True)
                if answer == "<esc>":
                    QTest.keyClick(widget.password, Qt.Key.Key_Escape)
                    continue
                if answer.startswith("!"):
                    answer = answer[1:]
                    QTest.keyClick(widget.remember, Qt.Key.Key_Space)
                QTest.keyClicks(widget.password, answer)
                QTest.keyClick(widget.password, Qt.Key.Key_Return)
            elif type(widget).__name__ == "MainWindow" and widget.isVisible() \
                    and widget.bridge.status.first_sync_done and widget.model.rowCount():
                print(f"inbox rows: {widget.model.rowCount()}", flush=True)
                app.quit()

    code = run_app(app_args, poll)
    print(f"keyring: {json.dumps(MemoryKeyring.secrets)}", flush=True)
    print(f"exit code: {code}", flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
