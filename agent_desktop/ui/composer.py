"""The reply box: reply or internal note, Ctrl+Enter sends, the draft is saved as you type.

Scripts come in through `/` (quick insert) or `insert_text` (the side panel). A `{{…}}` the app
could not fill is highlighted; Tab selects the next one, and a reply is not sent while one remains.

In an e-mail conversation a reply may be formatted (ui/rich_toolbar.py: bold, italic, lists,
links) and carries the agent's and queue's signature, visible and editable; `outgoing_html()`
is then the sanitised HTML and the sent body its plain-text alternative. Notes and chats stay
plain text. Pasted or dropped content always comes in as plain text: nothing in it can load.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.scripts import PLACEHOLDER, next_placeholder, unfilled_placeholders
from ..services.spelling import SpellingService
from . import rich_toolbar, spell_check
from .elided_label import ElidedLabel
from .quick_insert import QuickInsertPopup, QuickInsertSource, slash_token
from .rich_toolbar import RichToolbar
from .tasks import spawn

DRAFT_DELAY_MS = 400
SIGNATURE_SEPARATOR = "-- "   # the usenet/e-mail convention: mail programs recognise what follows


class PlaceholderHighlighter(QSyntaxHighlighter):
    """Marks every `{{…}}` so the agent sees what still needs filling in, and (once a spell
    checker is set) misspelt English words: one highlighter, since a document's formats come
    from one (ui/spell_check.py)."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        # Not `self.format`: that would hide QSyntaxHighlighter.format(position).
        self.placeholder_format = QTextCharFormat()
        self.placeholder_format.setBackground(QColor("#ffe08a"))
        self.placeholder_format.setForeground(QColor("#7a4b00"))
        self.placeholder_format.setFontWeight(600)
        self.spelling: SpellingService | None = None
        self.spelling_format = spell_check.spelling_format()
        self.blocks_checked = 0   # spell-checked blocks (a test sees an edit re-check one paragraph)

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        for match in PLACEHOLDER.finditer(text):
            self.setFormat(match.start(), match.end() - match.start(), self.placeholder_format)
        if self.spelling is not None and self.spelling.available:
            self.blocks_checked += 1
            for start, length in spell_check.misspelt_spans(text, self.spelling.check):
                self.setFormat(start, length, self.spelling_format)


class ComposerEdit(QTextEdit):
    """A QTextEdit (formatting for e-mail), but everything pasted or dropped arrives as plain text."""

    send_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setAcceptRichText(False)
        self.popup: QuickInsertPopup | None = None
        self.popup_accept: Any = None   # set by Composer: called on Enter/Tab while the popup is open
        # Who else wants a paste or drop first (files and screenshots for the attachment tray):
        # returns True when it took the data.
        self.paste_filter: Callable[[QMimeData], bool] | None = None
        self.spell: spell_check.SpellCheck | None = None   # suggestions in the context menu
        self.context_menu: QMenu | None = None              # the one open now (or last)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        # From the keyboard (Menu key, Shift+F10) the word is the one at the text cursor.
        mouse = event.reason() == QContextMenuEvent.Reason.Mouse
        position = self.cursorForPosition(event.pos()).position() if mouse else self.textCursor().position()
        menu = self.spelling_menu(position)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())   # not exec(): no nested event loop under the asyncio loop
        self.context_menu = menu

    def spelling_menu(self, position: int) -> QMenu:
        """The context menu for `position`: spelling suggestions first when the word there is misspelt."""
        menu = self.createStandardContextMenu()
        if self.spell is not None:
            self.spell.decorate(menu, self, position)
        return menu

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 - Qt override
        if self.paste_filter is not None and self.paste_filter(source):
            return
        if source.hasText():
            self.textCursor().insertText(source.text())
            self.ensureCursorVisible()

    def loadResource(self, _type: int, _name: QUrl | str) -> Any:  # noqa: N802 - Qt override
        return None   # the reply box never loads anything

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key, mods = event.key(), event.modifiers()
        popup = self.popup
        if popup is not None and popup.isVisible():
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                popup.move_selection(1 if key == Qt.Key.Key_Down else -1)
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab) and not mods & Qt.KeyboardModifier.ControlModifier:
                self.popup_accept()
                return
            if key == Qt.Key.Key_Escape:
                popup.hide()
                return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods & Qt.KeyboardModifier.ControlModifier:
            self.send_requested.emit()
            return
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and unfilled_placeholders(self.toPlainText()):
            self.select_next_placeholder(backwards=key == Qt.Key.Key_Backtab)
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802 - Qt override
        # Tab reaches here before keyPressEvent (tabChangesFocus): while the popup is open it
        # inserts, while a blank remains it selects the next one; otherwise focus moves on.
        if self.popup is not None and self.popup.isVisible() and forward:
            self.popup_accept()
            return True
        if unfilled_placeholders(self.toPlainText()):
            return self.select_next_placeholder(backwards=not forward)
        return super().focusNextPrevChild(forward)

    def select_next_placeholder(self, *, backwards: bool = False) -> bool:
        text = self.toPlainText()
        cursor = self.textCursor()
        spans = unfilled_placeholders(text)
        if not spans:
            return False
        if backwards:
            before = [s for s in spans if s[1] <= cursor.selectionStart()]
            span = before[-1] if before else spans[-1]
        else:
            span = next_placeholder(text, cursor.selectionEnd()) or spans[0]
        cursor.setPosition(span[0])
        cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        return True


