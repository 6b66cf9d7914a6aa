"""Wires the knowledge side tabs (Scripts, FAQ, Guided) into the main window.

Owns the KnowledgeService of the session, follows `conversation_opened`, refreshes when the feed
brings scripts or articles, feeds the composer's `/` popup, and computes suggestions off the GUI
thread when a conversation opens or its customer writes again (newest request wins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from .faq_panel import FaqPanel
from .guided_script import GuidedScriptPanel
from .scripts_panel import ScriptsPanel
from .tasks import spawn

if TYPE_CHECKING:
    from .main_window import MainWindow


class KnowledgeTabs(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        session = window.session
        self.service = session.knowledge
        self.scripts = ScriptsPanel(self.service)
        self.faq = FaqPanel(self.service)
        self.guided = GuidedScriptPanel(self.service)
        self.composer = window.conversation.composer
        self.composer.set_quick_insert_source(self)
        self.composer.retranslate()   # its hint line was built before our translator was installed
        for panel in (self.scripts, self.faq, self.guided):
            panel.insert_requested.connect(self.composer.insert_text)
        self.guided.note_saved.connect(lambda cid: window.bridge.conversation_changed.emit(cid))
        window.conversation_opened.connect(self.on_conversation_opened)
        window.bridge.data_changed.connect(self.on_data_changed)
        self.service.changed.connect(self.on_local_change)
        self.conversation_id: str | None = None
        for keys, panel in (("F6", self.scripts), ("F7", self.faq), ("F8", self.guided)):
            action = QAction(window)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, p=panel: self.show_tab(p))
            window.addAction(action)

    def show_tab(self, panel: Any) -> None:
        self.window.side.setCurrentWidget(panel)
        if hasattr(panel, "focus_search"):
            panel.focus_search()
        else:
            panel.focus_current()

    # -- following the window --------------------------------------------------------------------
    def on_conversation_opened(self, conversation_id: str) -> None:
        self.conversation_id = conversation_id
        for panel in (self.scripts, self.faq, self.guided):
            panel.set_conversation(conversation_id)
        self.refresh_suggestions()

    def refresh_suggestions(self) -> None:
        if not self.conversation_id:
            return
        spawn(self._suggest(self.conversation_id), owner=self)

    async def _suggest(self, conversation_id: str) -> None:
        result = await self.service.suggestions(conversation_id)
        if result is None or conversation_id != self.conversation_id:
            return  # a newer conversation was opened meanwhile
        self.faq.set_suggestions(result.articles, result.elapsed_ms)
        self.scripts.set_suggestions(result.scripts)

    def on_data_changed(self, conversation_ids: set[str], entities: set[str]) -> None:
        if "script" in entities:
            self.scripts.refresh()
            self.guided.reload_scripts()
        if "faq_article" in entities:
            self.faq.refresh()
        if self.conversation_id and (self.conversation_id in conversation_ids or entities & {"script", "faq_article"}):
            self.refresh_suggestions()  # the customer wrote again, or the knowledge changed

    def on_local_change(self, entity: str) -> None:
        if entity == "script":
            self.scripts.refresh()
        else:
            self.faq._show_current()

    # -- the composer's `/` popup (QuickInsertSource) -------------------------------------------
    async def quick_search(self, text: str) -> list[dict[str, Any]] | None:
        language = self.service.conversation_language(self.conversation_id)
        return await self.service.quick_scripts(text, kind="text", language=language, limit=20)

    def quick_render(self, item: dict[str, Any]) -> str:
        return self.service.render(item["body"], self.conversation_id).text

    def quick_used(self, item: dict[str, Any]) -> None:
        spawn(self.service.record_use("script", item["id"]))
