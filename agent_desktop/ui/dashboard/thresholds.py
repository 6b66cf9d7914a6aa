"""Editing a queue's warning and critical thresholds (percentages shown as %, times in seconds)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ...domain import metrics as m
from .tile import metric_cells

PERCENT_METRICS = {"service_level", "abandon_rate", "fcr_rate", "occupancy"}
OFF = -1.0  # the spin box's lowest value means "not watched"


def _spin(metric: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(OFF, 100 if metric in PERCENT_METRICS else 1_000_000)
    spin.setDecimals(1 if metric in ("csat",) or metric in PERCENT_METRICS else 0)
    spin.setSingleStep(1 if metric != "csat" else 0.1)
    spin.setSpecialValueText(QCoreApplication.translate("Dashboard", "off"))
    spin.setSuffix(" %" if metric in PERCENT_METRICS else (" s" if metric.endswith("_s") else ""))
    return spin


class ThresholdsDialog(QDialog):
    def __init__(self, thresholds_for, queue_names: dict[str, str], queue_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(QCoreApplication.translate("Dashboard", "Thresholds"))
        self.thresholds_for = thresholds_for
        self.queue = QComboBox()
        for qid, name in queue_names.items():
            self.queue.addItem(name, qid)
        if queue_id:
            self.queue.setCurrentIndex(max(0, self.queue.findData(queue_id)))
        grid = QGridLayout()
        grid.addWidget(QLabel(QCoreApplication.translate("Dashboard", "Metric")), 0, 0)
        grid.addWidget(QLabel(QCoreApplication.translate("Dashboard", "Warning")), 0, 1)
        grid.addWidget(QLabel(QCoreApplication.translate("Dashboard", "Critical")), 0, 2)
        self.spins: dict[str, tuple[QDoubleSpinBox, QDoubleSpinBox]] = {}
        captions = {key: caption for key, caption, _ in metric_cells()}
        captions["agents_available"] = QCoreApplication.translate("Dashboard", "Agents available")
        for row, metric in enumerate(m.METRICS, start=1):
            label = QLabel(captions.get(metric, metric) + ("  ↓" if metric in m.HIGHER_IS_BETTER else "  ↑"))
            label.setToolTip(QCoreApplication.translate("Dashboard", "↓: alert when the value falls below; ↑: alert when it rises above"))
            warning, critical = _spin(metric), _spin(metric)
            label.setBuddy(warning)
            grid.addWidget(label, row, 0)
            grid.addWidget(warning, row, 1)
            grid.addWidget(critical, row, 2)
            self.spins[metric] = (warning, critical)
        self.error = QLabel()
        self.error.setObjectName("thresholdError")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.queue)
        layout.addLayout(grid)
        layout.addWidget(QLabel(QCoreApplication.translate("Dashboard", "A value exactly at a limit is still within it.")))
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.queue.currentIndexChanged.connect(self._load)
        self._load()

    def _load(self) -> None:
        current = self.thresholds_for(self.queue.currentData())
        for metric, (warning, critical) in self.spins.items():
            threshold = current.get(metric, m.Threshold())
            for spin, value in ((warning, threshold.warning), (critical, threshold.critical)):
                shown = OFF if value is None else value * (100 if metric in PERCENT_METRICS else 1)
                spin.setValue(shown)

    def values(self) -> dict[str, m.Threshold]:
        result = {}
        for metric, (warning, critical) in self.spins.items():
            def read(spin: QDoubleSpinBox, metric: str = metric) -> float | None:
                if spin.value() <= OFF:
                    return None
                return spin.value() / 100 if metric in PERCENT_METRICS else spin.value()
            result[metric] = m.Threshold(read(warning), read(critical))
        return result

    def _accept(self) -> None:
        try:
            for metric, threshold in self.values().items():
                m.check_threshold(metric, threshold)
        except m.InvalidThreshold as exc:
            self.error.setText(str(exc))
            return
        self.accept()
