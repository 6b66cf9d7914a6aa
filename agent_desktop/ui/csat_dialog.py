"""Recording the score a customer gave: nothing is preselected, so a reflex Enter records nothing.

Keys 1–5 choose a score, Enter records it; the button stays disabled until a score is chosen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from .keyboard import submit_with_ctrl_enter, tab_moves_focus


class CsatDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("csatDialog")
        self.setWindowTitle(self.tr("Customer satisfaction"))
        intro = QLabel(self.tr("Score the customer gave (1 = very unhappy, 5 = very happy). "
                               "2 or less schedules a follow-up callback."))
        intro.setWordWrap(True)
        self.group = QButtonGroup(self)
        row = QHBoxLayout()
        for score in range(1, 6):
            button = QRadioButton(f"&{score}")
            button.setObjectName(f"csat_{score}")
            self.group.addButton(button, score)
            row.addWidget(button)
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("csatComment")
        self.comment.setPlaceholderText(self.tr("What the customer said (optional)"))
        self.comment.setMaximumHeight(80)
        tab_moves_focus(self.comment)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Record"))
        self.ok.setEnabled(False)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.group.idToggled.connect(lambda _id, _on: self.ok.setEnabled(self.score() is not None))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.comment)
        layout.addWidget(buttons)
        submit_with_ctrl_enter(self, self._accept)

    def score(self) -> int | None:
        chosen = self.group.checkedId()
        return chosen if chosen > 0 else None

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if Qt.Key.Key_1 <= event.key() <= Qt.Key.Key_5 and not self.comment.hasFocus():
            button = self.group.button(event.key() - Qt.Key.Key_0)
            button.setChecked(True)
            button.setFocus()
            return
        super().keyPressEvent(event)

    def _accept(self) -> None:
        if self.score() is not None:
            self.accept()
