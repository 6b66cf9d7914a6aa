"""Today per hour, with QtCharts: contacts (answered / abandoned) and service level against its target."""

from __future__ import annotations

from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QWidget

from ...domain import metrics as m
from ...domain.timeutil import parse_iso


def combine(queues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sum the hourly series of several queues; service level weighted by contacts offered."""
    by_hour: dict[str, dict[str, float]] = {}
    for queue in queues:
        for point in queue.get("hourly") or []:
            slot = by_hour.setdefault(point["hour"], {"offered": 0, "answered": 0, "abandoned": 0, "met": 0.0})
            for key in ("offered", "answered", "abandoned"):
                slot[key] += point.get(key) or 0
            slot["met"] += (point.get("service_level") or 0) * (point.get("offered") or 0)
    return [{"hour": hour, "offered": s["offered"], "answered": s["answered"], "abandoned": s["abandoned"],
             "service_level": s["met"] / s["offered"] if s["offered"] else None}
            for hour, s in sorted(by_hour.items())]


def _hour_label(hour: str) -> str:
    try:
        return parse_iso(hour).astimezone().strftime("%H")
    except ValueError:
        return hour[11:13]


class HourlyCharts(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.contacts_chart = QChart()
        self.contacts_chart.setTitle(QCoreApplication.translate("Dashboard", "Contacts per hour today"))
        self.sl_chart = QChart()
        self.sl_chart.setTitle(QCoreApplication.translate("Dashboard", "Service level per hour today"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.views = []
        for chart in (self.contacts_chart, self.sl_chart):
            chart.setMargins(QMargins(4, 4, 4, 4))
            chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
            chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
            view = QChartView(chart)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(220)
            layout.addWidget(view)
            self.views.append(view)
        self.points: list[dict[str, Any]] = []
        self._small = QFont(self.font())
        self._small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.75))

    def show_series(self, points: list[dict[str, Any]]) -> None:
        self.points = points
        labels = [_hour_label(p["hour"]) for p in points]
        self._contacts(points, labels)
        self._service_level(points, labels)

    def _reset(self, chart: QChart) -> None:
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)

    def _contacts(self, points: list[dict[str, Any]], labels: list[str]) -> None:
        chart = self.contacts_chart
        self._reset(chart)
        answered = QBarSet(QCoreApplication.translate("Dashboard", "Answered"))
        answered.setColor(QColor("#2563eb"))
        abandoned = QBarSet(QCoreApplication.translate("Dashboard", "Abandoned"))
        abandoned.setColor(QColor("#dc2626"))
        waiting = QBarSet(QCoreApplication.translate("Dashboard", "Still waiting"))
        waiting.setColor(QColor("#94a3b8"))
        for p in points:
            answered.append(p.get("answered") or 0)
            abandoned.append(p.get("abandoned") or 0)
            waiting.append(max(0, (p.get("offered") or 0) - (p.get("answered") or 0) - (p.get("abandoned") or 0)))
        series = QStackedBarSeries()
        for bar_set in (answered, abandoned, waiting):
            series.append(bar_set)
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append(labels or [""])
        x.setLabelsVisible(False)  # 24 category labels do not fit: the hour axis below labels every third
        hours = QCategoryAxis()
        hours.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        hours.setRange(-0.5, max(0.5, len(points) - 0.5))
        for index, label in enumerate(labels):
            if index % 3 == 0:
                hours.append(label, index)
        hours.setLabelsFont(self._small)
        hours.setGridLineVisible(False)
        y = QValueAxis()
        y.setLabelFormat("%d")
        top = max((p.get("offered") or 0 for p in points), default=0)
        y.setRange(0, max(5, top * 1.1))
        y.applyNiceNumbers()   # ticks at 0/50/100/… instead of 72/145/217
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(hours, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)

    def _service_level(self, points: list[dict[str, Any]], labels: list[str]) -> None:
        chart = self.sl_chart
        self._reset(chart)
        line = QLineSeries()
        line.setName(QCoreApplication.translate("Dashboard", "Service level %"))
        line.setPen(QPen(QColor("#2563eb"), 2.5))
        target = QLineSeries()
        target.setName(QCoreApplication.translate("Dashboard", "Target %1 %").replace("%1", f"{m.SL_TARGET * 100:.0f}"))
        target.setPen(QPen(QColor("#16a34a"), 1.5, Qt.PenStyle.DashLine))
        for index, p in enumerate(points):
            if p.get("service_level") is not None:
                line.append(index, p["service_level"] * 100)
            target.append(index, m.SL_TARGET * 100)
        chart.addSeries(line)
        chart.addSeries(target)
        x = QCategoryAxis()
        x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        x.setRange(0, max(1, len(points) - 1))
        for index, label in enumerate(labels):
            if index % 3 == 0:
                x.append(label, index)
        x.setLabelsFont(self._small)
        y = QValueAxis()
        y.setRange(0, 100)
        y.setLabelFormat("%d%%")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for series in (line, target):
            series.attachAxis(x)
            series.attachAxis(y)
