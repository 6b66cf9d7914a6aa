"""The `/` quick-insert popup of the composer, and how it finds and renders scripts.

The popup is a child list over the composer that never takes focus: the editor keeps the
keyboard and forwards ↑/↓/Enter/Esc to it, so typing goes on while results arrive. Searching
happens on the knowledge worker thread (newest request wins), never on the GUI thread.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ..domain.text import safe_display

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
MAX_ROWS = 8


class QuickInsertSource(Protocol):
    async def quick_search(self, text: str) -> list[dict[str, Any]] | None: ...

    def quick_render(self, item: dict[str, Any]) -> str: ...

    def quick_used(self, item: dict[str, Any]) -> None: ...


class QuickInsertPopup(QListWidget):
    chosen = Signal(object)   # the script dict

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("quickInsert")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setUniformItemSizes(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.itemClicked.connect(lambda item: self.chosen.emit(item.data(ITEM_ROLE)))
        self.hide()

    def show_items(self, items: list[dict[str, Any]], empty_text: str) -> None:
        self.clear()
        for script in items:
            shortcut = f"/{script['shortcut']}  " if script.get("shortcut") else ""
            preview = safe_display(script.get("body") or "", 60)
            item = QListWidgetItem(f"{shortcut}{safe_display(script['title'], 40)} — {preview}")
            item.setData(ITEM_ROLE, script)
            item.setToolTip(safe_display(script.get("body") or "", 400))
            self.addItem(item)
        if not items:
            placeholder = QListWidgetItem(empty_text)
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(placeholder)
        else:
            self.setCurrentRow(0)
        self.show()
        self.raise_()

    def move_selection(self, delta: int) -> None:
        if self.count() and self.item(0).data(ITEM_ROLE) is not None:
            self.setCurrentRow((self.currentRow() + delta) % self.count())

    def current_script(self) -> dict[str, Any] | None:
        item = self.currentItem()
        return item.data(ITEM_ROLE) if item is not None else None

    def row_height(self) -> int:
        return max(self.sizeHintForRow(0), 22) if self.count() else 22

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(420, self.row_height() * min(max(self.count(), 1), MAX_ROWS) + 6)


def slash_token(text: str, cursor: int) -> tuple[int, str] | None:
    """The `/word` being typed at `cursor`: (position of '/', the word), or None.

    The slash must start a word (start of text or after a space/newline), so URLs like
    `a/b` and dates like 3/4 never open the popup.
    """
    start = cursor
    while start > 0 and not text[start - 1].isspace() and text[start - 1] != "/":
        start -= 1
    if start == 0 or text[start - 1] != "/":
        return None
    slash = start - 1
    if slash > 0 and not text[slash - 1].isspace():
        return None
    return slash, text[start:cursor]
