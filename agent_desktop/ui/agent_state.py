"""The agent's state in the toolbar: Available / Busy / Break (reason) / After-contact work / Offline.

After-contact work (ACW) after a resolve counts down and then returns the agent to Available,
unless they chose another state meanwhile. Every change is synced through the outbox.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPoint, QTimer, Signal
from PySide6.QtGui import QAction, QFontMetrics, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QWidget

from ..domain.routing import BREAK_REASONS
from ..domain.timeutil import parse_iso, utcnow
from ..services.agent_state import AgentStateService
from . import formatting
from .tasks import spawn

STATE_COLOURS = {"available": "#16a34a", "busy": "#d97706", "break": "#7c3aed", "acw": "#2563eb",
                 "offline": "#64748b"}
NOT_READY_COLOUR = "#b45309"   # signed in and "available", but the server offers nothing yet


def state_label(state: str) -> str:
    labels = {
        "available": QCoreApplication.translate("AgentState", "Available"),
        "busy": QCoreApplication.translate("AgentState", "Busy"),
        "break": QCoreApplication.translate("AgentState", "Break"),
        "acw": QCoreApplication.translate("AgentState", "After-contact work"),
        "offline": QCoreApplication.translate("AgentState", "Offline"),
    }
    return labels.get(state, state)


def reason_label(reason: str) -> str:
    labels = {
        "lunch": QCoreApplication.translate("AgentState", "Lunch"),
        "training": QCoreApplication.translate("AgentState", "Training"),
        "meeting": QCoreApplication.translate("AgentState", "Meeting"),
        "personal": QCoreApplication.translate("AgentState", "Personal"),
        "coaching": QCoreApplication.translate("AgentState", "Coaching"),
        "missed_offer": QCoreApplication.translate("AgentState", "Missed an offer"),
    }
    return labels.get(reason, reason)


class AgentStateWidget(QWidget):
    state_changed = Signal(str)

    def __init__(self, states: AgentStateService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.states = states
        self.setObjectName("agentState")
        self.button = QToolButton()
        self.button.setObjectName("agentStateButton")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setToolTip(self.tr("Your state (Ctrl+Shift+S)"))
        self.timer_label = QLabel()
        self.timer_label.setObjectName("agentStateTimer")
        menu = QMenu(self)
        self.state_actions: dict[str, QAction] = {}
        for state in ("available", "busy", "acw", "offline"):
            action = menu.addAction(state_label(state))
            action.triggered.connect(lambda _=False, s=state: self.choose(s))
            self.state_actions[state] = action
        breaks = menu.addMenu(state_label("break"))
        for reason in BREAK_REASONS:
            action = breaks.addAction(reason_label(reason))
            action.triggered.connect(lambda _=False, r=reason: self.choose("break", r))
        self.button.setMenu(menu)
        shortcut = QAction(self)
        shortcut.setShortcut(QKeySequence("Ctrl+Shift+S"))
        # popup(), not showMenu(): showMenu runs a nested event loop, which stalls the asyncio tasks.
        shortcut.triggered.connect(self.open_menu)
        menu.aboutToShow.connect(self._highlight_current)
        self.addAction(shortcut)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 8, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.timer_label)
        self.online = True
        self._reserve_width()
        self.acw_until: float | None = None
        self._acw_left = 0
        self._acw_timer = QTimer(self, interval=1000)
        self._acw_timer.timeout.connect(self._acw_tick)
        self.refresh()

    def _reserve_width(self) -> None:
        """As wide as its longest text from the start: a state change never shifts the toolbar."""
        font = self.button.font()
        font.setBold(True)
        metrics = QFontMetrics(font)
        texts = [state_label(s) for s in STATE_COLOURS] + [self.tr("Not taking contacts · choose Available")]
        texts += [f"{state_label('break')} · {reason_label(r)}" for r in BREAK_REASONS]
        texts += [f"{state_label(s)} · {self.tr('offline, no offers')}" for s in STATE_COLOURS]
        # "● " and the menu arrow come on top of the text.
        self.button.setMinimumWidth(max(metrics.horizontalAdvance("● " + text) for text in texts) + 36)

    def set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            self.refresh()

    def stop(self) -> None:
        self._acw_timer.stop()

    @property
    def state(self) -> str:
        return str(self.states.my_status().get("state", "offline"))

    def refresh(self) -> None:
        status = self.states.my_status()
        state = str(status.get("state", "offline"))
        text = state_label(state)
        if state == "break" and status.get("reason"):
            text += f" · {reason_label(str(status['reason']))}"
        colour = STATE_COLOURS.get(state, "#334155")
        tooltip = self.tr("Your state (Ctrl+Shift+S)")
        idle_desk = state == "available" and not status.get("routable")
        if not self.online:
            # Offers cannot reach a desk the server cannot see: say so where the agent looks.
            text += " · " + self.tr("offline, no offers")
            colour = STATE_COLOURS["offline"]
            tooltip = self.tr("The server cannot be reached: no contacts are offered until it is back. "
                              "Your work is kept and sent then.")
        elif idle_desk:
            text = self.tr("Not taking contacts · choose Available")
            colour = NOT_READY_COLOUR
            tooltip = self.tr("Choose Available to receive offers (Ctrl+Shift+S)")
        self.button.setToolTip(tooltip)
        self.button.setText("● " + text)
        self.button.setStyleSheet(f"QToolButton#agentStateButton {{ color: {colour}; font-weight: 600; }}")
        self.tick()

    def open_menu(self) -> None:
        menu = self.button.menu()
        menu.popup(self.button.mapToGlobal(QPoint(0, self.button.height())))
        self._highlight_current()

    def _highlight_current(self) -> None:
        """The menu opens on the current state, so ↑ ↓ Enter work at once from the keyboard."""
        action = self.state_actions.get(self.state) or self.state_actions["available"]
        self.button.menu().setActiveAction(action)

    def tick(self) -> None:
        if self._acw_timer.isActive():
            self.timer_label.setText(self.tr("%1 left").replace("%1", formatting.countdown(self._acw_left)))
            return
        since = self.states.my_status().get("since")
        if not since:
            self.timer_label.setText("")
            return
        try:
            seconds = (utcnow() - parse_iso(str(since))).total_seconds()
        except ValueError:
            self.timer_label.setText("")
            return
        self.timer_label.setText(formatting.countdown(max(0.0, seconds)))

    def choose(self, state: str, reason: str = "") -> None:
        self._acw_timer.stop()
        spawn(self.states.set_state(state, reason), on_done=lambda _k: self._changed(state))

    def _changed(self, state: str) -> None:
        self.refresh()
        self.state_changed.emit(state)

    def start_acw(self, seconds: int) -> None:
        """After a resolve: after-contact work for `seconds`, then Available again."""
        self._acw_left = seconds
        spawn(self.states.set_state("acw"), on_done=lambda _k: self._changed("acw"))
        self._acw_timer.start()

    def _acw_tick(self) -> None:
        self._acw_left -= 1
        if self._acw_left <= 0:
            self._acw_timer.stop()
            if self.state == "acw":
                self.choose("available")
            return
        self.tick()
