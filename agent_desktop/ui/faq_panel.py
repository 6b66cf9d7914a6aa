"""The FAQ tab: suggestions for the open conversation, full-text search with highlighted matches,
the article preview, insert the answer or its link, helpful / not-helpful feedback."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..domain.text import safe_display
from ..domain.timeutil import parse_iso
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
)
from .tasks import spawn

SEARCH_DELAY_MS = 120


class FaqPanel(QWidget):
    insert_requested = Signal(str)

    def __init__(self, service: KnowledgeService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("faqPanel")
        self.service = service
        self.conversation_id: str | None = None
        self.last_suggestions_ms: float | None = None
        self._query = ""
        self.results = ResultList()
        self.results.setObjectName("faqResults")
        self.results.setItemDelegate(HtmlDelegate(self.results))
        self.results.setWordWrap(True)
        self.search = SearchField(self.results)
        self.search.setObjectName("faqSearch")
        self.search.setPlaceholderText(self.tr("Search the FAQ (中文 / English)"))
        self.category = QComboBox()
        self.category.addItem(self.tr("All categories"), None)
        for key, name in category_names().items():
            self.category.addItem(name, key)
        self.section = QLabel()
        self.section.setObjectName("sectionTitle")
        self.preview = QTextBrowser()
        self.preview.setObjectName("faqPreview")
        self.preview.setOpenLinks(False)        # article text is data: never follow a link from it
        self.preview.setOpenExternalLinks(False)
        self.preview.document().setDefaultStyleSheet(DOCUMENT_CSS)
        self.meta = QLabel()
        self.meta.setObjectName("knowledgeMeta")
        self.meta.setWordWrap(True)
        self.insert_button = QPushButton(self.tr("Insert &answer"))
        self.insert_button.setToolTip(self.tr("Insert the answer into the reply (Enter)"))
        self.link_button = QPushButton(self.tr("Insert &link"))
        self.helpful_button = QPushButton(self.tr("&Helpful"))
        self.unhelpful_button = QPushButton(self.tr("N&ot helpful"))

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.category)
        actions = QHBoxLayout()
        actions.addWidget(self.insert_button)
        actions.addWidget(self.link_button)
        actions.addStretch(1)
        feedback = QHBoxLayout()
        feedback.addWidget(self.helpful_button)
        feedback.addWidget(self.unhelpful_button)
        feedback.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(filters)
        layout.addWidget(self.section)
        layout.addWidget(self.results, 3)
        layout.addWidget(self.meta)
        layout.addWidget(self.preview, 2)
        layout.addLayout(actions)
        layout.addLayout(feedback)

        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.activated.connect(self.insert_answer)
        self.category.currentIndexChanged.connect(lambda _i: self.refresh())
        self.results.currentItemChanged.connect(lambda *_: self._show_current())
        self.results.itemDoubleClicked.connect(lambda _item: self.insert_answer())
        self.results.activated_current.connect(self.insert_answer)
        self.insert_button.clicked.connect(self.insert_answer)
        self.link_button.clicked.connect(self.insert_link)
        self.helpful_button.clicked.connect(lambda: self._feedback(True))
        self.unhelpful_button.clicked.connect(lambda: self._feedback(False))
        self._suggested: list[dict[str, Any]] = []
        self.refresh()

    # -- following the conversation --------------------------------------------------------------
    def set_conversation(self, conversation_id: str | None) -> None:
        self.conversation_id = conversation_id

    def set_suggestions(self, articles: list[dict[str, Any]], elapsed_ms: float) -> None:
        self._suggested = articles
        self.last_suggestions_ms = elapsed_ms
        if not self.search.text().strip() and self.category.currentData() is None:
            self._fill(articles, "", suggested=True)

    # -- searching -------------------------------------------------------------------------------
    def refresh(self) -> None:
        text, category = self.search.text(), self.category.currentData()
        if not text.strip() and category is None and self._suggested:
            self._fill(self._suggested, "", suggested=True)
            return
        spawn(self._load(text, category), owner=self)

    async def _load(self, text: str, category: str | None) -> None:
        language = self.service.conversation_language(self.conversation_id)
        found = await self.service.search_articles(text, category=category, language=language)
        if found is not None:
            self._fill(found, text, suggested=False)

    def _fill(self, articles: list[dict[str, Any]], text: str, *, suggested: bool) -> None:
        self._query = text
        current = self._current_id()
        if suggested:
            self.section.setText(self.tr("Suggested for this conversation"))
        elif text.strip():
            self.section.setText(self.tr("%1 articles found").replace("%1", str(len(articles))))
        else:
            self.section.setText(self.tr("Newest articles"))
        self.results.clear()
        for article in articles:
            item = QListWidgetItem(article["title"])
            item.setData(ID_ROLE, article["id"])
            snippet = safe_display(article["body"], 90)
            item.setData(HTML_ROLE, f"<b>{highlighted(safe_display(article['title'], 100), text)}</b><br>"
                                    f"<span class='meta'>{highlighted(snippet, text)}</span>")
            self.results.addItem(item)
        if not articles:
            empty = QListWidgetItem(self.tr("No articles match."))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(empty)
            self._show_current()
            return
        ids = [a["id"] for a in articles]
        self.results.setCurrentRow(ids.index(current) if current in ids else 0)

    def _current_id(self) -> str | None:
        item = self.results.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def current_article(self) -> dict[str, Any] | None:
        article_id = self._current_id()
        return self.service.article(article_id) if article_id else None

    def _show_current(self) -> None:
        article = self.current_article()
        for button in (self.insert_button, self.link_button, self.helpful_button, self.unhelpful_button):
            button.setEnabled(article is not None)
        if article is None:
            self.preview.clear()
            self.meta.setText("")
            return
        self.link_button.setEnabled(bool(article["url"]))
        self.preview.setHtml(f"<h3>{highlighted(article['title'], self._query)}</h3>"
                             f"<p>{highlighted(article['body'], self._query)}</p>")
        parts = [category_names().get(article["category"], article["category"]),
                 self.tr("used %1 times").replace("%1", str(article["used_count"])),
                 self.tr("helpful %1 · not helpful %2").replace("%1", str(article["helpful_count"]))
                 .replace("%2", str(article["not_helpful_count"]))]
        if article["updated_at"]:
            moment = parse_iso(article["updated_at"]).astimezone()
            parts.append(self.tr("updated %1").replace("%1", QLocale().toString(QDate(moment.year, moment.month, moment.day), QLocale.FormatType.ShortFormat)))
        if article["my_feedback"]:
            parts.append(self.tr("you rated it helpful") if article["my_feedback"] == "helpful"
                         else self.tr("you rated it not helpful"))
        self.meta.setText(" · ".join(parts))

    # -- acting ----------------------------------------------------------------------------------
    def insert_answer(self) -> None:
        article = self.current_article()
        if article is None:
            return
        self.insert_requested.emit(article["body"])
        spawn(self.service.record_use("faq_article", article["id"]))

    def insert_link(self) -> None:
        article = self.current_article()
        if article is None or not article["url"]:
            return
        self.insert_requested.emit(f"{article['title']}: {article['url']}")
        spawn(self.service.record_use("faq_article", article["id"]))

    def _feedback(self, helpful: bool) -> None:
        article = self.current_article()
        if article is not None:
            spawn(self.service.feedback(article["id"], helpful), on_done=lambda _r: self._show_current())

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
