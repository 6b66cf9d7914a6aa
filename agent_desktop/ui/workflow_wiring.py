"""Puts the workflow into the main window: agent state in the toolbar, the offer bar, the
Callbacks tab, screen-pop, SLA and callback notifications, and after-contact work after a resolve.

`install(window)` is called once at the end of MainWindow.__init__ and returns the parts it built
(`WorkflowParts`), which the window keeps. The Callbacks tab is built right after the first paint
(or when first shown); the rest is on screen in the first frame.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolBar, QWidget

from ..domain.sla import SlaState
from ..domain.sla_policy import SlaWatch
from ..domain.text import safe_display
from ..domain.timeutil import utcnow
from ..services.agent_state import AgentStateService
from ..services.sync_service import OFFLINE
from ..services.workflow import WorkflowService
from . import formatting
from .agent_state import AgentStateWidget
from .capability_text import BUTTON_NEEDS, unsupported_reason
from .notify import Notifier
from .tasks import spawn

if TYPE_CHECKING:   # the window imports this module: annotations only
    from .callbacks_view import CallbacksView
    from .main_window import MainWindow

SCREEN_POP_CHANNELS = ("phone", "chat")
SLA_CHECK_MS = 5000
WORKFLOW_ENTITIES = {"offer", "callback", "agent_status", "customer_note", "order", "csat", "customer", "*"}


class OfferBar(QWidget):
    accepted = Signal(str)   # the conversation of the offer the agent just accepted
    """The offer on the agent's screen: who, what, time left; accept or decline by key."""

    def __init__(self, states: AgentStateService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.states = states
        self.setObjectName("offerBar")
        self.offer: dict[str, Any] | None = None
        self.text = QLabel()
        self.text.setObjectName("offerText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.accept_button = QPushButton(self.tr("Accept (Ctrl+Shift+Y)"))
        self.accept_button.setObjectName("offerAccept")
        self.accept_button.setShortcut(QKeySequence("Ctrl+Shift+Y"))
        self.decline_button = QPushButton(self.tr("Decline (Ctrl+Shift+J)"))
        self.decline_button.setObjectName("offerDecline")
        self.decline_button.setShortcut(QKeySequence("Ctrl+Shift+J"))
        self.accept_button.clicked.connect(lambda: self.answer(True))
        self.decline_button.clicked.connect(lambda: self.answer(False))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.accept_button)
        layout.addWidget(self.decline_button)

    def refresh(self) -> dict[str, Any] | None:
        offers = self.states.offers()
        self.offer = offers[0] if offers else None
        self.tick()
        return self.offer

    def tick(self) -> None:
        offer = self.offer
        if offer is None:
            self.text.setText("")
            return
        left = formatting.seconds_until(offer.get("expires_at"), utcnow())
        if left is not None and left <= 0:
            self.refresh()
            return
        name = safe_display(offer.get("customer_name"), 40) or self.tr("Unknown customer")
        tier = offer.get("customer_tier")
        badge = f" ({formatting.tier_label(tier)})" if tier in ("vip", "key_account") else ""
        self.text.setText(self.tr("New %1 for you: %2%3 · %4 · %5 s to answer")
                          .replace("%1", formatting.channel_label(offer.get("channel") or ""))
                          .replace("%2", name).replace("%3", badge)
                          .replace("%4", safe_display(offer.get("subject"), 60))
                          .replace("%5", str(max(0, int(left or 0)))))

    def answer(self, accept: bool) -> None:
        offer = self.offer
        if offer is None:
            return
        self.offer = None
        self.tick()
        if accept:
            self.accepted.emit(str(offer.get("conversation_id") or ""))
        spawn(self.states.answer_offer(offer["id"], accept), on_done=lambda _k: self.refresh())


class OfferOverlay(QFrame):
    """The offer bar laid over the top edge of the workspace (the window's central widget)."""

    def __init__(self, bar: QWidget, host: QWidget) -> None:
        super().__init__(host)
        self.setObjectName("offerToolbar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(bar)
        host.installEventFilter(self)
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt override
        super().setVisible(visible)
        if visible:
            self._place()
            self.raise_()

    def _place(self) -> None:
        host = self.parentWidget()
        if host is not None:
            self.setGeometry(0, 0, host.width(), self.sizeHint().height())


class WorkflowController(QObject):
    """Screen-pop, notifications and refreshes; holds the measured screen-pop latencies (seconds)."""

    def __init__(self, window: MainWindow, workflow: WorkflowService, states: AgentStateService,
                 agent_state: AgentStateWidget, offer_bar: OfferBar, offer_toolbar: OfferOverlay) -> None:
        super().__init__(window)
        self.window = window
        self.workflow = workflow
        self.states = states
        self.agent_state = agent_state
        self.offer_bar = offer_bar
        self.offer_toolbar = offer_toolbar
        self.timers: tuple[QTimer, ...] = ()   # started by install()
        self.notifier = Notifier(window)
        self.latencies: list[float] = []
        self.popped: list[str] = []
        self._seen_offers: set[str] = {o["id"] for o in states.offers()}
        self._mine = self._my_live_conversations()
        self._primed = window.bridge.status.first_sync_done
        window.bridge.sync_status_changed.connect(self._on_sync_status)
        self._accepted: str | None = None
        self.sla = SlaWatch()
        self._sla_primed = False

    def _prime(self) -> None:
        self._seen_offers |= {offer["id"] for offer in self.states.offers()}
        self._mine = self._my_live_conversations()

    def _on_sync_status(self, status: Any) -> None:
        if not self._primed and status.first_sync_done:
            self._prime()
            self._primed = True

    # -- screen-pop -------------------------------------------------------------------------------
    def on_data_changed(self, conversation_ids: set[str], entities: set[str]) -> None:
        """Connected to `window.refresher.refreshed`: one call per batched refresh (not per synced
        page), so the SQL below runs at most every REFRESH_DELAY_MS on the GUI thread."""
        if not conversation_ids and not entities:
            return  # a progress tick of the first sync: nothing to pop or refresh yet
        if not self._primed:
            # What the first sync brings was assigned before this session: no pop, no alarm.
            self._prime()
            if entities & WORKFLOW_ENTITIES or conversation_ids:
                self.refresh()
            return
        # Latency counts from the first change of the batch, which reached the cache then.
        started = self.window.changes_applied_at or time.perf_counter()
        # An offer is announced (notification and offer bar: customer, tier, subject, seconds left)
        # and opens when the agent accepts it: nothing replaces the conversation on screen unasked.
        for offer in self.states.offers():
            if offer["id"] not in self._seen_offers:
                self._seen_offers.add(offer["id"])
                self.notifier.notify("offer", self.tr("New contact offered"),
                                     self.tr("%1 · %2").replace("%1", safe_display(offer.get("customer_name"), 40))
                                     .replace("%2", safe_display(offer.get("subject"), 60)))
        mine = self._my_live_conversations()
        assigned = [cid for cid in mine - self._mine if cid in conversation_ids]
        self._mine = mine
        pop_id = None
        for cid in assigned:
            header = self.workflow.conversations.header(cid) or {}
            if header.get("channel") in SCREEN_POP_CHANNELS:
                pop_id = pop_id or cid
                self.notifier.notify("assigned", self.tr("Assigned to you"),
                                     safe_display(header.get("customer_name"), 40))
        # A live contact handed to the agent opens only on an empty screen (or the one they accepted).
        if pop_id is not None and (self.window.conversation.conversation_id is None or pop_id == self._accepted):
            self.screen_pop(pop_id, started)
        if entities & WORKFLOW_ENTITIES or conversation_ids:
            self.refresh()

    def on_offer_accepted(self, conversation_id: str) -> None:
        """The agent accepted: their choice, so the customer opens at once (the screen-pop)."""
        if not conversation_id:
            return
        self._accepted = conversation_id
        self.screen_pop(conversation_id, time.perf_counter())

    def screen_pop(self, conversation_id: str, started: float) -> None:
        window = self.window
        window.open_conversation(conversation_id)
        window.side.setCurrentWidget(window.customer)
        window.raise_()
        self.popped.append(conversation_id)
        if window.conversation.conversation_id == conversation_id:
            self.latencies.append(time.perf_counter() - started)

    def _my_live_conversations(self) -> set[str]:
        return self.workflow.my_live_conversations()

    # -- periodic checks --------------------------------------------------------------------------
    def check_sla(self) -> list[tuple[str, str]]:
        if not self.window.bridge.status.first_sync_done:
            return []   # the cache is still filling: judge once it holds the agent's work
        items = self.workflow.sla_watch_items()
        alerts = self.sla.update(items, utcnow())
        if not self._sla_primed:   # what was already late at sign-in is in the inbox, not a popup storm
            self._sla_primed = True
            return []
        breached = [cid for cid, state in alerts if state == SlaState.BREACHED]
        at_risk = [cid for cid, state in alerts if state == SlaState.AT_RISK]
        if breached:
            self.notifier.notify("sla", self.tr("SLA breached"), self._names(breached))
        if at_risk:
            self.notifier.notify("sla", self.tr("SLA at risk (≤ 20 % left)"), self._names(at_risk))
        return alerts

    def _names(self, ids: list[str]) -> str:
        names = []
        for cid in ids[:3]:
            header = self.workflow.conversations.header(cid) or {}
            names.append(safe_display(header.get("customer_name") or header.get("subject"), 30))
        more = len(ids) - len(names)
        return ", ".join(names) + (self.tr(" and %1 more").replace("%1", str(more)) if more > 0 else "")

    def on_callback_due(self, row: dict[str, Any]) -> None:
        self.notifier.notify("callback", self.tr("Callback due"),
                             safe_display(row.get("note"), 80) or formatting.local_time(row.get("due_at")))

    def refresh(self) -> None:
        window = self.window
        callbacks = window.deferred.built("callbacks")
        if callbacks is not None:   # not built yet: it loads fresh when it is
            callbacks.reload()
        self.agent_state.refresh()
        offer = self.offer_bar.refresh()
        self.offer_toolbar.setVisible(offer is not None)
        window.customer.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.stop()
        return False

    def stop(self) -> None:
        """The window is closing (the session closes next): no timer may touch the cache after this."""
        for timer in self.timers:
            timer.stop()
        callbacks = self.window.deferred.built("callbacks")
        if callbacks is not None:
            callbacks.stop()
        self.agent_state.stop()
        self.window.conversation.stop_workflow()

    def tick(self) -> None:
        self.agent_state.tick()
        self.offer_bar.tick()
        if self.offer_bar.offer is None and self.offer_toolbar.isVisible():
            self.offer_toolbar.setVisible(False)


@dataclass(frozen=True)
class WorkflowParts:
    """What `install` put into the window: MainWindow keeps it as `window.workflow_parts`."""

    agent_state: AgentStateWidget   # in the main toolbar
    offer_bar: OfferBar
    offer_toolbar: OfferOverlay     # the overlay that holds the offer bar
    controller: WorkflowController


def install(window: MainWindow) -> WorkflowParts:
    session = window.session
    workflow, states = session.workflow, session.agent_state
    chinese = window.language.startswith("zh")
    window.conversation.set_workflow(workflow, callbacks=session.callbacks, presence=session.presence,
                                     chinese=chinese)
    window.customer.set_customers(session.customers)
    missing = {name: unsupported_reason(capability, workflow.backend_kind) for name, capability in BUTTON_NEEDS.items()
               if not workflow.supports(capability)}
    if missing:
        window.conversation.set_unsupported(missing)

    agent_state = AgentStateWidget(states)
    window.bridge.sync_status_changed.connect(lambda status: agent_state.set_online(status.state != OFFLINE))
    toolbar = window.findChild(QToolBar, "mainToolbar")
    if toolbar is not None:
        first = toolbar.actions()[0] if toolbar.actions() else None
        if first is not None:
            toolbar.insertWidget(first, agent_state)
            toolbar.insertSeparator(first)
        else:
            toolbar.addWidget(agent_state)

    offer_bar = OfferBar(states)
    # Over the top of the workspace, not in the layout: an offer arriving or going moves nothing.
    workspace = window.centralWidget()
    assert workspace is not None   # the window builds its workspace before the workflow parts
    offer_toolbar = OfferOverlay(offer_bar, workspace)
    offer_toolbar.setVisible(offer_bar.refresh() is not None)

    controller = WorkflowController(window, workflow, states, agent_state, offer_bar, offer_toolbar)
    parts = WorkflowParts(agent_state, offer_bar, offer_toolbar, controller)
    placeholder = window.lazy_tabs.add(QCoreApplication.translate("WorkflowWiring", "Callbacks"),
                                       lambda: window.deferred.get("callbacks"), "callbacks")
    window.deferred.add("callbacks", lambda: _build_callbacks(window, parts, placeholder))
    window.refresher.refreshed.connect(controller.on_data_changed)
    offer_bar.accepted.connect(controller.on_offer_accepted)
    # Whatever the agent changed in the workflow's areas (state, offers, callbacks, notes, CSAT…).
    for service in (workflow, states, session.callbacks, session.customers):
        service.changed.connect(lambda _what: controller.refresh())
    window.conversation.resolved.connect(lambda _cid: _after_resolve(window, agent_state))

    timer = QTimer(window, interval=1000)
    timer.timeout.connect(controller.tick)
    timer.start()
    sla_timer = QTimer(window, interval=SLA_CHECK_MS)
    sla_timer.timeout.connect(controller.check_sla)
    sla_timer.start()
    controller.timers = (timer, sla_timer)
    window.installEventFilter(controller)
    controller.check_sla()
    return parts


def _build_callbacks(window: MainWindow, parts: WorkflowParts, placeholder: QWidget) -> CallbacksView:
    """The Callbacks tab (its due-time notifications run from here on): right after the first paint."""
    from .callbacks_view import CallbacksView

    view = CallbacksView(window.session.callbacks)
    view.conversation_requested.connect(window.open_conversation)
    view.customer_requested.connect(window._open_customer)
    view.callback_due.connect(parts.controller.on_callback_due)
    window.lazy_tabs.replace(placeholder, view)
    return view


def _after_resolve(window: MainWindow, agent_state: AgentStateWidget) -> None:
    if agent_state.state in ("available", "busy"):
        agent_state.start_acw(window.conversation.acw_seconds)
