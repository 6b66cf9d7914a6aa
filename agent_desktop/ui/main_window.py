"""The agent's main window: views · inbox · conversation · side panel, status bar below."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.inbox import MINE, InboxView
from ..domain.text import localized_name
from ..domain.timeutil import utcnow
from ..services.session import Session
from ..services.sync_service import OFFLINE, SyncStatus
from . import shortcuts, workflow_wiring
from .bridge import SessionBridge
from .conversation_panel import ConversationPanel
from .customer_panel import CustomerPanel
from .dashboard import install as dashboard_page
from .deferred import DeferredParts, LazyTabs
from .first_paint import FirstPaint
from .inbox_delegate import ROW_HEIGHT, InboxDelegate
from .inbox_model import ID_ROLE, InboxModel
from .refresh import RefreshCoordinator
from .resources import icon
from .status_bar import SyncStatusBar
from .tasks import spawn
from .views_panel import ViewsPanel

if TYPE_CHECKING:   # built after the first paint or on first use (ui/deferred.py): imported there
    from .callbacks_view import CallbacksView
    from .dashboard.view import DashboardView
    from .knowledge_tabs import KnowledgeTabs
    from .search_dialog import SearchDialog

PREFERRED_SIZE = (1440, 860)


class MainWindow(QMainWindow):
    inbox_painted = Signal()   # first sync done and the inbox shows its rows
    conversation_opened = Signal(str)          # side-panel tabs follow the open conversation
    profiles_requested = Signal()              # Settings ▸ Server profiles… (ui/startup.py shows them)

    def __init__(self, session: Session, bridge: SessionBridge, *, language: str) -> None:
        super().__init__()
        self.session = session
        self.bridge = bridge
        self.language = language
        self.service = session.conversations
        self.closing = False
        # Synced changes become one batched refresh: the window first, then every panel, subscribes
        # to `refresher.refreshed` (conversation ids, entities).
        self.refresher = RefreshCoordinator(self.service, self)
        self.refresher.refreshed.connect(self._refresh)
        agent_name = str(session.agent.get("name") or session.username)
        self.setWindowTitle(self.tr("Agent Desktop — %1").replace("%1", agent_name))
        self.setWindowIcon(icon("app"))
        self._fit_to_screen()

        # Views | inbox
        self.views = ViewsPanel()
        self.views.setMinimumWidth(150)
        self.model = InboxModel(self.service, self)
        self.delegate = InboxDelegate(self)
        self.inbox = QListView()
        self.inbox.setObjectName("inbox")
        self.inbox.setModel(self.model)
        self.inbox.setItemDelegate(self.delegate)
        self.inbox.setUniformItemSizes(True)  # 100k rows stay fast only with fixed heights
        self.inbox.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.inbox.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.inbox.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # rows elide instead
        self.inbox.selectionModel().currentChanged.connect(self._on_inbox_current)
        self.inbox_state = QLabel()
        self.inbox_state.setObjectName("emptyState")
        self.inbox_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.inbox_state.setWordWrap(True)
        self.inbox_stack = QStackedWidget()
        self.inbox_stack.addWidget(self.inbox)
        self.inbox_stack.addWidget(self.inbox_state)
        self.inbox_title = QLabel()
        self.inbox_title.setObjectName("inboxTitle")
        inbox_box = QWidget()
        # On the column, not the list: while the list is hidden (loading, empty) the column keeps
        # its width, so the first sync does not move it.
        inbox_box.setMinimumWidth(300)
        inbox_layout = QVBoxLayout(inbox_box)
        inbox_layout.setContentsMargins(0, 0, 0, 0)
        inbox_layout.setSpacing(0)
        inbox_layout.addWidget(self.inbox_title)
        inbox_layout.addWidget(self.inbox_stack, 1)

        # Conversation | side panel
        self.conversation = ConversationPanel(self.service)
        self.conversation.signatures = self.session.signatures
        self.customer = CustomerPanel(self.service)
        self.customer.conversation_requested.connect(self.open_conversation)
        self.conversation.next_requested.connect(self.open_next_after)
        self.side = QTabWidget()
        self.side.setObjectName("sidePanel")
        self.side.addTab(self.customer, self.tr("Customer"))
        # The first paint needs the customer tab only; the others are built right after it, or
        # the moment they are needed (ui/deferred.py). Their tabs are in the bar from the start.
        self.deferred = DeferredParts(self)
        self.lazy_tabs = LazyTabs(self.side)
        self._knowledge_placeholders = [   # 话术 scripts, FAQ, guided call scripts (ui/knowledge_tabs.py)
            self.lazy_tabs.add(label, lambda: self.deferred.get("knowledge"), "knowledge")
            for label in (self.tr("Scripts"), self.tr("FAQ"), self.tr("Guided"))]
        self.deferred.add("knowledge", self._build_knowledge)
        # Enchant and its dictionary load after the first paint (~70 ms).
        self.deferred.add("spelling", lambda: self.conversation.composer.set_spelling(self.session.spelling))
        self.conversation.composer.set_quick_insert_source(_LazyQuickInsert(self))
        # Files on messages: the session's attachment service (a session without one shows chips only).
        self.conversation.set_attachments(getattr(session, "attachments", None), session.workflow.backend_kind)
        self.side.setMinimumWidth(260)
        # Every tab stays in sight (labels elide) instead of hiding behind scroll arrows.
        self.side.tabBar().setUsesScrollButtons(False)
        self.side.tabBar().setElideMode(Qt.TextElideMode.ElideRight)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("mainSplitter")
        for widget in (self.views, inbox_box, self.conversation, self.side):
            splitter.addWidget(widget)
        splitter.setStretchFactor(2, 1)
        splitter.setSizes([180, 380, 530, 350])
        splitter.setChildrenCollapsible(False)
        # Page 0 the workspace, page 1 the lead's dashboard (built on first use, ui/dashboard).
        self.main_stack = QStackedWidget()
        self.main_stack.setObjectName("mainStack")
        self.main_stack.addWidget(splitter)
        self.setCentralWidget(self.main_stack)

        self.status = SyncStatusBar(agent_name)
        self.setStatusBar(self.status)
        self.status.outbox_clicked.connect(self.show_outbox)

        self.deferred.add("search", self._build_search)
        self._build_toolbar()
        self._knowledge_actions = shortcuts.install(self)   # removed once the knowledge tabs exist

        self.views.view_selected.connect(self.set_view)
        self.bridge.sync_status_changed.connect(self._on_sync_status)
        self.bridge.data_changed.connect(self.refresher.mark)
        self.bridge.conversation_changed.connect(lambda cid: self.refresher.mark({cid}, set()))
        self.bridge.outbox_changed.connect(lambda: self.status.show_status(self.bridge.status))
        self.refresher.counts_ready.connect(self.views.set_counts)

        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self._pending_open: str | None = None

        self.views.populate(self.service.queues(), language.startswith("zh"))
        self.views.set_counts(self.service.view_counts())
        self.set_view(InboxView(MINE))
        self._on_sync_status(self.bridge.status)
        # Leads: Ctrl+D; the page itself is built on first use.
        self.dashboard_action: QAction = dashboard_page.install(self)
        # Agent state, offers, callbacks, screen-pop.
        self.workflow_parts: workflow_wiring.WorkflowParts = workflow_wiring.install(self)
        self.first_paint = FirstPaint(self)   # inbox_painted; gc.freeze once the deferred parts are built
        self.deferred.start_after_paint(self.status)   # the status bar is on screen whatever the page

    # -- parts built after the first paint (ui/deferred.py) --------------------------------------
    @property
    def knowledge(self) -> KnowledgeTabs:
        return self.deferred.get("knowledge")

    @property
    def search(self) -> SearchDialog:
        return self.deferred.get("search")

    @property
    def dashboard(self) -> DashboardView:
        return self.deferred.get("dashboard")

    @property
    def callbacks_view(self) -> CallbacksView:
        return self.deferred.get("callbacks")

    def _build_knowledge(self) -> KnowledgeTabs:
        from .knowledge_tabs import KnowledgeTabs

        self.setUpdatesEnabled(False)   # three tabs change pages at once: one repaint
        try:
            knowledge = KnowledgeTabs(self)
            # KnowledgeTabs brings its own F6/F7/F8; ours only had to build it.
            for action in self._knowledge_actions:
                self.removeAction(action)
            for placeholder, page in zip(self._knowledge_placeholders, (knowledge.scripts, knowledge.faq,
                                                                        knowledge.guided), strict=True):
                self.lazy_tabs.replace(placeholder, page)
            if self.conversation.conversation_id:
                knowledge.on_conversation_opened(self.conversation.conversation_id)
        finally:
            self.setUpdatesEnabled(True)
        return knowledge

    def _build_search(self) -> SearchDialog:
        from .search_dialog import SearchDialog

        search = SearchDialog(self.session.search, self)
        search.conversation_chosen.connect(self.open_conversation)
        search.customer_chosen.connect(self._open_customer)
        return search

    # -- construction ---------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        toolbar = QToolBar(self.tr("Main"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.search_action = QAction(icon("search"), self.tr("Search (Ctrl+K)"), self)
        self.search_action.setShortcut(QKeySequence("Ctrl+K"))
        self.search_action.triggered.connect(lambda: self.search.open_fresh(self.conversation.customer()))
        self.sync_action = QAction(icon("sync"), self.tr("Sync now (F5)"), self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        # F5: now, and every waiting item too (backoffs and Retry-After forgotten).
        self.sync_action.triggered.connect(lambda: spawn(self.bridge.session.sync.retry_now(), owner=self))
        self.outbox_action = QAction(self.tr("Outbox"), self)
        self.outbox_action.setShortcut(QKeySequence("Ctrl+Shift+U"))
        self.outbox_action.triggered.connect(self.show_outbox)
        toolbar.addAction(self.search_action)
        toolbar.addAction(self.sync_action)
        toolbar.addAction(self.outbox_action)
        self.diagnostics_action = QAction(self.tr("Diagnostics"), self)  # skipped server records, cache health
        self.diagnostics_action.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self.diagnostics_action.triggered.connect(self.show_diagnostics)
        toolbar.addAction(self.diagnostics_action)
        toolbar.addWidget(self._settings_button())
        self.addToolBar(toolbar)

    def _settings_button(self) -> QToolButton:
        """Settings ▾: the server profiles (Ctrl+Shift+L, reachable without the menu too)."""
        self.profiles_action = QAction(self.tr("Server &profiles…"), self)
        self.profiles_action.setObjectName("profilesAction")
        self.profiles_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.profiles_action.triggered.connect(self.profiles_requested.emit)
        self.addAction(self.profiles_action)   # the shortcut works while the menu is closed
        self.settings_menu = QMenu(self.tr("Settings"), self)
        self.settings_menu.addAction(self.profiles_action)
        self.signatures_action = QAction(self.tr("E-mail &signatures…"), self)
        self.signatures_action.setObjectName("signaturesAction")
        self.signatures_action.setShortcut(QKeySequence("Ctrl+Shift+E"))   # +G, +I: files
        self.signatures_action.triggered.connect(self.show_signatures)
        self.addAction(self.signatures_action)
        self.settings_menu.addAction(self.signatures_action)
        button = QToolButton()
        button.setObjectName("settingsButton")
        button.setText(self.tr("Settings"))
        button.setToolTip(self.tr("Settings: server profiles (Ctrl+Shift+L)"))
        button.setMenu(self.settings_menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.settings_button = button
        return button

    # -- inbox ----------------------------------------------------------------------------------
    def set_view(self, view: InboxView) -> None:
        self.views.select(view.key, emit=False)
        current = self.conversation.conversation_id
        self.model.set_view(view)
        self.inbox_title.setText(self._view_title())
        if current is not None and self.model.row_of(current) >= 0:
            self.select_row(self.model.row_of(current), open_it=False)
        self._update_inbox_state()

    def _view_title(self) -> str:
        item = self.views.currentItem()
        return item.text(0) if item is not None else ""

    def _update_inbox_state(self) -> None:
        status = self.bridge.status
        if self.model.rowCount():
            self.inbox_stack.setCurrentIndex(0)
            return
        if not status.first_sync_done and status.state == OFFLINE:
            text = self.tr("Can't reach the server, and nothing is cached yet.\n\nAgent Desktop keeps trying; "
                           "check the network or the server address.")
        elif not status.first_sync_done:
            text = self.tr("Loading your conversations…")
        else:
            text = self.tr("Nothing waiting in this view.\n\nNew conversations appear here by themselves; "
                           "Ctrl+1…9 switch views.")
        self.inbox_state.setText(text)
        self.inbox_stack.setCurrentIndex(1)

    def select_row(self, row: int, *, open_it: bool = True) -> None:
        index = self.model.index(row)
        if not open_it:
            self.inbox.selectionModel().blockSignals(True)
        self.inbox.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if not open_it:
            self.inbox.selectionModel().blockSignals(False)
        self.inbox.scrollTo(index)

    def _on_inbox_current(self, current, _previous) -> None:
        conversation_id = current.data(ID_ROLE) if current.isValid() else None
        if conversation_id:
            self._show_conversation(conversation_id)

    def open_conversation(self, conversation_id: str) -> None:
        """Open by id (from search, history, --open); selects it in the inbox when listed."""
        if self.service.header(conversation_id) is None:
            self._pending_open = conversation_id  # not synced yet: open when it arrives
            return
        row = self.model.row_of(conversation_id)
        if row >= 0:
            self.select_row(row, open_it=False)
        self._show_conversation(conversation_id)

    def open_next_after(self, conversation_id: str) -> None:
        """The conversation below `conversation_id` in the current view (what needs an answer next)."""
        row = self.model.row_of(conversation_id)
        if row < 0:
            return
        following = row + 1 if row + 1 < self.model.rowCount() else row - 1
        if following >= 0:
            self.select_row(following)
            self.conversation.composer.editor.setFocus()

    def _open_customer(self, customer_id: str) -> None:
        history = self.service.customer_history(customer_id)
        if history:
            self.open_conversation(history[0]["id"])

    def _show_conversation(self, conversation_id: str) -> None:
        self.conversation.open(conversation_id)
        self.customer.show_for(self.service.header(conversation_id))
        self.conversation_opened.emit(conversation_id)

    def _fit_to_screen(self) -> None:
        """1440×860 where there is room; on a smaller screen (1366×768, 1280×1024, 1920×1080 at
        150 %) the available area, maximised, so nothing runs off the screen."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen is not None else None
        if available is None or (available.width() >= PREFERRED_SIZE[0] and available.height() >= PREFERRED_SIZE[1]):
            self.resize(*PREFERRED_SIZE)
            return
        self.resize(min(PREFERRED_SIZE[0], available.width()), min(PREFERRED_SIZE[1], available.height()))
        self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    # -- live updates ---------------------------------------------------------------------------
    def refresh_pending(self) -> bool:
        """Changes have arrived that the window has not shown yet (the batch timer is running)."""
        return self.refresher.pending()

    @property
    def changes_applied_at(self) -> float:
        """When the first change of the batch being refreshed reached the cache (perf_counter)."""
        return self.refresher.changes_applied_at

    def _refresh(self, ids: set[str], entities: set[str]) -> None:
        """The window's part of a batched refresh (connected first: panels see the inbox updated)."""
        everything = "*" in entities
        if everything:
            self.views.populate(self.service.queues(), self.language.startswith("zh"))
        current = self.conversation.conversation_id
        scroll = self.inbox.verticalScrollBar().value()
        if self.model.refresh():
            row = self.model.row_of(current) if current else -1
            if row >= 0:
                self.select_row(row, open_it=False)
            self.inbox.verticalScrollBar().setValue(scroll)
        if current and (current in ids or everything):
            self.conversation.reload(keep_scroll=True)
            self.customer.show_for(self.service.header(current))
        if self._pending_open and self.service.header(self._pending_open) is not None:
            target, self._pending_open = self._pending_open, None
            self.open_conversation(target)
        self._update_inbox_state()
        self.first_paint.check()

    def _on_sync_status(self, status: SyncStatus) -> None:
        self.status.show_status(status)
        if status.first_sync_done or status.state == OFFLINE:
            self.refresher.mark(set(), set())
        self._update_inbox_state()

    def _tick(self) -> None:
        self.delegate.now = utcnow()
        self.inbox.viewport().update()
        self.conversation.tick()
        self.status.tick()

    @property
    def is_lead(self) -> bool:
        return dashboard_page.is_lead(self.session.agent)

    def show_dashboard(self) -> None:
        """The queue dashboard in place of the inbox (Ctrl+D toggles back)."""
        dashboard_page.show(self)

    def show_inbox(self) -> None:
        dashboard_page.hide(self)

    def show_outbox(self) -> None:
        from .outbox_dialog import OutboxDialog

        OutboxDialog(self.session.outbox, self).exec()

    def show_diagnostics(self) -> None:
        from .diagnostics_dialog import DiagnosticsDialog

        DiagnosticsDialog(self.session.diagnostics, self).exec()

    def show_signatures(self) -> None:
        from .signatures_dialog import SignaturesDialog

        queues = [(q["id"], localized_name(q, self.language.startswith("zh"))) for q in self.service.queues()]
        dialog = SignaturesDialog(self.session.signatures, self.service.agent_id, queues, self)
        dialog.saved.connect(self.conversation.signatures_changed)
        self.signatures_dialog = dialog
        dialog.open()

    def locale_name(self) -> str:
        return QLocale().name()

    def shutdown(self) -> None:
        """Stop timers and listening before the session closes under us."""
        self.closing = True
        self.refresher.stop()
        gc.unfreeze()  # closing (quit, or another account signing in): what it froze may be collected
        self.conversation.composer.flush_draft()
        self.conversation.stop_attachments()
        self._clock.stop()
        self.deferred.stop()
        self.bridge.blockSignals(True)
        search = self.deferred.built("search")
        if search is not None:
            search.hide()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        super().closeEvent(event)


class _LazyQuickInsert:
    """The composer's `/` source until the knowledge tabs exist: the first `/` builds them."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    async def quick_search(self, text: str) -> list[dict[str, Any]] | None:
        return await self.window.knowledge.quick_search(text)

    def quick_render(self, item: dict[str, Any]) -> str:
        return self.window.knowledge.quick_render(item)

    def quick_used(self, item: dict[str, Any]) -> None:
        self.window.knowledge.quick_used(item)


__all__ = ["MainWindow", "ROW_HEIGHT"]
