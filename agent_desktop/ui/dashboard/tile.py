"""One queue's tile: headline numbers, and its worst state as colour, icon and words (never colour alone)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...domain import metrics as m
from ..resources import icon

LEVEL_NAMES = {m.Level.OK: "ok", m.Level.WARNING: "warning", m.Level.CRITICAL: "critical"}


def tr(text: str) -> str:
    return QCoreApplication.translate("Dashboard", text)


def level_text(level: m.Level) -> str:
    return {m.Level.OK: QCoreApplication.translate("Dashboard", "On target"), m.Level.WARNING: QCoreApplication.translate("Dashboard", "Warning"), m.Level.CRITICAL: QCoreApplication.translate("Dashboard", "Critical")}[level]


def duration(seconds: float | None) -> str:
    """`42 s`, `3:07`, `2h 05m`; `—` without data."""
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    if seconds < 60:
        return QCoreApplication.translate("Dashboard", "%1 s").replace("%1", str(seconds))
    if seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return (QCoreApplication.translate("Formatting", "%1h %2m")   # the app's one hours-and-minutes form
            .replace("%1", str(seconds // 3600)).replace("%2", f"{seconds % 3600 // 60:02d}"))


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


# metric key, caption, formatter — the order of the cells on a tile
def metric_cells() -> list[tuple[str, str, Any]]:
    return [
        ("contacts_waiting", QCoreApplication.translate("Dashboard", "Waiting"), lambda v: "—" if v is None else str(v)),
        ("oldest_wait_s", QCoreApplication.translate("Dashboard", "Longest wait"), duration),
        ("service_level", QCoreApplication.translate("Dashboard", "Service level"), percent),
        ("asa_s", QCoreApplication.translate("Dashboard", "ASA (avg. answer)"), duration),
        ("abandon_rate", QCoreApplication.translate("Dashboard", "Abandoned"), percent),
        ("aht_s", QCoreApplication.translate("Dashboard", "AHT (avg. handle)"), duration),
        ("fcr_rate", QCoreApplication.translate("Dashboard", "FCR (first contact)"), percent),
        ("csat", QCoreApplication.translate("Dashboard", "CSAT (1–5)"), score),
        ("sla_at_risk", QCoreApplication.translate("Dashboard", "SLA at risk"), lambda v: "—" if v is None else str(v)),
        ("sla_breached", QCoreApplication.translate("Dashboard", "SLA breached"), lambda v: "—" if v is None else str(v)),
        ("occupancy", QCoreApplication.translate("Dashboard", "Occupancy"), percent),
    ]


# What a wall display shows per queue: what needs people now, and whether the promise holds.
WALLBOARD_METRICS = ("contacts_waiting", "oldest_wait_s", "service_level", "abandon_rate", "sla_at_risk", "csat")


class QueueTile(QFrame):
    """Click or Enter opens the drill-down (`opened(queue_id)`)."""

    opened = Signal(str)

    def __init__(self, queue_id: str, *, large: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue_id = queue_id
        self.level = m.Level.OK
        self.setObjectName("queueTile")
        self.setProperty("large", large)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.title = QLabel()
        self.title.setObjectName("tileTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.state_icon = QLabel()
        self.state_icon.setObjectName("tileStateIcon")
        self.state_text = QLabel()
        self.state_text.setObjectName("tileStateText")
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.state_icon)
        head.addWidget(self.state_text)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        # A wall display is read across a room: fewer figures, much larger (WALLBOARD_METRICS).
        cells = [cell for cell in metric_cells() if not large or cell[0] in WALLBOARD_METRICS]
        columns = 3 if large else 4
        for index, (key, caption, _fmt) in enumerate(cells):
            cell = QVBoxLayout()
            cell.setSpacing(0)
            value = QLabel("—")
            value.setObjectName("tileValue")
            name = QLabel(caption)
            name.setObjectName("tileCaption")
            cell.addWidget(value)
            cell.addWidget(name)
            grid.addLayout(cell, index // columns, index % columns)
            self.values[key], self.captions[key] = value, name
        self.agents = QLabel()
        self.agents.setObjectName("tileAgents")
        self.agents.setWordWrap(True)
        self.stale_note = QLabel()
        self.stale_note.setObjectName("tileStale")
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(grid)
        layout.addWidget(self.agents)
        layout.addWidget(self.stale_note)
        self._icon_size = 40 if large else 20

    def show_queue(self, name: str, metrics: dict[str, Any], levels: dict[str, m.Level], *, stale: bool) -> None:
        self.title.setText(name)
        self.level = m.worst(levels.values())
        for key, _caption, fmt in metric_cells():
            label = self.values.get(key)
            if label is None:
                continue  # not on this tile (the wallboard's shows the key figures only)
            label.setText(fmt(metrics.get(key)))
            metric_level = levels.get(key, m.Level.OK)
            # The offending numbers carry a marker too, so a colour-blind lead sees which one it is.
            marker = {m.Level.WARNING: " ▲", m.Level.CRITICAL: " ▲▲"}.get(metric_level, "")
            if marker:
                label.setText(label.text() + marker)
            label.setProperty("level", LEVEL_NAMES[metric_level])
            label.setToolTip(level_text(metric_level) if marker else "")
            self._repolish(label)
        agents = metrics.get("agents") or {}
        self.agents.setText(QCoreApplication.translate("Dashboard", "Agents: %1 available · %2 busy · %3 after-contact work · %4 break · %5 offline")
                            .replace("%1", str(agents.get("available", 0))).replace("%2", str(agents.get("busy", 0)))
                            .replace("%3", str(agents.get("acw", 0))).replace("%4", str(agents.get("break", 0)))
                            .replace("%5", str(agents.get("offline", 0))))
        self.state_icon.setPixmap(icon(f"level-{LEVEL_NAMES[self.level]}").pixmap(self._icon_size, self._icon_size))
        self.state_text.setText(level_text(self.level))
        self.stale_note.setText(QCoreApplication.translate("Dashboard", "Offline: live counts from the local cache; today's figures as last received")
                                if stale else "")
        self.stale_note.setVisible(stale)
        self.setProperty("level", LEVEL_NAMES[self.level])
        self.setProperty("stale", stale)
        self.setAccessibleName(f"{name}: {level_text(self.level)}")
        self._repolish(self)

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.opened.emit(self.queue_id)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.opened.emit(self.queue_id)
            return
        super().keyPressEvent(event)
