"""The reply box: reply or internal note, Ctrl+Enter sends, the draft is saved as you type."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

DRAFT_DELAY_MS = 400


class ComposerEdit(QPlainTextEdit):
    send_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.send_requested.emit()
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    send_requested = Signal(str, str)      # kind, body
    draft_changed = Signal(str, str)       # kind, body (debounced)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.reply_button = QToolButton(text=self.tr("&Reply"), checkable=True, checked=True)
        self.note_button = QToolButton(text=self.tr("Internal &note"), checkable=True)
        for button, name in ((self.reply_button, "replyToggle"), (self.note_button, "noteToggle")):
            button.setObjectName(name)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        group = QButtonGroup(self)
        group.setExclusive(True)
        group.addButton(self.reply_button)
        group.addButton(self.note_button)
        group.buttonToggled.connect(self._on_kind_toggled)

        self.editor = ComposerEdit()
        self.editor.setObjectName("composerEdit")
        self.editor.setTabChangesFocus(True)
        self.editor.send_requested.connect(self._send)
        self.editor.textChanged.connect(self._schedule_draft)

        self.hint = QLabel()
        self.hint.setObjectName("composerHint")
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setObjectName("sendButton")
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.send_button.clicked.connect(self._send)

        toggle_shortcut = QShortcut(QKeySequence("Ctrl+Shift+N"), self)
        toggle_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        toggle_shortcut.activated.connect(self.toggle_kind)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.reply_button)
        top.addWidget(self.note_button)
        top.addStretch(1)
        top.addWidget(self.hint)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        shortcut_label = QLabel(self.tr("Ctrl+Enter to send · Ctrl+Shift+N reply/note"))
        shortcut_label.setObjectName("composerShortcuts")
        bottom.addWidget(shortcut_label)
        bottom.addStretch(1)
        bottom.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.editor, 1)
        layout.addLayout(bottom)

        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self._emit_draft)
        self._loading = False
        self._on_kind_toggled()

    @property
    def kind(self) -> str:
        return "note" if self.note_button.isChecked() else "reply"

    def toggle_kind(self) -> None:
        (self.reply_button if self.note_button.isChecked() else self.note_button).setChecked(True)

    def load(self, kind: str, body: str) -> None:
        """Show a conversation's draft without treating it as a fresh edit."""
        self._loading = True
        self._draft_timer.stop()
        (self.note_button if kind == "note" else self.reply_button).setChecked(True)
        self.editor.setPlainText(body)
        cursor = self.editor.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.editor.setTextCursor(cursor)
        self._loading = False

    def flush_draft(self) -> None:
        """Save a pending draft now (before switching conversation or quitting)."""
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self._emit_draft()

    def _on_kind_toggled(self, *_args: object) -> None:
        note = self.note_button.isChecked()
        self.editor.setProperty("note", note)
        self.editor.style().unpolish(self.editor)
        self.editor.style().polish(self.editor)
        self.editor.setPlaceholderText(
            self.tr("Internal note: only your team sees this…") if note else self.tr("Reply to the customer…"))
        self.send_button.setText(self.tr("Add note") if note else self.tr("Send"))
        self.hint.setText(self.tr("Not visible to the customer") if note else "")
        if not self._loading:
            self._schedule_draft()

    def _schedule_draft(self) -> None:
        if not self._loading:
            self._draft_timer.start()

    def _emit_draft(self) -> None:
        self.draft_changed.emit(self.kind, self.editor.toPlainText())

    def _send(self) -> None:
        body = self.editor.toPlainText()
        if body.strip():
            self.send_requested.emit(self.kind, body)

    def clear_after_send(self) -> None:
        self._loading = True
        self._draft_timer.stop()
        self.editor.clear()
        self._loading = False
