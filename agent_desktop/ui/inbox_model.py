"""The inbox as a lazy list model: rows come from SQL a page at a time, sorted by the index.

It never loads the whole table (100k conversations would cost seconds and hundreds of MB);
`fetchMore` pages with a keyset on (sla_due, id). A refresh re-reads only what is loaded.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from ..services.conversations import ConversationService
from ..store.inbox import InboxView

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
PAGE_SIZE = 200

Index = QModelIndex | QPersistentModelIndex


class InboxModel(QAbstractListModel):
    view_loaded = Signal()

    def __init__(self, service: ConversationService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.view = InboxView("mine")
        self._rows: list[dict[str, Any]] = []
        self._has_more = False

    # -- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return row["id"]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.get('customer_name') or ''} — {row.get('subject') or ''}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.get('customer_name') or ''}, {row.get('subject') or ''}, {row.get('status')}"
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._has_more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._has_more or not self._rows:
            return
        last = self._rows[-1]
        more = self.service.inbox_page(self.view, (last["sla_due"], last["id"]), PAGE_SIZE)
        self._has_more = len(more) == PAGE_SIZE
        if more:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
            self._rows.extend(more)
            self.endInsertRows()

    # -- ours -----------------------------------------------------------------------------------
    def set_view(self, view: InboxView) -> None:
        self.view = view
        self.beginResetModel()
        self._rows = self.service.inbox_page(view, None, PAGE_SIZE)
        self._has_more = len(self._rows) == PAGE_SIZE
        self.endResetModel()
        self.view_loaded.emit()

    def refresh(self) -> bool:
        """Re-read the loaded range. Returns True if rows were added, removed or reordered
        (the view then restores its selection by id), False if only their contents changed."""
        wanted = max(len(self._rows), PAGE_SIZE)
        rows = self.service.inbox_page(self.view, None, wanted)
        if [r["id"] for r in rows] == [r["id"] for r in self._rows]:
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0), self.index(len(rows) - 1))
            return False
        self.beginResetModel()
        self._rows = rows
        self._has_more = len(rows) == wanted
        self.endResetModel()
        return True

    def row_of(self, conversation_id: str) -> int:
        for number, row in enumerate(self._rows):
            if row["id"] == conversation_id:
                return number
        return -1

    def conversation_id(self, row: int) -> str | None:
        return self._rows[row]["id"] if 0 <= row < len(self._rows) else None
