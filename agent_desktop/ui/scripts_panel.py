"""The 话术 Scripts tab: search and browse by category, preview with the conversation's values
filled in, insert with Enter or double-click; create, edit and delete personal scripts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..domain.records import InvalidRecord
from ..domain.scripts import VARIABLES
from ..domain.text import safe_display
from ..services.knowledge import KnowledgeService
from .knowledge_widgets import (
    DOCUMENT_CSS,
    HTML_ROLE,
    ID_ROLE,
    HtmlDelegate,
    ResultList,
    SearchField,
    category_names,
    highlighted,
    placeholders_html,
)
from .tasks import spawn

SEARCH_DELAY_MS = 120
MINE = "__mine__"


class ScriptsPanel(QWidget):
    insert_requested = Signal(str)      # rendered text for the composer

    def __init__(self, service: KnowledgeService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scriptsPanel")
        self.service = service
        self.conversation_id: str | None = None
        self._suggested: list[dict[str, Any]] = []
        self.results = ResultList()
        self.results.setObjectName("scriptResults")
        self.results.setItemDelegate(HtmlDelegate(self.results))
        self.results.setWordWrap(True)
        self.search = SearchField(self.results)
        self.search.setObjectName("scriptSearch")
        self.search.setPlaceholderText(self.tr("Search scripts: shortcut, title or words (中文 / English)"))
        self.category = QComboBox()
        self.category.setObjectName("scriptCategory")
        self.category.addItem(self.tr("All categories"), None)
        for key, name in category_names().items():
            self.category.addItem(name, key)
        self.category.addItem(self.tr("My scripts"), MINE)
        self.preview = QTextBrowser()
        self.preview.setObjectName("scriptPreview")
        self.preview.setOpenLinks(False)
        self.preview.document().setDefaultStyleSheet(DOCUMENT_CSS)
        self.meta = QLabel()
        self.meta.setObjectName("knowledgeMeta")
        self.insert_button = QPushButton(self.tr("&Insert"))
        self.insert_button.setToolTip(self.tr("Insert into the reply (Enter)"))
        self.new_button = QPushButton(self.tr("&New"))
        self.edit_button = QPushButton(self.tr("&Edit"))
        self.delete_button = QPushButton(self.tr("&Delete"))

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.category)
        buttons = QHBoxLayout()
        for button in (self.insert_button, self.new_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(filters)
        layout.addWidget(self.results, 3)
        layout.addWidget(self.meta)
        layout.addWidget(self.preview, 2)
        layout.addLayout(buttons)

        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.activated.connect(self.insert_current)
        self.category.currentIndexChanged.connect(lambda _i: self.refresh())
        self.results.currentItemChanged.connect(lambda *_: self._show_current())
        self.results.itemDoubleClicked.connect(lambda _item: self.insert_current())
        self.results.activated_current.connect(self.insert_current)
        self.insert_button.clicked.connect(self.insert_current)
        self.new_button.clicked.connect(self.new_script)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.refresh()

    # -- following the conversation --------------------------------------------------------------
    def set_conversation(self, conversation_id: str | None) -> None:
        self.conversation_id = conversation_id
        self._show_current()

    def set_suggestions(self, scripts: list[dict[str, Any]]) -> None:
        self._suggested = scripts
        if not self.search.text().strip():
            self.refresh()

    # -- searching -------------------------------------------------------------------------------
    def refresh(self) -> None:
        spawn(self._load(self.search.text(), self.category.currentData()), owner=self)

    async def _load(self, text: str, category: str | None) -> None:
        mine = category == MINE
        language = self.service.conversation_language(self.conversation_id)
        found = await self.service.search_scripts(text, category=None if mine else category, language=language,
                                                  limit=80)
        if found is None:
            return
        if mine:
            found = [s for s in found if s["scope"] == "personal"]
        suggested = [] if text.strip() or category else self._suggested
        self._fill(suggested, found, text)

    def _fill(self, suggested: list[dict[str, Any]], found: list[dict[str, Any]], text: str) -> None:
        current = self._current_id()
        self.results.clear()
        seen: set[str] = set()
        names = category_names()
        for script, star in [(s, True) for s in suggested] + [(s, False) for s in found]:
            if script["id"] in seen:
                continue
            seen.add(script["id"])
            item = QListWidgetItem(script["title"])
            item.setData(ID_ROLE, script["id"])
            shortcut = f"/{script['shortcut']}" if script.get("shortcut") else ""
            kind = self.tr("guided") if script["kind"] == "guided" else ""
            mine = self.tr("mine") if script["scope"] == "personal" else ""
            used = self.tr("used %1 times").replace("%1", str(script["used_count"]))
            details = " · ".join(p for p in (shortcut, names.get(script["category"], ""), kind, mine, used) if p)
            title = ("★ " if star else "") + safe_display(script["title"], 80)
            item.setData(HTML_ROLE, f"{highlighted(title, text)}<br><span class='meta'>{highlighted(details, text)}</span>")
            item.setToolTip(safe_display(script["body"], 300))
            self.results.addItem(item)
        if not self.results.count():
            empty = QListWidgetItem(self.tr("No scripts match."))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(empty)
            self._show_current()
            return
        rows = [self.results.item(i).data(ID_ROLE) for i in range(self.results.count())]
        self.results.setCurrentRow(rows.index(current) if current in rows else 0)

    def _current_id(self) -> str | None:
        item = self.results.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def current_script(self) -> dict[str, Any] | None:
        script_id = self._current_id()
        return self.service.script(script_id) if script_id else None

    def _show_current(self) -> None:
        script = self.current_script()
        personal = bool(script and script["scope"] == "personal" and script["owner_id"] == self.service.agent_id)
        self.edit_button.setEnabled(personal)
        self.delete_button.setEnabled(personal)
        self.insert_button.setEnabled(bool(script and script["kind"] == "text"))
        if script is None:
            self.preview.clear()
            self.meta.setText("")
            return
        if script["kind"] == "guided":
            self.preview.setPlainText(self.tr("A guided call script with %1 steps: run it from the Guided tab.")
                                      .replace("%1", str(len(script["steps"]))))
        else:
            rendered = self.service.render(script["body"], self.conversation_id)
            self.preview.setHtml(placeholders_html(rendered.text))
        self.meta.setText(self.tr("Used %1 times").replace("%1", str(script["used_count"]))
                          + (" · " + self.tr("waiting to sync") if script["pending"] else ""))

    # -- acting ----------------------------------------------------------------------------------
    def insert_current(self) -> None:
        script = self.current_script()
        if script is None or script["kind"] != "text":
            return
        self.insert_requested.emit(self.service.render(script["body"], self.conversation_id).text)
        spawn(self.service.record_use("script", script["id"]))

    def new_script(self) -> None:
        dialog = ScriptDialog(self, language=self.service.ui_language)
        self._run_editor(dialog, lambda fields: self.service.create_personal(**fields))

    def edit_current(self) -> None:
        script = self.current_script()
        if script is None or script["scope"] != "personal":
            return
        dialog = ScriptDialog(self, script=script)
        self._run_editor(dialog, lambda fields: self.service.update_personal(script["id"], **fields))

    def _run_editor(self, dialog: ScriptDialog, save: Callable[[dict[str, Any]], Any]) -> None:
        while dialog.exec() == QDialog.DialogCode.Accepted:
            fields = dialog.fields()
            if not fields["title"].strip() or not fields["body"].strip():
                QMessageBox.warning(self, self.tr("Script"), self.tr("A script needs a title and a text."))
                continue
            spawn(save(fields), on_error=self._failed, on_done=lambda _r: self.refresh())
            return

    def delete_current(self) -> None:
        script = self.current_script()
        if script is None or script["scope"] != "personal":
            return
        answer = QMessageBox.question(self, self.tr("Delete script"),
                                      self.tr("Delete “%1”?").replace("%1", safe_display(script["title"], 60)))
        if answer == QMessageBox.StandardButton.Yes:
            spawn(self.service.delete_personal(script["id"]), on_error=self._failed, on_done=lambda _r: self.refresh())

    def _failed(self, error: BaseException) -> None:
        message = str(error) if isinstance(error, (InvalidRecord, PermissionError)) else repr(error)
        QMessageBox.warning(self, self.tr("Script not saved"), message)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()


class ScriptDialog(QDialog):
    """Create or edit a personal script; the variable menu inserts `{{…}}` at the cursor."""

    def __init__(self, parent: QWidget, *, script: dict[str, Any] | None = None, language: str = "zh") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit script") if script else self.tr("New personal script"))
        self.title = QLineEdit(script["title"] if script else "")
        self.title.setMaxLength(200)
        self.shortcut = QLineEdit(script["shortcut"] if script else "")
        self.shortcut.setMaxLength(32)
        self.shortcut.setPlaceholderText(self.tr("e.g. thanks (type /thanks in the reply)"))
        self.category = QComboBox()
        for key, name in category_names().items():
            self.category.addItem(name, key)
        self.category.setCurrentIndex(max(0, self.category.findData(script["category"] if script else "general")))
        self.language = QComboBox()
        self.language.addItem("中文", "zh")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(script["language"] if script else language)))
        self.body = QPlainTextEdit(script["body"] if script else "")
        self.body.setTabChangesFocus(True)
        self.variables = QComboBox()
        self.variables.addItem(self.tr("Insert a variable…"), None)
        for name in VARIABLES:
            self.variables.addItem("{{" + name + "}}", name)
        self.variables.activated.connect(self._insert_variable)
        form = QFormLayout(self)
        form.addRow(self.tr("&Title"), self.title)
        form.addRow(self.tr("&Shortcut"), self.shortcut)
        form.addRow(self.tr("&Category"), self.category)
        form.addRow(self.tr("&Language"), self.language)
        form.addRow(self.tr("Te&xt"), self.body)
        form.addRow("", self.variables)
        hint = QLabel(self.tr("{{customer.name | 您}} uses 您 when the name is unknown; any other {{…}} must be "
                              "filled in before sending."))
        hint.setWordWrap(True)
        form.addRow("", hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(480, 420)

    def _insert_variable(self, index: int) -> None:
        name = self.variables.itemData(index)
        if name:
            self.body.insertPlainText("{{" + name + "}}")
            self.body.setFocus()
        self.variables.setCurrentIndex(0)

    def fields(self) -> dict[str, Any]:
        return {"title": self.title.text().strip(), "body": self.body.toPlainText(),
                "category": self.category.currentData(), "language": self.language.currentData(),
                "shortcut": self.shortcut.text().strip()}
