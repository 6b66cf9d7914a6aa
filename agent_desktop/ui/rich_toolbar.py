"""Formatting for e-mail replies: bold, italic, lists and links, by toolbar and keyboard, and the
reply written out as simple HTML plus its plain-text alternative.

The HTML is built from the document's blocks and character formats (never Qt's own toHtml, whose
inline styles the allow-list would strip), then sanitised with the thread's allow-list
(`html_body.sanitize`), so what leaves is exactly what the thread would show.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QKeySequence,
    QTextBlock,
    QTextCharFormat,
    QTextDocument,
    QTextListFormat,
)
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QTextEdit, QToolButton, QWidget

from . import html_body

BOLD_KEYS = "Ctrl+B"
ITALIC_KEYS = "Ctrl+I"
BULLETS_KEYS = "Ctrl+Alt+U"     # Ctrl+Shift+7/8 depend on the keyboard layout; Alt+U(nordered) does not
NUMBERS_KEYS = "Ctrl+Alt+O"     # O(rdered)
LINK_KEYS = "Ctrl+Shift+K"      # Ctrl+K is the window's search
BOLD_WEIGHT = 600
LINK_COLOR = "#1d4ed8"
LINE_SEPARATOR = "\u2028"       # Shift+Enter inside a paragraph
OBJECT = "\ufffc"               # an embedded object (never inserted here; dropped if it appears)


class RichToolbar(QWidget):
    """The formatting buttons above the reply box; their actions live on the editor (its shortcuts)."""

    link_requested = Signal()

    def __init__(self, editor: QTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("richToolbar")
        self.editor = editor
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.bold = self._action("boldAction", "B", BOLD_KEYS, lambda: toggle_bold(editor))
        self.italic = self._action("italicAction", "I", ITALIC_KEYS, lambda: toggle_italic(editor))
        self.bullets = self._action("bulletsAction", "•", BULLETS_KEYS,
                                    lambda: toggle_list(editor, QTextListFormat.Style.ListDisc))
        self.numbers = self._action("numbersAction", "1.", NUMBERS_KEYS,
                                    lambda: toggle_list(editor, QTextListFormat.Style.ListDecimal))
        self.link = self._action("linkAction", "🔗", LINK_KEYS, self.link_requested.emit)
        for action in (self.bold, self.italic, self.bullets, self.numbers, self.link):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            # Off the Tab chain: the keys above reach every button's action from the editor.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            layout.addWidget(button)
        font = self.bold.font()
        font.setBold(True)
        self.bold.setFont(font)
        font = self.italic.font()
        font.setItalic(True)
        self.italic.setFont(font)
        self.retranslate()

    def _action(self, name: str, text: str, keys: str, run: Callable[[], object]) -> QAction:
        action = QAction(text, self.editor)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(lambda _=False: run())
        self.editor.addAction(action)
        return action

    def retranslate(self) -> None:
        for action, text, keys in ((self.bold, self.tr("Bold"), BOLD_KEYS), (self.italic, self.tr("Italic"), ITALIC_KEYS),
                                   (self.bullets, self.tr("Bulleted list"), BULLETS_KEYS),
                                   (self.numbers, self.tr("Numbered list"), NUMBERS_KEYS),
                                   (self.link, self.tr("Link…"), LINK_KEYS)):
            shown = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{text} ({shown})")
        # A word, not an emoji: the 🔗 glyph is missing from the fonts agents have (an empty box).
        self.link.setText(self.tr("Link…"))

    def set_available(self, available: bool) -> None:
        """Formatting is for e-mail replies only: hidden elsewhere, and its keys do nothing."""
        self.setVisible(available)
        for action in (self.bold, self.italic, self.bullets, self.numbers, self.link):
            action.setEnabled(available)


# -- editing -------------------------------------------------------------------------------------
def toggle_bold(editor: QTextEdit) -> None:
    bold = editor.currentCharFormat().fontWeight() >= BOLD_WEIGHT
    change = QTextCharFormat()
    change.setFontWeight(400 if bold else 700)
    editor.mergeCurrentCharFormat(change)


def toggle_italic(editor: QTextEdit) -> None:
    change = QTextCharFormat()
    change.setFontItalic(not editor.currentCharFormat().fontItalic())
    editor.mergeCurrentCharFormat(change)


def toggle_list(editor: QTextEdit, style: QTextListFormat.Style) -> None:
    """The selected paragraphs become a list of `style`, or leave it when they already are one."""
    cursor = editor.textCursor()
    current = cursor.currentList()
    cursor.beginEditBlock()
    if current is not None and current.format().style() == style:
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        block = editor.document().findBlock(start)
        while block.isValid() and block.position() <= end:
            listed = block.textList()
            if listed is not None:
                listed.remove(block)
                block_cursor = editor.textCursor()
                block_cursor.setPosition(block.position())
                plain = block_cursor.blockFormat()
                plain.setIndent(0)
                block_cursor.setBlockFormat(plain)
            block = block.next()
    else:
        list_format = QTextListFormat()
        list_format.setStyle(style)
        cursor.createList(list_format)
    cursor.endEditBlock()


def valid_link(url: str) -> QUrl | None:
    """A link the thread would follow too: absolute http, https or mailto."""
    link = QUrl.fromUserInput(url.strip()) if "://" not in url and not url.strip().lower().startswith("mailto:") \
        else QUrl(url.strip(), QUrl.ParsingMode.StrictMode)
    if not link.isValid() or link.scheme().lower() not in html_body.LINK_SCHEMES:
        return None
    if link.scheme().lower() != "mailto" and not link.host():
        return None
    return link


def apply_link(editor: QTextEdit, url: str) -> bool:
    """The selection (or, with none, the address itself) becomes a link to `url`; False if refused."""
    link = valid_link(url)
    if link is None:
        return False
    cursor = editor.textCursor()
    href = link.toString(QUrl.ComponentFormattingOption.FullyEncoded)
    anchor = QTextCharFormat()
    anchor.setAnchor(True)
    anchor.setAnchorHref(href)
    anchor.setFontUnderline(True)
    anchor.setForeground(QColor(LINK_COLOR))
    cursor.beginEditBlock()
    if cursor.hasSelection():
        cursor.mergeCharFormat(anchor)
    else:
        cursor.insertText(link.toDisplayString(), anchor)
    cursor.clearSelection()
    cursor.setCharFormat(QTextCharFormat())   # what is typed next is plain text again
    cursor.endEditBlock()
    editor.setTextCursor(cursor)
    editor.setCurrentCharFormat(QTextCharFormat())
    return True


def ask_link(parent: QWidget, initial: str = "") -> str | None:
    text, ok = QInputDialog.getText(parent, QCoreApplication.translate("RichToolbar", "Insert link"),
                                    QCoreApplication.translate("RichToolbar", "Address (https://… or mailto:…):"),
                                    text=initial)
    return text if ok and text.strip() else None


# -- writing out ---------------------------------------------------------------------------------
def _blocks(document: QTextDocument) -> Iterator[QTextBlock]:
    block = document.begin()
    while block.isValid():
        yield block
        block = block.next()


def _runs(block: QTextBlock) -> Iterator[tuple[str, QTextCharFormat]]:
    text = block.text()
    for run in block.textFormats():
        yield text[run.start:run.start + run.length].replace(OBJECT, ""), run.format


def document_html(document: QTextDocument) -> tuple[str, bool]:
    """(the document as sanitised HTML, whether it has any formatting at all)."""
    parts: list[str] = []
    formatted = False
    open_list: tuple[int, str] | None = None   # (first block's position, "ul"/"ol")
    for block in _blocks(document):
        listed = block.textList()
        key = None
        if listed is not None:
            tag = "ol" if listed.format().style() == QTextListFormat.Style.ListDecimal else "ul"
            key = (listed.item(0).position(), tag)
            formatted = True
        if key != open_list:
            if open_list is not None:
                parts.append(f"</{open_list[1]}>")
            if key is not None:
                parts.append(f"<{key[1]}>")
            open_list = key
        inner: list[str] = []
        for text, fmt in _runs(block):
            piece = html.escape(text, quote=False).replace(LINE_SEPARATOR, "<br>")
            if fmt.fontWeight() >= BOLD_WEIGHT:
                piece, formatted = f"<b>{piece}</b>", True
            if fmt.fontItalic():
                piece, formatted = f"<i>{piece}</i>", True
            if fmt.isAnchor() and fmt.anchorHref():
                piece, formatted = f'<a href="{html.escape(fmt.anchorHref(), quote=True)}">{piece}</a>', True
            inner.append(piece)
        content = "".join(inner) or "<br>"
        parts.append(f"<li>{content}</li>" if key is not None else f"<div>{content}</div>")
    if open_list is not None:
        parts.append(f"</{open_list[1]}>")
    return html_body.sanitize("".join(parts)), formatted


def document_text(document: QTextDocument) -> str:
    """The plain-text alternative: list items keep their bullet or number, links show their address."""
    lines: list[str] = []
    for block in _blocks(document):
        listed = block.textList()
        prefix = ""
        if listed is not None:
            decimal = listed.format().style() == QTextListFormat.Style.ListDecimal
            prefix = f"{listed.itemNumber(block) + 1}. " if decimal else "• "
        pieces: list[tuple[str, str]] = []    # (text, link address): a link's runs joined into one
        for text, fmt in _runs(block):
            href = QUrl(fmt.anchorHref()).toDisplayString() if fmt.isAnchor() and fmt.anchorHref() else ""
            if pieces and href and pieces[-1][1] == href:
                pieces[-1] = (pieces[-1][0] + text, href)
            else:
                pieces.append((text, href))
        line = "".join(f"{text} <{href}>" if href and text.strip() != href else text for text, href in pieces)
        lines.append(prefix + line.replace(LINE_SEPARATOR, "\n"))
    return "\n".join(lines)
