"""The picture viewer: one conversation's pictures, zoom, rotate, previous/next, all by keyboard.

Keys: + / - zoom, 0 fits the window, R rotates a quarter turn, ← / → the previous and next
picture, Esc closes. Every picture is decoded with `thumbnails.decode` (size checked before
decoding, allocation capped) on a worker, so a large photo never freezes the window and a
hostile one only shows why it is not shown.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut, QTransform
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..domain.text import safe_display
from .dialogs import button_row, resize_within_screen
from .tasks import spawn
from .thumbnails import decode

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.05, 16.0
# The most pixels one zoomed rendering may hold (~160 MB as 32-bit): 16× of a 2000×1500 photo
# would ask for gigabytes, twice (the scaled image and its pixmap).
MAX_RENDER_PIXELS = 40_000_000


@dataclass(frozen=True)
class ViewerItem:
    """One picture: the name to show (already a display name) and its cached file."""

    name: str
    path: Path | None


class ImageViewer(QDialog):
    picture_shown = Signal(int)     # the index whose decode finished (shown or refused)

    def __init__(self, items: list[ViewerItem], index: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageViewer")
        self.items = items
        self.index = max(0, min(index, len(items) - 1))
        self.zoom: float | None = None     # None: fit to the window
        self.rotation = 0
        self.image: QImage | None = None
        self.reason = ""
        self._generation = 0

        self.picture = QLabel()
        self.picture.setObjectName("viewerPicture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setWordWrap(True)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.picture)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel()
        self.caption.setObjectName("viewerCaption")
        self.caption.setTextFormat(Qt.TextFormat.PlainText)

        row, self.buttons = button_row("viewer", (("previous", self.tr("← Previous"), self.previous),
                                                  ("zoom_out", self.tr("Zoom out (-)"), self.zoom_out),
                                                  ("fit", self.tr("Fit (0)"), self.fit),
                                                  ("zoom_in", self.tr("Zoom in (+)"), self.zoom_in),
                                                  ("rotate", self.tr("Rotate (R)"), self.rotate),
                                                  ("next", self.tr("Next →"), self.next)),
                                       focus=Qt.FocusPolicy.TabFocus)
        row.addStretch(1)
        row.addWidget(self.caption)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.scroll_area, 1)

        for keys, slot in (("+", self.zoom_in), ("=", self.zoom_in), (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
                           ("-", self.zoom_out), (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
                           ("0", self.fit), ("R", self.rotate),
                           ("Left", self.previous), ("Right", self.next)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
        self.setWindowTitle(self.tr("Picture"))
        resize_within_screen(self, 900, 680)
        self.show_index(self.index)

    # -- moving through the pictures --------------------------------------------------------------
    def show_index(self, index: int) -> None:
        if not self.items:
            return
        self.index = index % len(self.items)
        self.zoom, self.rotation, self.image, self.reason = None, 0, None, ""
        self._generation += 1
        generation = self._generation
        item = self.items[self.index]
        self._update_caption()
        self.buttons["previous"].setEnabled(len(self.items) > 1)
        self.buttons["next"].setEnabled(len(self.items) > 1)
        if item.path is None:
            self._decoded(generation, None, self.tr("Not downloaded yet."))
            return
        self.picture.setText(self.tr("Loading…"))
        spawn(asyncio.to_thread(decode, item.path),
              on_done=lambda result: self._decoded(generation, result.image, result.reason),
              on_error=lambda error: self._decoded(generation, None, str(error)), owner=self)

    def next(self) -> None:
        self.show_index(self.index + 1)

    def previous(self) -> None:
        self.show_index(self.index - 1)

    def _decoded(self, generation: int, image: QImage | None, reason: str) -> None:
        if generation != self._generation:
            return   # the agent moved on: an older picture's answer is not shown over the new one
        self.image, self.reason = image, reason
        self._render()
        self.picture_shown.emit(self.index)

    # -- zoom and rotation ------------------------------------------------------------------------
    def zoom_in(self) -> None:
        self._set_zoom(self.effective_zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self.effective_zoom() / ZOOM_STEP)

    def fit(self) -> None:
        self.zoom = None
        self._render()

    def rotate(self) -> None:
        self.rotation = (self.rotation + 90) % 360
        self._render()

    def _set_zoom(self, zoom: float) -> None:
        highest = MAX_ZOOM
        if self.image is not None and not self.image.isNull():
            highest = min(highest, (MAX_RENDER_PIXELS / (self.image.width() * self.image.height())) ** 0.5)
        self.zoom = max(MIN_ZOOM, min(highest, zoom))
        self._render()

    def _rotated(self) -> QImage | None:
        if self.image is None:
            return None
        if not self.rotation:
            return self.image
        return self.image.transformed(QTransform().rotate(self.rotation), Qt.TransformationMode.SmoothTransformation)

    def effective_zoom(self) -> float:
        """The zoom shown now (when fitting: what fits the window, never above 1)."""
        if self.zoom is not None:
            return self.zoom
        image = self._rotated()
        if image is None or image.isNull():
            return 1.0
        area = self.scroll_area.viewport().size()
        return min(1.0, area.width() / max(1, image.width()), area.height() / max(1, image.height()))

    def shown_size(self) -> tuple[int, int]:
        pixmap = self.picture.pixmap()
        return (0, 0) if pixmap is None or pixmap.isNull() else (pixmap.width(), pixmap.height())

    def _render(self) -> None:
        image = self._rotated()
        if image is None:
            self.picture.setPixmap(QPixmap())
            self.picture.setText(self.reason or self.tr("This picture cannot be shown."))
            self._update_caption()
            return
        zoom = self.effective_zoom()
        width, height = max(1, round(image.width() * zoom)), max(1, round(image.height() * zoom))
        scaled = image.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio,
                              Qt.TransformationMode.SmoothTransformation)
        self.picture.setPixmap(QPixmap.fromImage(scaled))
        self.scroll_area.setWidgetResizable(self.zoom is None)
        self.picture.adjustSize()
        self._update_caption()

    def _update_caption(self) -> None:
        item = self.items[self.index] if self.items else None
        if item is None:
            return
        text = self.tr("%1 · %2 of %3").replace("%1", safe_display(item.name, 80)).replace(
            "%2", str(self.index + 1)).replace("%3", str(len(self.items)))
        if self.image is not None:
            text += f" · {round(self.effective_zoom() * 100)} %"
        self.caption.setText(text)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.zoom is None and self.image is not None:
            self._render()
