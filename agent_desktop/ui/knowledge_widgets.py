"""Small pieces shared by the Scripts, FAQ and Guided tabs: highlighted HTML, a rich-text delegate,
the search field that hands ↑/↓/Enter to its result list, and category names."""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QKeyEvent, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QLineEdit, QListWidget, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ..domain.knowledge import match_spans
from ..domain.scripts import unfilled_placeholders
from ..domain.text import clean_body

ID_ROLE = Qt.ItemDataRole.UserRole + 1
HTML_ROLE = Qt.ItemDataRole.UserRole + 2


def category_names() -> dict[str, str]:
    return {"presales": QCoreApplication.translate("Knowledge", "Pre-sales"),
            "aftersales": QCoreApplication.translate("Knowledge", "After-sales"),
            "complaints": QCoreApplication.translate("Knowledge", "Complaints"),
            "general": QCoreApplication.translate("Knowledge", "General")}


def marked_html(text: str, spans: list[tuple[int, int]], css_class: str = "hit") -> str:
    """Escape untrusted text and wrap `spans` in <span class=…>; nothing else becomes markup."""
    out, position = [], 0
    for start, end in spans:
        out.append(html.escape(text[position:start]))
        out.append(f'<span class="{css_class}">{html.escape(text[start:end])}</span>')
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out).replace("\n", "<br>")


def highlighted(text: str, query: str) -> str:
    return marked_html(clean_body(text), match_spans(clean_body(text), query))


def placeholders_html(text: str) -> str:
    return marked_html(clean_body(text), unfilled_placeholders(clean_body(text)), "blank")


DOCUMENT_CSS = (".hit { background-color: #fde68a; color: #0f172a; } "
                ".blank { background-color: #ffe08a; color: #7a4b00; font-weight: 600; } "
                ".meta { color: #64748b; }")
# On a selected (blue) row the grey details would vanish: light text, highlights stay readable.
SELECTED_CSS = ("body { color: #ffffff; } .hit { background-color: #fde68a; color: #0f172a; } "
                ".meta { color: #e2e8f0; }")


class HtmlDelegate(QStyledItemDelegate):
    """Paints an item's HTML_ROLE (escaped text with highlight spans) instead of its plain text."""

    @staticmethod
    def _indent(option: QStyleOptionViewItem) -> int:
        """Room for the item's icon (the style paints it at the left): the text starts after it."""
        return option.decorationSize.width() + 8 if not option.icon.isNull() else 0

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QTextDocument:
        document = QTextDocument()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        document.setDefaultStyleSheet(SELECTED_CSS if selected else DOCUMENT_CSS)
        document.setDefaultFont(option.font)
        document.setHtml("<body>" + (index.data(HTML_ROLE) or html.escape(index.data() or "")) + "</body>")
        document.setTextWidth(max(option.rect.width() - 8 - self._indent(option), 50))
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        self.initStyleOption(option, index)
        document = self._document(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        painter.save()
        painter.translate(option.rect.left() + 4 + self._indent(option), option.rect.top() + 3)
        context = QAbstractTextDocumentLayout.PaintContext()
        if option.state & QStyle.StateFlag.State_Selected:
            context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.HighlightedText))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        self.initStyleOption(option, index)
        document = self._document(option, index)
        return QSize(int(document.idealWidth()), int(document.size().height()) + 6)


class SearchField(QLineEdit):
    """A search box whose ↑/↓ move through `results` and whose Enter activates the current item."""

    activated = Signal()

    def __init__(self, results: QListWidget) -> None:
        super().__init__()
        self.results = results
        self.setClearButtonEnabled(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.results.count():
            step = 1 if event.key() == Qt.Key.Key_Down else -1
            row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
            self.results.setCurrentRow(row)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activated.emit()
            return
        super().keyPressEvent(event)


class ResultList(QListWidget):
    """A result list where Enter activates the current item (like double-click)."""

    activated_current = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.activated_current.emit()
            return
        super().keyPressEvent(event)
