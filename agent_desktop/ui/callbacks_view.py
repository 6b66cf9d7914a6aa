"""Callbacks (回访): the agent's scheduled calls ordered by due time, due ones first and marked,
with outcomes done / no answer / reschedule, and the dialog to schedule one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.business_hours import DEFAULT as DEFAULT_HOURS
from ..domain.business_hours import BusinessHours
from ..domain.text import safe_display
from ..domain.timeutil import parse_iso, utcnow
from ..services.callbacks import CallbackService, is_due
from . import formatting
from .keyboard import submit_with_ctrl_enter, tab_moves_focus
from .tasks import spawn

ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2


def to_qdatetime(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


def from_qdatetime(value: QDateTime) -> datetime:
    from datetime import UTC

    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


class WhenEdit(QDateTimeEdit):
    """Date and time in the app's locale format. Tab leaves the field (← → and ↑ ↓ edit its
    parts), so Tab from "When" reaches the note instead of walking year → month → day."""

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802 - Qt override
        return QWidget.focusNextPrevChild(self, forward)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            self.focusNextPrevChild(event.key() == Qt.Key.Key_Tab
                                    and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            return
        super().keyPressEvent(event)


def default_callback_time(hours: BusinessHours, now: datetime | None = None) -> datetime:
    """In an hour, on the next quarter hour, moved into the queue's business hours."""
    moment = (now or utcnow()) + timedelta(hours=1)
    moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=(-moment.minute) % 15)
    return hours.at_least(moment)


class ScheduleDialog(QDialog):
    """When (local time, inside the queue's business hours by default) and a note, which is
    required: the colleague who makes the call reads it first. Used to schedule and reschedule."""

    def __init__(self, title: str, *, when: datetime | None = None, note: str = "",
                 hours: BusinessHours = DEFAULT_HOURS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("scheduleDialog")
        self.hours = hours
        self.when = WhenEdit(to_qdatetime(when or default_callback_time(hours)))
        self.when.setObjectName("callbackWhen")
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat(QLocale().dateTimeFormat(QLocale.FormatType.ShortFormat))
        self.hours_hint = QLabel()
        self.hours_hint.setObjectName("dialogHint")
        self.hours_hint.setWordWrap(True)
        self.note = QPlainTextEdit(note)
        self.note.setObjectName("callbackNote")
        self.note.setPlaceholderText(self.tr("What to check with the customer (required)"))
        tab_moves_focus(self.note)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("When"), self.when)
        form.addRow(self.hours_hint)
        form.addRow(self.tr("Note"), self.note)
        form.addRow(self.error)
        form.addRow(buttons)
        submit_with_ctrl_enter(self, self._accept)
        self.when.dateTimeChanged.connect(self._show_hours)
        self._show_hours()

    def moment(self) -> datetime:
        return from_qdatetime(self.when.dateTime())

    def _show_hours(self) -> None:
        hours = self.hours
        text = self.tr("Business hours: %1, %2–%3 (%4)").replace("%1", formatting.weekdays(hours.days)).replace(
            "%2", hours.opens.strftime("%H:%M")).replace("%3", hours.closes.strftime("%H:%M")).replace(
            "%4", hours.timezone)
        if not hours.is_open(self.moment()):
            text += " · " + self.tr("this time is outside them: the customer may not be reached")
        self.hours_hint.setText(text)

    def _accept(self) -> None:
        if self.moment() <= utcnow():
            self.error.setText(self.tr("Choose a time in the future."))
            self.when.setFocus()
            return
        if not self.note.toPlainText().strip():
            self.error.setText(self.tr("Write what the call is about: the colleague who calls reads it first."))
            self.note.setFocus()
            return
        self.accept()


