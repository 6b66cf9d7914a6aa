"""Spell check in the reply box: misspelt English words get a red wavy underline; the context
menu (right-click, or the Menu key / Shift+F10 at the cursor) offers up to five suggestions and
"Add to dictionary".

Only plain English words are checked: Chinese text, URLs, e-mail addresses, `{{placeholders}}`,
words with digits, ALL-CAPS abbreviations and single letters are skipped. The composer's one
syntax highlighter calls `misspelt_spans` per block, so an edit re-checks its own paragraph only
(and at most the first MAX_BLOCK_CHARS of it), never the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction, QColor, QSyntaxHighlighter, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QMenu, QTextEdit

from ..domain.scripts import PLACEHOLDER
from ..services.spelling import BROKEN, MISSING_DICTIONARY, MISSING_LIBRARY, SpellingService

MAX_BLOCK_CHARS = 10_000
UNDERLINE = "#dc2626"

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_ENGLISH = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_SKIPPED = re.compile(
    r"(?:https?://|ftp://|mailto:|www\.)\S+"           # addresses
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"                     # e-mail addresses
    r"|\b[\w-]+(?:\.[a-z]{2,})+(?:/\S*)?",              # bare domains (example.com/help)
    re.IGNORECASE)
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _candidates(text: str) -> list[tuple[int, int]]:
    """(start, end) of the English words worth checking in `text`."""
    skipped = [m.span() for m in _SKIPPED.finditer(text)] + [m.span() for m in PLACEHOLDER.finditer(text)]
    found: list[tuple[int, int]] = []
    for token in _TOKEN.finditer(text):
        start, end = token.span()
        word = token.group()
        if any(s < end and start < e for s, e in skipped) or any(c.isdigit() for c in word):
            continue
        if _ENGLISH.fullmatch(word):
            found.append((start, end))
        elif _CJK.search(word):   # "VIP客户": the Latin run is still a word, the Chinese is not checked
            found += [(start + m.start(), start + m.end()) for m in _ENGLISH.finditer(word)
                      if _bounded_by_cjk(word, m.start(), m.end())]
    return [(s, e) for s, e in found if e - s > 1 and not text[s:e].isupper()]


def _bounded_by_cjk(word: str, start: int, end: int) -> bool:
    before = word[start - 1] if start else ""
    after = word[end] if end < len(word) else ""
    return all(not c or _CJK.match(c) for c in (before, after))


def misspelt_spans(text: str, check: Callable[[str], bool]) -> list[tuple[int, int]]:
    """(start, length) of each misspelt word in one block's text (its first MAX_BLOCK_CHARS)."""
    head = text[:MAX_BLOCK_CHARS]
    return [(s, e - s) for s, e in _candidates(head) if not check(head[s:e].replace("’", "'"))]


def word_at(text: str, position: int) -> tuple[int, int] | None:
    """(start, end) of the checkable word at `position` in a block's text, if any."""
    for start, end in _candidates(text[:MAX_BLOCK_CHARS]):
        if start <= position <= end:
            return start, end
    return None


def spelling_format() -> QTextCharFormat:
    marked = QTextCharFormat()
    marked.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    marked.setUnderlineColor(QColor(UNDERLINE))
    return marked


def reason_text(service: SpellingService) -> str:
    """Why spell check is off, for the agent ("" when it is on)."""
    texts = {
        MISSING_LIBRARY: QCoreApplication.translate("SpellCheck", "Spell check is off: pyenchant is not installed."),
        MISSING_DICTIONARY: QCoreApplication.translate(
            "SpellCheck", "Spell check is off: no English (en_US) dictionary is installed."),
        BROKEN: QCoreApplication.translate("SpellCheck", "Spell check is off: the dictionary could not be opened."),
    }
    return texts.get(service.reason, "")


class SpellCheck(QObject):
    """Suggestions and "Add to dictionary" for the word under the cursor; re-marks after an add."""

    def __init__(self, service: SpellingService, highlighter: QSyntaxHighlighter) -> None:
        super().__init__(highlighter)
        self.service = service
        self.highlighter = highlighter

    def misspelt_at(self, editor: QTextEdit, position: int) -> tuple[QTextCursor, str] | None:
        """A cursor selecting the misspelt word at `position` and the word, or None."""
        if not self.service.available:
            return None
        block = editor.document().findBlock(position)
        span = word_at(block.text(), position - block.position())
        if span is None:
            return None
        word = block.text()[span[0]:span[1]]
        if self.service.check(word.replace("’", "'")):
            return None
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + span[0])
        cursor.setPosition(block.position() + span[1], QTextCursor.MoveMode.KeepAnchor)
        return cursor, word

    def decorate(self, menu: QMenu, editor: QTextEdit, position: int) -> None:
        """Put the suggestions and "Add to dictionary" at the top of `menu`."""
        found = self.misspelt_at(editor, position)
        if found is None:
            return
        cursor, word = found
        first = menu.actions()[0] if menu.actions() else None

        def on_top(action: QAction) -> QAction:
            if first is not None:   # added at the end: moved above the standard entries
                menu.insertAction(first, action)
            return action

        suggestions = self.service.suggest(word)
        for suggestion in suggestions:
            action = on_top(menu.addAction(suggestion))
            action.triggered.connect(lambda _=False, s=suggestion: self._replace(cursor, s))
        if not suggestions:
            on_top(menu.addAction(self.tr("No suggestions"))).setEnabled(False)
        add = on_top(menu.addAction(self.tr("Add “%1” to dictionary").replace("%1", word)))
        add.setObjectName("addToDictionary")
        add.triggered.connect(lambda _=False: self.add(word))
        if first is not None:
            menu.insertSeparator(first)

    @staticmethod
    def _replace(cursor: QTextCursor, suggestion: str) -> None:
        cursor.insertText(suggestion)    # one undo step

    def add(self, word: str) -> None:
        self.service.add(word.replace("’", "'"))
        self.highlighter.rehighlight()
