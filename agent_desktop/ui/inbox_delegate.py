"""Paints one inbox row: who, what, how long they waited, and how much SLA time is left."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ..domain.text import safe_display
from ..domain.timeutil import utcnow
from ..domain.triage import Urgency, urgency
from . import formatting
from .inbox_model import ROW_ROLE
from .resources import icon

ROW_HEIGHT = 64
PRIORITY_COLOURS = {"urgent": "#dc2626", "high": "#f59e0b"}
URGENCY_COLOURS = {Urgency.BREACHED_NOW: "#dc2626", Urgency.DUE_SOON: "#d97706", Urgency.ON_TRACK: "#15803d",
                   Urgency.BACKLOG: "#9f5f5f", Urgency.LIVE: "#475569"}
LIVE_COLOUR, LIVE_BACKGROUND = "#0e7490", "#ecfeff"
TIER_BADGE = {"vip": ("#b45309", "#fef3c7"), "key_account": ("#1d4ed8", "#dbeafe")}



def second_line(subject: str, preview: str) -> str:
    """"subject · preview", said once where one repeats the other (a chat's subject is often its
    first message, which is also the preview until someone replies)."""
    if subject and preview:
        if preview.startswith(subject) or subject.startswith(preview):
            return preview if len(preview) >= len(subject) else subject
        return f"{subject} · {preview}"
    return subject or preview

class _Fonts:
    """The row's fonts and their metrics, made once per base font rather than per painted row
    (building QFont/QFontMetrics was a third of the paint time in the benchmark's profile)."""

    def __init__(self, base: QFont) -> None:
        self.base = QFont(base)
        self.bold = QFont(base)
        self.bold.setBold(True)
        self.small = QFont(base)
        self.small.setPointSizeF(max(7.0, base.pointSizeF() - 1))
        self.base_metrics = QFontMetrics(self.base)
        self.bold_metrics = QFontMetrics(self.bold)
        self.small_metrics = QFontMetrics(self.small)


class InboxDelegate(QStyledItemDelegate):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.now: datetime = utcnow()
        self._fonts: dict[str, _Fonts] = {}

    def _fonts_for(self, font: QFont) -> _Fonts:
        key = font.key()
        fonts = self._fonts.get(key)
        if fonts is None:
            fonts = self._fonts[key] = _Fonts(font)
        return fonts

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(320, ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if not row:
            return
        painter.save()
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        background = palette.color(QPalette.ColorRole.Highlight) if selected else palette.color(QPalette.ColorRole.Base)
        level = urgency(row, self.now)
        if selected:
            background = QColor("#dbeafe")
        elif level == Urgency.LIVE:
            background = QColor(LIVE_BACKGROUND)   # a customer waiting on the line now
        painter.fillRect(rect, background)
        painter.setPen(QColor("#e5e7eb"))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())

        colour = PRIORITY_COLOURS.get(row.get("priority") or "")
        if colour:
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), QColor(colour))

        pad = 10
        icon(row.get("channel") or "web").paint(painter, QRect(rect.left() + pad, rect.top() + 12, 20, 20))
        left = rect.left() + pad + 28
        right = rect.right() - pad

        fonts = self._fonts_for(option.font)
        base_font, bold, small = fonts.base, fonts.bold, fonts.small

        # Right column: SLA countdown on top, waiting time below.
        due = row.get("sla_due")
        left_seconds = formatting.seconds_until(due, self.now)
        sla_text = formatting.countdown(left_seconds) if left_seconds is not None else ""
        if level == Urgency.BREACHED_NOW:
            sla_text = "⚠ " + sla_text
        # Long-overdue backlog in a quieter weight and colour: red stays for what is urgent now.
        painter.setFont(base_font if level == Urgency.BACKLOG else bold)
        sla_metrics = fonts.base_metrics if level == Urgency.BACKLOG else fonts.bold_metrics
        sla_width = sla_metrics.horizontalAdvance(sla_text) if sla_text else 0
        if sla_text:
            painter.setPen(QColor(URGENCY_COLOURS.get(level, "#475569")))
            painter.drawText(QRect(right - sla_width, rect.top() + 8, sla_width, 20),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, sla_text)

        waited = formatting.seconds_until(row.get("waiting_since"), self.now)
        wait_text = formatting.age(-waited) if waited is not None else formatting.status_label(row.get("status", ""))
        if level == Urgency.LIVE:
            wait_text = QCoreApplication.translate("InboxDelegate", "● waiting now %1").replace("%1", wait_text)
        painter.setFont(bold if level == Urgency.LIVE else small)
        small_metrics = fonts.small_metrics
        wait_width = (fonts.bold_metrics if level == Urgency.LIVE else small_metrics).horizontalAdvance(wait_text)
        painter.setPen(QColor(LIVE_COLOUR if level == Urgency.LIVE else "#64748b"))
        painter.drawText(QRect(right - wait_width, rect.top() + 34, wait_width, 20),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, wait_text)

        # Top line: customer name and tier badge.
        metrics = fonts.bold_metrics
        name_right = right - max(sla_width, 0) - 12
        name = safe_display(row.get("customer_name"), 80) or formatting.unknown_customer()
        painter.setFont(bold)
        painter.setPen(QColor("#0f172a"))
        tier = row.get("customer_tier")
        badge = formatting.tier_label(tier) if tier in TIER_BADGE else ""
        badge_width = small_metrics.horizontalAdvance(badge) + 10 if badge else 0
        name_space = max(20, name_right - left - (badge_width + 6 if badge else 0))
        elided = metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_space)
        painter.drawText(QRect(left, rect.top() + 8, name_space, 20),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)
        if badge:
            x = left + metrics.horizontalAdvance(elided) + 6
            fg, bg = TIER_BADGE[tier]
            badge_rect = QRect(x, rect.top() + 10, badge_width, 16)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(bg))
            painter.drawRoundedRect(badge_rect, 4, 4)
            painter.setPen(QColor(fg))
            painter.setFont(small)
            painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)

        # Second line: subject · preview.
        subject = safe_display(row.get("subject"), 200)
        preview = safe_display(row.get("preview"), 200)
        line = second_line(subject, preview)
        painter.setFont(base_font)
        painter.setPen(QColor("#334155"))
        text_space = max(20, right - wait_width - 12 - left)
        painter.drawText(QRect(left, rect.top() + 34, text_space, 20),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fonts.base_metrics.elidedText(line, Qt.TextElideMode.ElideRight, text_space))
        painter.restore()