class CallbacksView(QWidget):
    conversation_requested = Signal(str)
    customer_requested = Signal(str)
    callback_due = Signal(object)   # the callback row that just became due

    def __init__(self, service: CallbackService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setObjectName("callbacksView")
        self.summary = QLabel()
        self.summary.setObjectName("sectionTitle")
        self.list = QListWidget()
        self.list.setObjectName("callbackList")
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        self.list.itemActivated.connect(self._open)
        self.list.itemDoubleClicked.connect(self._open)
        self.done = QPushButton(self.tr("Done"))
        self.done.setObjectName("callbackDone")
        self.done.setToolTip(self.tr("Called, the customer is satisfied"))
        self.no_answer = QPushButton(self.tr("No answer"))
        self.no_answer.setObjectName("callbackNoAnswer")
        self.reschedule = QPushButton(self.tr("Reschedule…"))
        self.reschedule.setObjectName("callbackReschedule")
        self.done.clicked.connect(lambda: self.outcome("done"))
        self.no_answer.clicked.connect(lambda: self.outcome("no_answer"))
        self.reschedule.clicked.connect(self._reschedule)
        self.done.setShortcut(QKeySequence("Alt+D"))
        self.no_answer.setShortcut(QKeySequence("Alt+N"))
        self.reschedule.setShortcut(QKeySequence("Alt+R"))
        buttons = QHBoxLayout()
        for button in (self.done, self.no_answer, self.reschedule):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._announced: set[str] = set()
        self._timer = QTimer(self, interval=15_000)   # reminders: checked locally, works offline
        self._timer.timeout.connect(self.check_due)
        self._timer.start()
        self.reload()

    def stop(self) -> None:
        self._timer.stop()

    def rows(self) -> list[dict[str, Any]]:
        return [self.list.item(i).data(ROW_ROLE) for i in range(self.list.count())]

    def reload(self) -> None:
        selected = self._current_id()
        now = utcnow()
        items = self.service.callbacks()
        self.list.clear()
        due = 0
        for row in items:
            overdue = is_due(row, now)
            due += overdue
            when = formatting.local_time(row["due_at"])
            seconds = (parse_iso(row["due_at"]) - now).total_seconds()
            mark = "⚠ " if overdue else ""
            reason = ""
            if row.get("reason") == "csat":
                score = row.get("csat_score")
                reason = (self.tr("CSAT %1/5 follow-up").replace("%1", str(score)) if score is not None
                          else self.tr("CSAT follow-up"))
            name = safe_display(row.get("customer_name"), 40) or self.tr("Unknown customer")
            head = f"{mark}{when} ({formatting.countdown(seconds)})  ·  {name}"
            if reason:
                head += f"  ·  {reason}"
            if row.get("pending_key"):
                head += "  ·  " + self.tr("not synced yet")
            text = head + "\n" + safe_display(row.get("note"), 120)
            entry = QListWidgetItem(text)
            entry.setData(ID_ROLE, row["id"])
            entry.setData(ROW_ROLE, row)
            if overdue:
                entry.setForeground(QBrush(QColor("#b91c1c")))
            self.list.addItem(entry)
            if row["id"] == selected:
                self.list.setCurrentItem(entry)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self.summary.setText(self.tr("%1 callbacks · %2 due now").replace("%1", str(len(items)))
                             .replace("%2", str(due)))
        for button in (self.done, self.no_answer, self.reschedule):
            button.setEnabled(bool(items))

    def check_due(self) -> list[dict[str, Any]]:
        """Announce callbacks that became due since the last check (once each); returns them."""
        fresh = [row for row in self.service.due_callbacks() if row["id"] not in self._announced]
        for row in fresh:
            self._announced.add(row["id"])
            self.callback_due.emit(row)
        if fresh:
            self.reload()
        return fresh

    def _current_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def _current(self) -> dict[str, Any] | None:
        item = self.list.currentItem()
        return item.data(ROW_ROLE) if item is not None else None

    def outcome(self, outcome: str, due_at: datetime | None = None, note: str = "") -> None:
        row = self._current()
        if row is None:
            return
        spawn(self.service.callback_outcome(row["id"], outcome, due_at=due_at, note=note),
              on_done=lambda _k: self.reload(), on_error=self._failed)

    def _reschedule(self) -> None:
        row = self._current()
        if row is None:
            return
        dialog = ScheduleDialog(self.tr("Reschedule callback"), note="", parent=self)

        def finished(code: int) -> None:
            if code == QDialog.DialogCode.Accepted:
                self.outcome("reschedule", dialog.moment(), dialog.note.toPlainText())

        dialog.finished.connect(finished)
        dialog.open()

    def _open(self, item: QListWidgetItem) -> None:
        row = item.data(ROW_ROLE)
        if row.get("conversation_id"):
            self.conversation_requested.emit(row["conversation_id"])
        else:
            self.customer_requested.emit(row["customer_id"])

    def _failed(self, error: BaseException) -> None:
        QMessageBox.information(self, self.tr("Callback not changed"), str(error))
