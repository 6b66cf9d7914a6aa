"""A queue opened from its tile: who waits, who works it; reassign a conversation, move an agent."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.text import safe_display
from ...domain.timeutil import parse_iso, utcnow
from ...services.dashboard import DashboardService
from ...services.errors import BackendError
from ..formatting import channel_label
from ..tasks import spawn
from .tile import duration


def _item(text: str, data: Any = None) -> QTableWidgetItem:
    item = QTableWidgetItem(safe_display(text or "", 120) if isinstance(text, str) else str(text))
    item.setToolTip(item.text())  # the whole text of an elided cell
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def state_name(state: str) -> str:
    return {"available": QCoreApplication.translate("Dashboard", "Available"), "busy": QCoreApplication.translate("Dashboard", "Busy"), "acw": QCoreApplication.translate("Dashboard", "After-contact work"),
            "break": QCoreApplication.translate("Dashboard", "Break"), "offline": QCoreApplication.translate("Dashboard", "Offline")}.get(state, state)


class ReassignDialog(QDialog):
    def __init__(self, agents: list[dict[str, Any]], queues: dict[str, str], current_queue: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(QCoreApplication.translate("Dashboard", "Reassign conversation"))
        self.agent = QComboBox()
        self.agent.addItem(QCoreApplication.translate("Dashboard", "Nobody: back to the queue"), None)
        for agent in agents:
            self.agent.addItem(f"{agent['name']} · {state_name(agent['state'])}", agent["id"])
        self.queue = QComboBox()
        for queue_id, name in queues.items():
            self.queue.addItem(name, queue_id)
        self.queue.setCurrentIndex(max(0, self.queue.findData(current_queue)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(QCoreApplication.translate("Dashboard", "&Agent"), self.agent)
        form.addRow(QCoreApplication.translate("Dashboard", "&Queue"), self.queue)
        form.addRow(buttons)


class AgentQueuesDialog(QDialog):
    def __init__(self, agent: dict[str, Any], queues: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(QCoreApplication.translate("Dashboard", "Queues of %1").replace("%1", agent["name"]))
        self.list = QListWidget()
        for queue_id, name in queues.items():
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, queue_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if queue_id in agent["queue_ids"] else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(QCoreApplication.translate("Dashboard", "Space ticks a queue; the agent gets its work from the ticked queues.")))
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def queue_ids(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]


class QueueDrillDown(QDialog):
    """Lead actions go straight to the server (online only) and the result arrives through sync."""

    changed = Signal()

    def __init__(self, service: DashboardService, queue_id: str, queue_names: dict[str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.queue_id = queue_id
        self.queue_names = queue_names
        self.setWindowTitle(QCoreApplication.translate("Dashboard", "Queue: %1").replace("%1", queue_names.get(queue_id, queue_id)))
        self.resize(1000, 560)
        self.waiting = QTableWidget(0, 5)
        self.waiting.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.waiting.setObjectName("drillWaiting")
        self.waiting.setHorizontalHeaderLabels([QCoreApplication.translate("Dashboard", "Waiting for"), QCoreApplication.translate("Dashboard", "Channel"), QCoreApplication.translate("Dashboard", "Customer"), QCoreApplication.translate("Dashboard", "Subject"),
                                                QCoreApplication.translate("Dashboard", "Assignee")])
        self.agents = QTableWidget(0, 3)
        self.agents.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.agents.setObjectName("drillAgents")
        self.agents.setHorizontalHeaderLabels([QCoreApplication.translate("Dashboard", "Agent"), QCoreApplication.translate("Dashboard", "State"), QCoreApplication.translate("Dashboard", "Queues")])
        for table, stretched in ((self.waiting, 3), (self.agents, 2)):
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            table.verticalHeader().setVisible(False)
            # Short columns keep their width; the subject (or queue list) takes what is left and
            # elides, so a long subject never pushes the table into sideways scrolling.
            table.setWordWrap(False)
            table.setTextElideMode(Qt.TextElideMode.ElideRight)
            table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            header = table.horizontalHeader()
            for column in range(table.columnCount()):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == stretched
                                            else QHeaderView.ResizeMode.ResizeToContents)
        self.reassign_button = QPushButton(QCoreApplication.translate("Dashboard", "&Reassign…"))
        self.reassign_button.clicked.connect(self.reassign_selected)
        self.move_button = QPushButton(QCoreApplication.translate("Dashboard", "&Change queues…"))
        self.move_button.clicked.connect(self.move_selected)
        for button in (self.reassign_button, self.move_button):
            button.setEnabled(service.is_lead)
            if not service.is_lead:
                button.setToolTip(QCoreApplication.translate("Dashboard", "Only team leads can do this"))
        self.message = QLabel()
        self.message.setObjectName("drillMessage")
        self.message.setWordWrap(True)
        left = QVBoxLayout()
        left.addWidget(QLabel(QCoreApplication.translate("Dashboard", "Waiting conversations (longest first)")))
        left.addWidget(self.waiting, 1)
        left.addWidget(self.reassign_button, 0, Qt.AlignmentFlag.AlignLeft)
        right = QVBoxLayout()
        right.addWidget(QLabel(QCoreApplication.translate("Dashboard", "Agents of this queue")))
        right.addWidget(self.agents, 1)
        right.addWidget(self.move_button, 0, Qt.AlignmentFlag.AlignLeft)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.reload()

    def reload(self) -> None:
        """Refill both tables, keeping the selected conversation and agent selected."""
        keep_conversation = self._selected(self.waiting) if self.waiting.rowCount() else None
        keep_agent = self._selected(self.agents) if self.agents.rowCount() else None
        now = utcnow()
        rows = self.service.waiting_conversations(self.queue_id)
        self.waiting.setRowCount(len(rows))
        for r, row in enumerate(rows):
            since = row["waiting_since"] or row["created_at"]
            try:
                waited = duration((now - parse_iso(since)).total_seconds())
            except (TypeError, ValueError):
                waited = "—"
            values = (waited, channel_label(row["channel"] or ""), row["customer_name"] or "", row["subject"] or "",
                      row["assignee_name"] or QCoreApplication.translate("Dashboard", "unassigned"))
            for c, value in enumerate(values):
                self.waiting.setItem(r, c, _item(value, row["id"] if c == 0 else None))
        agents = [a for a in self.service.queue_agents(self.queue_id) if a["role"] != "lead"]
        self.agents.setRowCount(len(agents))
        for r, agent in enumerate(agents):
            queues = ", ".join(self.queue_names.get(q, q) for q in agent["queue_ids"])
            for c, value in enumerate((agent["name"], state_name(agent["state"]), queues)):
                self.agents.setItem(r, c, _item(value, agent if c == 0 else None))
        ids = [row["id"] for row in rows]
        self.waiting.selectRow(ids.index(keep_conversation) if keep_conversation in ids else 0)
        agent_ids = [agent["id"] for agent in agents]
        kept = keep_agent["id"] if isinstance(keep_agent, dict) else None
        self.agents.selectRow(agent_ids.index(kept) if kept in agent_ids else 0)

    def _selected(self, table: QTableWidget) -> Any:
        row = table.currentRow()
        item = table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def reassign_selected(self) -> None:
        conversation_id = self._selected(self.waiting)
        if not conversation_id:
            self.message.setText(QCoreApplication.translate("Dashboard", "Select a waiting conversation first."))
            return
        agents = [a for a in self.service.queue_agents() if a["role"] != "lead"]
        dialog = ReassignDialog(agents, self.queue_names, self.queue_id, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        queue = dialog.queue.currentData()
        self._run(self.service.reassign(conversation_id, dialog.agent.currentData(),
                                        queue if queue != self.queue_id else None),
                  QCoreApplication.translate("Dashboard", "Conversation reassigned."))

    def move_selected(self) -> None:
        agent = self._selected(self.agents)
        if not agent:
            self.message.setText(QCoreApplication.translate("Dashboard", "Select an agent first."))
            return
        dialog = AgentQueuesDialog(agent, self.queue_names, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self._run(self.service.set_agent_queues(agent["id"], dialog.queue_ids()), QCoreApplication.translate("Dashboard", "Queues changed."))

    def _run(self, coro: Any, done_text: str) -> None:
        self.message.setText(QCoreApplication.translate("Dashboard", "Sending…"))

        def done(_result: Any) -> None:
            self.message.setText(done_text)
            self.changed.emit()

        def failed(error: BaseException) -> None:
            reason = str(error) if isinstance(error, BackendError) else repr(error)
            self.message.setText(QCoreApplication.translate("Dashboard", "Not changed: %1").replace("%1", reason))

        spawn(coro, on_error=failed, on_done=done)