class Composer(QWidget):
    send_requested = Signal(str, str)      # kind, body
    draft_changed = Signal(str, str)       # kind, body (debounced)
    send_refused = Signal(str)             # why a send was not done (e.g. an unfilled placeholder)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.reply_button = QToolButton()
        self.reply_button.setText(self.tr("&Reply"))
        self.reply_button.setCheckable(True)
        self.reply_button.setChecked(True)
        self.note_button = QToolButton()
        self.note_button.setText(self.tr("Internal &note"))
        self.note_button.setCheckable(True)
        for button, name in ((self.reply_button, "replyToggle"), (self.note_button, "noteToggle")):
            button.setObjectName(name)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        group = QButtonGroup(self)
        group.setExclusive(True)
        group.addButton(self.reply_button)
        group.addButton(self.note_button)
        group.buttonToggled.connect(self._on_kind_toggled)

        self.editor = ComposerEdit()
        self.editor.setObjectName("composerEdit")
        self.editor.setTabChangesFocus(True)
        self.editor.send_requested.connect(self._send)
        self.editor.textChanged.connect(self._schedule_draft)
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.cursorPositionChanged.connect(self._update_quick_insert)
        self.highlighter = PlaceholderHighlighter(self.editor.document())
        self.toolbar = RichToolbar(self.editor)
        self.toolbar.link_requested.connect(self.add_link)
        self.rich = False             # an e-mail conversation: replies may be formatted
        self._signature = ""          # appended to an e-mail reply ("" for none)
        self._inserted = ""           # the signature block as put in the editor ("" when none is)
        self.spelling_off = ""        # why spell check is off ("" when on, or not set up yet)

        self.popup = QuickInsertPopup(self)
        self.popup.chosen.connect(self._insert_script)
        self.editor.popup = self.popup
        self.editor.popup_accept = self._accept_popup
        self._source: QuickInsertSource | None = None
        self._token: tuple[int, str] | None = None

        # One line that elides: a long hint never widens the conversation column.
        self.hint = ElidedLabel()
        self.hint.setObjectName("composerHint")
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setObjectName("sendButton")
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.send_button.clicked.connect(self._send)

        toggle_shortcut = QShortcut(QKeySequence("Ctrl+Shift+N"), self)
        toggle_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        toggle_shortcut.activated.connect(self.toggle_kind)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.reply_button)
        top.addWidget(self.note_button)
        top.addWidget(self.toolbar)
        top.addStretch(1)
        # Who else is on this conversation: in a row that is always there, so nothing moves.
        self.presence = ElidedLabel()
        self.presence.setObjectName("collisionBanner")
        self.presence.setVisible(False)
        top.addWidget(self.presence, 2)
        top.addWidget(self.hint)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        self.shortcut_label = ElidedLabel()
        self.shortcut_label.setObjectName("composerShortcuts")
        bottom.addWidget(self.shortcut_label, 1)
        bottom.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.editor, 1)
        layout.addLayout(bottom)

        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self._emit_draft)
        self._loading = False
        self.toolbar.set_available(False)
        self.retranslate()

    def retranslate(self) -> None:
        """Apply the texts again (a feature may install its translator after we were built)."""
        self.reply_button.setText(self.tr("&Reply"))
        self.note_button.setText(self.tr("Internal &note"))
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.shortcut_label.setText(self.tr("Ctrl+Enter to send · Ctrl+Shift+N reply/note · / scripts"))
        self.toolbar.retranslate()
        was_loading, self._loading = self._loading, True   # new texts are not an edit: no draft save
        self._on_kind_toggled()
        self._loading = was_loading

    @property
    def kind(self) -> str:
        return "note" if self.note_button.isChecked() else "reply"

    def toggle_kind(self) -> None:
        (self.reply_button if self.note_button.isChecked() else self.note_button).setChecked(True)

    def load(self, kind: str, body: str) -> None:
        """Show a conversation's draft without treating it as a fresh edit (an empty e-mail
        reply starts with the signature, the cursor above it)."""
        self._loading = True
        self._draft_timer.stop()
        self.popup.hide()
        (self.note_button if kind == "note" else self.reply_button).setChecked(True)
        self.editor.setPlainText(body)
        self.editor.setCurrentCharFormat(QTextCharFormat())
        self._inserted = ""
        cursor = self.editor.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.editor.setTextCursor(cursor)
        if not body.strip():
            self._start_fresh()
        self._loading = False
        self._update_hint()

    # -- spelling --------------------------------------------------------------------------------
    def set_spelling(self, service: SpellingService) -> SpellingService:
        """Turn spell check on (off with its reason when there is no English dictionary)."""
        self.spelling_off = spell_check.reason_text(service)
        self.editor.setToolTip(self.spelling_off)
        if service.available:
            self.highlighter.spelling = service
            self.editor.spell = spell_check.SpellCheck(service, self.highlighter)
            self.highlighter.rehighlight()
        return service

    # -- e-mail: formatting and signature ----------------------------------------------------------
    def set_rich(self, rich: bool) -> None:
        """An e-mail conversation (formatting and signature) or not (plain text only)."""
        self.rich = rich
        self._update_toolbar()

    def set_signature(self, signature: str) -> None:
        """The signature for this conversation's e-mail replies ("" for none); shown from the next
        fresh reply on (a draft keeps what the agent already has)."""
        self._signature = signature.strip()

    def signature_block(self) -> str:
        return f"{SIGNATURE_SEPARATOR}\n{self._signature}" if self.rich and self._signature else ""

    def _start_fresh(self) -> None:
        """An empty reply in an e-mail conversation: the signature below, the cursor above it."""
        block = self.signature_block()
        if self.kind != "reply" or not block:
            return
        was_loading, self._loading = self._loading, True
        self._inserted = block
        self.editor.setPlainText("\n\n" + block)
        cursor = self.editor.textCursor()
        cursor.setPosition(0)
        self.editor.setTextCursor(cursor)
        self._loading = was_loading

    def _update_toolbar(self) -> None:
        self.toolbar.set_available(self.rich and self.kind == "reply")

    def has_own_text(self) -> bool:
        """Whether the agent wrote anything (an untouched signature alone is not a reply)."""
        text = self.editor.toPlainText()
        if self._inserted and self._inserted in text:
            text = text.replace(self._inserted, "", 1)
        return bool(text.strip())

    def body(self) -> str:
        """What is sent as the body: the plain text (lists and links spelled out when formatted)."""
        if self.rich and self.kind == "reply":
            return rich_toolbar.document_text(self.editor.document())
        return self.editor.toPlainText()

    def outgoing_html(self) -> str:
        """The reply as sanitised HTML when it is an e-mail reply with formatting or a signature,
        else "" (read by the panel before `clear_after_send`)."""
        if not self.rich or self.kind != "reply" or not self.has_own_text():
            return ""
        html, formatted = rich_toolbar.document_html(self.editor.document())
        signed = f"\n{SIGNATURE_SEPARATOR}\n" in "\n" + self.editor.toPlainText()
        return html if formatted or signed else ""

    def add_link(self) -> None:
        """Ctrl+Shift+K or the toolbar: ask for the address, then link the selection (or insert it)."""
        if not (self.rich and self.kind == "reply"):
            return
        url = self.ask_link_url(self.editor.textCursor().selectedText())
        if url is not None and not rich_toolbar.apply_link(self.editor, url):
            self.hint.setText(self.tr("Not a link: use an https://, http:// or mailto: address"))
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def ask_link_url(self, selected: str) -> str | None:
        initial = selected if rich_toolbar.valid_link(selected) else ""
        return rich_toolbar.ask_link(self, initial)

    def flush_draft(self) -> None:
        """Save a pending draft now (before switching conversation or quitting)."""
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self._emit_draft()

    # -- scripts ---------------------------------------------------------------------------------
    def set_quick_insert_source(self, source: QuickInsertSource | None) -> None:
        """Where `/` looks for scripts (the knowledge side panel provides it)."""
        self._source = source

    def insert_text(self, text: str) -> None:
        """Insert rendered script or article text at the cursor; the first blank is selected."""
        cursor = self.editor.textCursor()
        start = cursor.selectionStart()
        cursor.insertText(text)
        self.editor.setTextCursor(cursor)
        self._select_first_placeholder_from(start, start + len(text))
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _select_first_placeholder_from(self, start: int, end: int) -> None:
        for span in unfilled_placeholders(self.editor.toPlainText()):
            if start <= span[0] < end:
                cursor = self.editor.textCursor()
                cursor.setPosition(span[0])
                cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
                self.editor.setTextCursor(cursor)
                return

    def _update_quick_insert(self) -> None:
        if self._source is None or self._loading:
            return
        cursor = self.editor.textCursor()
        token = slash_token(self.editor.toPlainText(), cursor.position()) if not cursor.hasSelection() else None
        if token == self._token:
            return
        self._token = token
        if token is None:
            self.popup.hide()
            return
        spawn(self._search(token), on_error=lambda _e: self.popup.hide(), owner=self)

    async def _search(self, token: tuple[int, str]) -> None:
        assert self._source is not None
        items = await self._source.quick_search(token[1])
        if items is None or token != self._token:
            return  # a newer keystroke already asked again
        self.popup.show_items(items, self.tr("No script matches “%1”").replace("%1", token[1]))
        self._place_popup()

    def _place_popup(self) -> None:
        # The reply box is short: the popup lives on the window so it can open above the cursor.
        host = self.window()
        if self.popup.parentWidget() is not host:
            self.popup.setParent(host)
        rect = self.editor.cursorRect()
        hint = self.popup.sizeHint()
        width = min(hint.width(), max(200, self.width() - 16))
        below = self.editor.mapTo(host, QPoint(rect.left(), rect.bottom() + 4))
        above = self.editor.mapTo(host, QPoint(rect.left(), rect.top() - 4)).y() - hint.height()
        x = max(0, min(below.x(), host.width() - width - 4))
        y = below.y() if below.y() + hint.height() <= host.height() or above < 0 else above
        self.popup.setGeometry(x, y, width, hint.height())
        self.popup.show()
        self.popup.raise_()

    def _accept_popup(self) -> None:
        script = self.popup.current_script()
        if script is None:
            self.popup.hide()
            return
        self._insert_script(script)

    def _insert_script(self, script: dict[str, Any]) -> None:
        token, source = self._token, self._source
        self.popup.hide()
        if token is None or source is None:
            return
        text = source.quick_render(script)
        cursor = self.editor.textCursor()
        cursor.setPosition(token[0])
        cursor.setPosition(token[0] + 1 + len(token[1]), QTextCursor.MoveMode.KeepAnchor)
        self._token = None
        self.editor.setTextCursor(cursor)
        self.insert_text(text)
        source.quick_used(script)

    # -- sending ---------------------------------------------------------------------------------
    def _on_kind_toggled(self, *_args: object) -> None:
        note = self.note_button.isChecked()
        self.editor.setProperty("note", note)
        self.editor.style().unpolish(self.editor)
        self.editor.style().polish(self.editor)
        self.editor.setPlaceholderText(
            self.tr("Internal note: only your team sees this…") if note else self.tr("Reply to the customer…"))
        self.send_button.setText(self.tr("Add note") if note else self.tr("Send"))
        self._update_toolbar()
        if not self._loading and self.signature_block():
            # The signature is for the customer: an untouched one leaves a note, and comes back.
            if note and self._inserted and self.editor.toPlainText().strip() == self._inserted.strip():
                self.editor.clear()
                self._inserted = ""
            elif not note and not self.editor.toPlainText().strip():
                self._start_fresh()
        self._update_hint()
        if not self._loading:
            self._schedule_draft()

    def _update_hint(self) -> None:
        if self.kind == "note":
            self.hint.setText(self.tr("Not visible to the customer"))
        elif unfilled_placeholders(self.editor.toPlainText()):
            self.hint.setText(self.tr("Fill in the highlighted {{…}} (Tab jumps to the next)"))
        else:
            self.hint.setText("")
        self.hint.setProperty("warning", self.kind == "reply" and bool(self.hint.text()))
        self.hint.style().unpolish(self.hint)
        self.hint.style().polish(self.hint)

    def _on_text_changed(self) -> None:
        self._update_hint()
        self._update_quick_insert()

    def _schedule_draft(self) -> None:
        if not self._loading:
            self._draft_timer.start()

    def _emit_draft(self) -> None:
        self.draft_changed.emit(self.kind, self.body() if self.has_own_text() else "")

    def _send(self) -> None:
        body = self.body()
        if not body.strip() or not self.has_own_text():
            return
        if self.kind == "reply" and unfilled_placeholders(body):
            # Raw {{…}} must never reach a customer: show where it is instead of sending.
            self.popup.hide()
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            cursor = self.editor.textCursor()
            cursor.setPosition(0)
            self.editor.setTextCursor(cursor)
            self.editor.select_next_placeholder()
            message = self.tr("Not sent: fill in the highlighted {{…}} first")
            self.hint.setText(message)
            self.send_refused.emit(message)
            return
        self.send_requested.emit(self.kind, body)

    def clear_after_send(self) -> None:
        self._loading = True
        self._draft_timer.stop()
        self.popup.hide()
        self.editor.clear()
        self.editor.setCurrentCharFormat(QTextCharFormat())
        self._inserted = ""
        # A note is an aside: the next thing typed is for the customer again (the mode shows it).
        self.reply_button.setChecked(True)
        self._start_fresh()
        self._loading = False
        self._token = None
        self._update_hint()
