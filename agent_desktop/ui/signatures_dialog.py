"""Editing the e-mail signatures: the agent's own and each queue's, in English and in Chinese.

Everything by keyboard: Alt+S picks whose signature, Alt+E / Alt+C the two texts, Tab moves on,
Ctrl+Enter saves. The file is written off the GUI thread; the dialog closes once it is on disk.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..services.signatures import MAX_LENGTH, Signature, SignatureService
from .keyboard import submit_with_ctrl_enter, tab_moves_focus
from .tasks import spawn

AGENT = "agent"
QUEUE = "queue"


class SignaturesDialog(QDialog):
    saved = Signal()

    def __init__(self, service: SignatureService, agent_id: str, queues: list[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturesDialog")
        self.setWindowTitle(self.tr("E-mail signatures"))
        self.service, self.agent_id = service, agent_id
        intro = QLabel(self.tr("Added to e-mail replies, yours first and then the queue's, in the customer's "
                               "language. You can still edit them in each reply."))
        intro.setWordWrap(True)
        self.whose = QComboBox()
        self.whose.setObjectName("signatureWhose")
        # Whose signature each entry of the list edits, by its row (a tuple does not survive QVariant).
        self.targets: list[tuple[str, str]] = [(AGENT, agent_id)] + [(QUEUE, queue_id) for queue_id, _ in queues]
        self.whose.addItem(self.tr("My signature"))
        for _queue_id, name in queues:
            self.whose.addItem(self.tr("Queue: %1").replace("%1", name))
        self.english = QPlainTextEdit()
        self.english.setObjectName("signatureEnglish")
        self.chinese = QPlainTextEdit()
        self.chinese.setObjectName("signatureChinese")
        for editor in (self.english, self.chinese):
            editor.setMaximumHeight(90)
        tab_moves_focus(self.english, self.chinese)
        self.error = QLabel()
        self.error.setObjectName("signatureError")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("&Signature of:"), self.whose)
        form.addRow(self.tr("&English:"), self.english)
        form.addRow(self.tr("&Chinese:"), self.chinese)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        submit_with_ctrl_enter(self, self.save)
        self._edits: dict[tuple[str, str], Signature] = {}
        self._shown: tuple[str, str] | None = None
        self.whose.currentIndexChanged.connect(self._show_current)
        self._show_current()
        self.resize(520, 360)

    def _keep_shown(self) -> None:
        if self._shown is not None:
            self._edits[self._shown] = Signature(en=self.english.toPlainText(), zh=self.chinese.toPlainText())

    def _show_current(self) -> None:
        self._keep_shown()
        key = self.targets[max(0, self.whose.currentIndex())]
        self._shown = key
        found = self._edits.get(key) or (self.service.agent(key[1]) if key[0] == AGENT else self.service.queue(key[1]))
        self.english.setPlainText(found.en)
        self.chinese.setPlainText(found.zh)

    def save(self) -> None:
        self._keep_shown()
        too_long = [sig for sig in self._edits.values() if max(len(sig.en.strip()), len(sig.zh.strip())) > MAX_LENGTH]
        if too_long:
            self.error.setText(self.tr("A signature may have at most %1 characters.").replace("%1", f"{MAX_LENGTH:,}"))
            return
        for (whose, key), signature in self._edits.items():
            (self.service.set_agent if whose == AGENT else self.service.set_queue)(key, signature)
        self.save_button.setEnabled(False)

        def failed(error: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.error.setText(self.tr("Could not save the signatures: %1").replace("%1", str(error)))

        def done(_result: object) -> None:
            self.saved.emit()
            self.accept()

        spawn(asyncio.to_thread(self.service.save), on_error=failed, on_done=done, owner=self)
