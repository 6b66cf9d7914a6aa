"""Wrap-up: a disposition code (the backend's list) is required to resolve; CSAT may be noted too."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from ..domain.text import localized_name
from .keyboard import submit_with_ctrl_enter

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class WrapUpDialog(QDialog):
    def __init__(self, dispositions: list[dict[str, Any]], *, chinese: bool, acw_seconds: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Resolve: wrap-up"))
        self.setObjectName("wrapUpDialog")
        self.codes = QListWidget()
        self.codes.setObjectName("dispositionList")
        for item in dispositions:
            label = localized_name(item, chinese)
            entry = QListWidgetItem(label)
            entry.setData(ID_ROLE, item["id"])
            self.codes.addItem(entry)
        self.score = QComboBox()
        self.score.setObjectName("csatScore")
        self.score.addItem(self.tr("not asked"), 0)
        for value in range(5, 0, -1):
            self.score.addItem("★" * value + "☆" * (5 - value) + f"  {value}", value)
        self.hint = QLabel(self.tr("Choose the wrap-up code that says how this contact ended. "
                                   "After resolving you get %1 s of after-contact work before the next offer.")
                           .replace("%1", str(acw_seconds)))
        self.hint.setWordWrap(True)
        self.go_next = QCheckBox(self.tr("Then open the next conversation"))
        self.go_next.setObjectName("resolveGoNext")
        self.go_next.setChecked(True)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Resolve"))
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.codes.itemSelectionChanged.connect(lambda: self.ok.setEnabled(self.disposition() is not None))
        self.codes.itemActivated.connect(lambda _item: self._accept())
        if not dispositions:
            self.error.setText(self.tr("No wrap-up codes yet: sync with the server first."))
        form = QFormLayout(self)
        form.addRow(self.hint)
        form.addRow(self.tr("Wrap-up code"), self.codes)
        form.addRow(self.tr("Customer satisfaction (asked on the phone)"), self.score)
        form.addRow(self.go_next)
        form.addRow(self.error)
        form.addRow(self.buttons)
        submit_with_ctrl_enter(self, self._accept)
        self.codes.setFocus()
        self.codes.clearSelection()   # the agent must choose: no code is pre-selected
        self.ok.setEnabled(False)

    def disposition(self) -> str | None:
        chosen = self.codes.selectedItems()
        return chosen[0].data(ID_ROLE) if chosen else None

    def csat_score(self) -> int:
        return int(self.score.currentData() or 0)

    def _accept(self) -> None:
        if self.disposition() is None:
            self.error.setText(self.tr("Choose a wrap-up code to resolve."))
            return
        self.accept()
