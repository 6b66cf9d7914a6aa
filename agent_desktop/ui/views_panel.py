"""The list of inbox views (Mine, Unassigned, All open, per queue, per channel) with live counts."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from ..domain.enums import Channel
from ..domain.inbox import ALL_OPEN, CHANNEL, MINE, QUEUE, UNASSIGNED, InboxView
from ..domain.text import localized_name
from . import formatting
from .resources import icon

VIEW_ROLE = Qt.ItemDataRole.UserRole + 1


class ViewsPanel(QTreeWidget):
    view_selected = Signal(object)  # InboxView

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewsPanel")
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(8)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self._items: dict[str, QTreeWidgetItem] = {}
        self.currentItemChanged.connect(self._on_current_changed)

    def _section(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self, [title, ""])
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        item.setFont(0, font)
        item.setForeground(0, Qt.GlobalColor.darkGray)
        return item

    def _view(self, view: InboxView, title: str, icon_name: str | None = None) -> None:
        item = QTreeWidgetItem(self, [title, ""])
        item.setData(0, VIEW_ROLE, view)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if icon_name:
            item.setIcon(0, icon(icon_name))
        self._items[view.key] = item

    def populate(self, queues: list[dict], language_is_chinese: bool) -> None:
        """Build the list; keeps the current view selected if it still exists."""
        current = self.current_view()
        self.blockSignals(True)
        self.clear()
        self._items.clear()
        self._view(InboxView(MINE), self.tr("Mine"))
        self._view(InboxView(UNASSIGNED), self.tr("Unassigned"))
        self._view(InboxView(ALL_OPEN), self.tr("All open"))
        if queues:
            self._section(self.tr("QUEUES"))
            for queue in queues:
                name = localized_name(queue, language_is_chinese)
                self._view(InboxView(QUEUE, queue["id"]), name)
        self._section(self.tr("CHANNELS"))
        for channel in Channel.values():
            self._view(InboxView(CHANNEL, channel), formatting.channel_label(channel), channel)
        self.blockSignals(False)
        self.select((current or InboxView(MINE)).key, emit=False)

    def set_counts(self, counts: dict[str, int]) -> None:
        locale = QLocale()
        for key, item in self._items.items():
            count = counts.get(key, 0)
            item.setText(1, locale.toString(count) if count else "")

    def current_view(self) -> InboxView | None:
        item = self.currentItem()
        return item.data(0, VIEW_ROLE) if item is not None else None

    def select(self, key: str, *, emit: bool = True) -> None:
        item = self._items.get(key)
        if item is None:
            return
        if not emit:
            self.blockSignals(True)
        self.setCurrentItem(item)
        if not emit:
            self.blockSignals(False)

    def view_keys(self) -> list[str]:
        return list(self._items)

    def _on_current_changed(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if current is not None and current.data(0, VIEW_ROLE) is not None:
            self.view_selected.emit(current.data(0, VIEW_ROLE))
