"""The lead's dashboard page: queue tiles, charts, the agents table; and the wallboard (F11).

Refreshing is single-flight and off the GUI thread (`DashboardService.refresh` awaits a worker):
a tick while one refresh runs is skipped, so a slow server never piles requests up.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QMargins, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain import metrics as m
from ...domain.timeutil import parse_iso, utcnow
from ...services.dashboard import POLL_SECONDS, DashboardService, Snapshot
from ..tasks import spawn
from .charts import HourlyCharts, combine
from .drilldown import QueueDrillDown, state_name
from .thresholds import ThresholdsDialog
from .tile import QueueTile, duration, percent, score


class TileGrid(QWidget):
    """Tiles created once per queue and updated in place, in as many columns as the width holds.

    The grid's minimum width is one tile, so the page never scrolls sideways: on a 1366 px screen
    the tiles reflow into two columns, on a wall display into as many as fit.
    """

    opened = Signal(str)

    def __init__(self, *, large: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.large = large
        self.columns = 1
        self.tiles: dict[str, QueueTile] = {}
        self.grid = QGridLayout(self)
        self.grid.setSpacing(16 if large else 10)
        # The widget's minimum is ours (one tile), not the layout's (every column).
        self.grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

    def show_snapshot(self, snapshot: Snapshot, names: dict[str, str]) -> None:
        added = False
        for queue in snapshot.queues:
            queue_id = queue["queue_id"]
            tile = self.tiles.get(queue_id)
            if tile is None:
                tile = self.tiles[queue_id] = QueueTile(queue_id, large=self.large)
                tile.opened.connect(self.opened)
                added = True
            tile.show_queue(names.get(queue_id, queue_id), queue.get("metrics", {}),
                            snapshot.levels.get(queue_id, {}), stale=snapshot.stale or bool(queue.get("stale")))
        if added:
            self.place(self.columns_for(self.width()), force=True)

    def in_scroll_area(self, name: str) -> QScrollArea:
        """The grid in a scroll area that scrolls down only: sideways, the tiles reflow."""
        scroll = QScrollArea()
        scroll.setObjectName(name)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self)
        return scroll

    def _tile_width(self) -> int:
        return max((tile.minimumSizeHint().width() for tile in self.tiles.values()), default=240)

    def columns_for(self, width: int) -> int:
        margins = self.grid.contentsMargins()
        room = width - margins.left() - margins.right()
        spacing = self.grid.horizontalSpacing()
        fit = max(1, (room + spacing) // (self._tile_width() + spacing))
        return max(1, min(fit, len(self.tiles) or 1))

    def place(self, columns: int, *, force: bool = False) -> None:
        if columns == self.columns and not force:
            return
        self.columns = columns
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
        for index, tile in enumerate(self.tiles.values()):
            self.grid.addWidget(tile, index // columns, index % columns)
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        margins = self.grid.contentsMargins()
        return QSize(self._tile_width() + margins.left() + margins.right(), self.grid.minimumSize().height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.minimumSizeHint()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.place(self.columns_for(event.size().width()))


class DashboardView(QWidget):
    refreshed = Signal(object)   # Snapshot, after it is on screen

    def __init__(self, service: DashboardService, *, language: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.service = service
        self.language = language
        self.snapshot: Snapshot | None = None
        self._running = False
        self.wallboard: Wallboard | None = None
        self.drilldowns: list[QueueDrillDown] = []

        title = QLabel(QCoreApplication.translate("Dashboard", "Queues today"))
        title.setObjectName("dashboardTitle")
        self.updated = QLabel(QCoreApplication.translate("Dashboard", "Loading…"))
        self.updated.setObjectName("dashboardUpdated")
        self.refresh_button = QPushButton(QCoreApplication.translate("Dashboard", "Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.thresholds_button = QPushButton(QCoreApplication.translate("Dashboard", "&Thresholds…"))
        self.thresholds_button.clicked.connect(self.edit_thresholds)
        self.wallboard_button = QPushButton(QCoreApplication.translate("Dashboard", "Wallboard (F11)"))
        self.wallboard_button.clicked.connect(self.toggle_wallboard)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addWidget(self.updated, 1)
        for button in (self.refresh_button, self.thresholds_button, self.wallboard_button):
            head.addWidget(button)

        self.tiles = TileGrid()
        self.tiles.opened.connect(self.open_queue)
        tiles_scroll = self.tiles.in_scroll_area("tilesScroll")

        self.chart_queue = QComboBox()
        self.chart_queue.setObjectName("chartQueue")
        self.chart_queue.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.chart_queue.currentIndexChanged.connect(self._show_charts)
        self.charts = HourlyCharts()
        self.agents = QTableWidget(0, 8)
        self.agents.setObjectName("agentsTable")
        self.agents.setHorizontalHeaderLabels([QCoreApplication.translate("Dashboard", "Agent"), QCoreApplication.translate("Dashboard", "State"), QCoreApplication.translate("Dashboard", "Time in state"), QCoreApplication.translate("Dashboard", "Handled today"),
                                               QCoreApplication.translate("Dashboard", "AHT"), QCoreApplication.translate("Dashboard", "CSAT"), QCoreApplication.translate("Dashboard", "Occupancy"), QCoreApplication.translate("Dashboard", "Queues")])
        self.agents.verticalHeader().setVisible(False)
        self.agents.setTabKeyNavigation(False)   # Tab leaves the table (arrows move inside it)
        self.agents.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.agents.setWordWrap(False)
        self.agents.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.agents.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # The figures keep their width; the queue list takes what is left and elides, so the table
        # never scrolls sideways.
        header = self.agents.horizontalHeader()
        for column in range(self.agents.columnCount() - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.agents.columnCount() - 1, QHeaderView.ResizeMode.Stretch)

        charts_box = QWidget()
        charts_layout = QVBoxLayout(charts_box)
        charts_layout.setContentsMargins(0, 0, 0, 0)
        chart_head = QHBoxLayout()
        chart_label = QLabel(QCoreApplication.translate("Dashboard", "Charts for:"))
        chart_label.setBuddy(self.chart_queue)
        chart_head.addWidget(chart_label)
        chart_head.addWidget(self.chart_queue)
        chart_head.addStretch(1)
        charts_layout.addLayout(chart_head)
        charts_layout.addWidget(self.charts, 1)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(charts_box)
        bottom.addWidget(self.agents)
        bottom.setSizes([680, 700])   # the agents table needs room for its queue lists
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(tiles_scroll)
        body.addWidget(bottom)
        body.setSizes([500, 300])

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(body, 1)

        self.wallboard_action = QAction(QCoreApplication.translate("Dashboard", "Wallboard"), self)
        self.wallboard_action.setShortcut(QKeySequence("F11"))
        self.wallboard_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.wallboard_action.triggered.connect(self.toggle_wallboard)
        self.addAction(self.wallboard_action)

        self.poll = QTimer(self, interval=int(POLL_SECONDS * 1000))
        self.poll.timeout.connect(self.refresh)
        self.clock = QTimer(self, interval=1000)
        self.clock.timeout.connect(self._tick)

    # -- life cycle -------------------------------------------------------------------------------
    def start(self) -> None:
        if not self.poll.isActive():
            self.poll.start()
            self.clock.start()
            self.refresh()

    def stop(self) -> None:
        self.poll.stop()
        self.clock.stop()

    def names(self) -> dict[str, str]:
        zh = self.language.startswith("zh")
        known = {q["queue_id"]: (q.get("name") or q["queue_id"], q.get("name_en") or q.get("name") or q["queue_id"])
                 for q in (self.snapshot.queues if self.snapshot else [])}
        known.update(self.service.queue_names())  # the cache may be empty before the first sync
        return {qid: (name if zh else name_en) for qid, (name, name_en) in known.items()}

    # -- refreshing -------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self._running:
            return  # single flight: the running refresh's answer is fresh enough
        self._running = True

        def done(snapshot: Snapshot) -> None:
            self._running = False
            self.show_snapshot(snapshot)

        def failed(error: BaseException) -> None:
            self._running = False
            self.updated.setText(QCoreApplication.translate("Dashboard", "Could not refresh: %1").replace("%1", str(error)))

        spawn(self.service.refresh(), on_done=done, on_error=failed, owner=self)

    def show_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        names = self.names()  # after `snapshot` is set: the server's names fill gaps in the cache
        self.tiles.show_snapshot(snapshot, names)
        if self.wallboard is not None:
            self.wallboard.show_snapshot(snapshot, names)
        self._fill_chart_choices(snapshot, names)
        self._show_charts()
        self._fill_agents(snapshot, names)
        self._tick()
        self.refreshed.emit(snapshot)

    def _fill_chart_choices(self, snapshot: Snapshot, names: dict[str, str]) -> None:
        wanted = [None, *(q["queue_id"] for q in snapshot.queues)]
        have = [self.chart_queue.itemData(i) for i in range(self.chart_queue.count())]
        if wanted == have:
            return
        current = self.chart_queue.currentData()
        self.chart_queue.blockSignals(True)
        self.chart_queue.clear()
        self.chart_queue.addItem(QCoreApplication.translate("Dashboard", "All queues"), None)
        for queue_id in wanted[1:]:
            self.chart_queue.addItem(names.get(queue_id, queue_id), queue_id)
        self.chart_queue.setCurrentIndex(max(0, self.chart_queue.findData(current)))
        self.chart_queue.blockSignals(False)

    def _show_charts(self) -> None:
        if self.snapshot is None:
            return
        chosen = self.chart_queue.currentData()
        queues = [q for q in self.snapshot.queues if chosen is None or q["queue_id"] == chosen]
        self.charts.show_series(combine(queues))

    def _fill_agents(self, snapshot: Snapshot, names: dict[str, str]) -> None:
        now = utcnow()
        rows = [a for a in snapshot.agents if a.get("role") != "lead"]
        self.agents.setRowCount(len(rows))
        for r, agent in enumerate(rows):
            since = agent.get("state_since")
            try:
                in_state = duration((now - parse_iso(since)).total_seconds()) if since else "—"
            except ValueError:
                in_state = "—"
            values = (agent.get("name") or agent.get("username") or agent["id"], state_name(agent.get("state", "")),
                      in_state, str(agent.get("handled_today", 0)), duration(agent.get("aht_s")),
                      score(agent.get("csat")), percent(agent.get("occupancy")),
                      ", ".join(names.get(q, q) for q in agent.get("queue_ids", [])))
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)   # the queues column elides: the whole list on hover
                if c in (2, 3, 4, 5, 6):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.agents.setItem(r, c, item)

    def _tick(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        age = int(time.monotonic() - snapshot.received_at)
        text = QCoreApplication.translate("Dashboard", "updated %1 s ago").replace("%1", str(age))
        if snapshot.stale:
            text = QCoreApplication.translate("Dashboard", "OFFLINE — stale: %1").replace("%1", text)
        self.updated.setText(text)
        self.updated.setProperty("stale", snapshot.stale)
        self.updated.style().unpolish(self.updated)
        self.updated.style().polish(self.updated)
        if self.wallboard is not None:
            self.wallboard.updated.setText(text)

    # -- actions ----------------------------------------------------------------------------------
    def open_queue(self, queue_id: str) -> QueueDrillDown:
        dialog = QueueDrillDown(self.service, queue_id, self.names(), self)
        dialog.changed.connect(self.refresh)
        dialog.finished.connect(lambda _code, d=dialog: self.drilldowns.remove(d) if d in self.drilldowns else None)
        self.drilldowns.append(dialog)
        dialog.open()
        return dialog

    def on_data_refreshed(self) -> None:
        """Synced changes (a reassignment arriving, new contacts): open drill-downs show them."""
        for dialog in self.drilldowns:
            dialog.reload()

    def edit_thresholds(self, queue_id: str | None = None) -> None:
        dialog = ThresholdsDialog(self.service.thresholds_for, self.names(), queue_id or None, self)
        if dialog.exec() != ThresholdsDialog.DialogCode.Accepted:
            return
        queue = dialog.queue.currentData()
        spawn(self.service.set_thresholds(queue, dialog.values()), on_done=lambda _r: self._show_last())

    def _show_last(self) -> None:
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)

    def toggle_wallboard(self) -> None:
        if self.wallboard is not None:
            self.wallboard.close()
            return
        self.wallboard = Wallboard()
        self.wallboard.closed.connect(self._wallboard_closed)
        self.wallboard.tiles.opened.connect(self.open_queue)
        if self.snapshot is not None:
            self.wallboard.show_snapshot(self.snapshot, self.names())
        screen = self.screen()
        if screen is not None:  # the whole screen the dashboard is on, with or without a window manager
            self.wallboard.fit_to(screen.geometry())
        self.wallboard.showFullScreen()

    def _wallboard_closed(self) -> None:
        self.wallboard = None


class Wallboard(QWidget):
    """Full-screen tiles in large type for a wall display; F11 or Esc leaves."""

    closed = Signal()

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("wallboard")
        self.setWindowTitle(QCoreApplication.translate("Dashboard", "Wallboard"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        title = QLabel(QCoreApplication.translate("Dashboard", "Queues today"))
        title.setObjectName("wallboardTitle")
        self.updated = QLabel()
        self.updated.setObjectName("wallboardUpdated")
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(self.updated)
        self.tiles = TileGrid(large=True)
        self._target: QRect | None = None
        # More queues than the screen holds scroll instead of running off the screen.
        scroll = self.tiles.in_scroll_area("wallboardScroll")
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(scroll, 1)
        for keys in ("F11", "Esc"):
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(self.close)
            self.addAction(action)

    def show_snapshot(self, snapshot: Snapshot, names: dict[str, str]) -> None:
        before = len(self.tiles.tiles)
        self.tiles.show_snapshot(snapshot, names)
        if len(self.tiles.tiles) != before and self._target is not None:
            self._fit()  # the first figures (or a new queue) arrived: size the type again

    def fit_to(self, geometry: QRect) -> None:
        """Cover `geometry`, with type sized to it: the theme's sizes are for 1600×900; a smaller
        screen, or more queues than fit, get them scaled down until every tile is on screen."""
        self._target = geometry
        self.setGeometry(geometry)
        self._fit()

    def _fit(self) -> None:
        geometry = self._target
        assert geometry is not None
        self._set_type_scale(min(geometry.width() / 1600, geometry.height() / 900))
        layout = self.layout()
        margins = layout.contentsMargins() if layout is not None else QMargins()
        self.tiles.place(self.tiles.columns_for(geometry.width() - margins.left() - margins.right()))

    def _set_type_scale(self, scale: float) -> None:
        sizes = {"tileTitle": 28, "tileStateText": 22, "tileValue": 42, "tileCaption": 17, "tileAgents": 17}
        self.setStyleSheet("".join(
            f'QFrame#queueTile[large="true"] QLabel#{name} {{ font-size: {max(11, round(px * scale))}px; }}'
            for name, px in sizes.items()))

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.closed.emit()
        super().closeEvent(event)


__all__ = ["DashboardView", "Wallboard", "m"]
