"""The inbox as a lazy list model: rows come from SQL a page at a time, sorted by the index.

It never loads the whole table (100k conversations would cost seconds and hundreds of MB);
`fetchMore` pages with a keyset on (sla_due, id). A refresh re-reads only what is loaded.

Measured with `python -m agent_desktop.bench` (docs/performance.md): Qt calls `rowCount` once
per loaded row on every relayout (QListView checks each row for "hidden" through
`model.index()`), so it must be trivially cheap; and a relayout follows every `fetchMore`, so
pages grow with the list (fewer relayouts when the user drags far down). Rows are kept as
tuples with repeated values interned: about half the memory of one dict per row.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from ..domain.inbox import InboxView
from ..services.conversations import ConversationService

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000  # a fetch this big still costs a few ms; beyond that it would be a visible stall
# Low-cardinality columns: one shared string per distinct value instead of one per row.
_INTERNED = frozenset({"channel", "status", "priority", "assignee_id", "queue_id", "customer_tier"})

Index = QModelIndex | QPersistentModelIndex
Row = tuple[Any, ...]


class InboxModel(QAbstractListModel):
    view_loaded = Signal()

    def __init__(self, service: ConversationService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.view = InboxView("mine")
        self._names: tuple[str, ...] = ()
        self._id_at = self._due_at = 0
        self._rows: list[Row] = []
        self._count = 0
        self._has_more = False

    # -- rows in, rows out ----------------------------------------------------------------------
    def _pack(self, rows: list[dict[str, Any]]) -> list[Row]:
        if not rows:
            return []
        names = tuple(rows[0])
        if names != self._names:
            self._names = names
            self._id_at, self._due_at = names.index("id"), names.index("sla_due")
        interned = [position for position, name in enumerate(names) if name in _INTERNED]
        packed: list[Row] = []
        intern = sys.intern
        for row in rows:
            values = list(row.values())
            for position in interned:
                value = values[position]
                if type(value) is str:
                    values[position] = intern(value)
            packed.append(tuple(values))
        return packed

    def _set_rows(self, rows: list[Row]) -> None:
        self._rows = rows
        self._count = len(rows)

    def _row_dict(self, row: Row) -> dict[str, Any]:
        return dict(zip(self._names, row, strict=True))

    def _key(self, row: Row) -> tuple[str, str]:
        return row[self._due_at], row[self._id_at]

    # -- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        # Called once per loaded row on each relayout: keep it to one check and an attribute.
        return 0 if parent.isValid() else self._count

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._count:
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return self._row_dict(row)
        if role == ID_ROLE:
            return row[self._id_at]
        if role == Qt.ItemDataRole.DisplayRole:
            values = self._row_dict(row)
            return f"{values.get('customer_name') or ''} — {values.get('subject') or ''}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            values = self._row_dict(row)
            return f"{values.get('customer_name') or ''}, {values.get('subject') or ''}, {values.get('status')}"
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._has_more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._has_more or not self._rows:
            return
        # Each fetch makes Qt relayout every loaded row: grow the page with the list.
        size = min(MAX_PAGE_SIZE, max(PAGE_SIZE, self._count // 4))
        more = self._pack(self.service.inbox_page(self.view, self._key(self._rows[-1]), size))
        self._has_more = len(more) == size
        if more:
            self.beginInsertRows(QModelIndex(), self._count, self._count + len(more) - 1)
            self._rows.extend(more)
            self._count = len(self._rows)
            self.endInsertRows()

    # -- ours -----------------------------------------------------------------------------------
    def set_view(self, view: InboxView) -> None:
        self.view = view
        self.beginResetModel()
        self._set_rows(self._pack(self.service.inbox_page(view, None, PAGE_SIZE)))
        self._has_more = self._count == PAGE_SIZE
        self.endResetModel()
        self.view_loaded.emit()

    def refresh(self) -> bool:
        """Re-read the loaded range. Returns True if rows were added, removed or reordered
        (the view then restores its selection by id), False if only their contents changed."""
        wanted = max(self._count, PAGE_SIZE)
        rows = self._pack(self.service.inbox_page(self.view, None, wanted))
        id_at = self._id_at
        if [r[id_at] for r in rows] == [r[id_at] for r in self._rows]:
            self._set_rows(rows)
            if rows:
                self.dataChanged.emit(self.index(0), self.index(len(rows) - 1))
            return False
        self.beginResetModel()
        self._set_rows(rows)
        self._has_more = len(rows) == wanted
        self.endResetModel()
        return True

    def row_of(self, conversation_id: str) -> int:
        id_at = self._id_at
        for number, row in enumerate(self._rows):
            if row[id_at] == conversation_id:
                return number
        return -1

    def conversation_id(self, row: int) -> str | None:
        if not 0 <= row < self._count:
            return None
        return self._rows[row][self._id_at]
