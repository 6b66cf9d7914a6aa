"""A PDF from a customer, previewed with QtPdf: pages, zoom, and a plain error for a broken file.

QtPdf renders with PDFium built without JavaScript and fetches nothing, so a hostile PDF can
at worst fail to open; that shows as a sentence, never an empty window. Keys: Page Up / Page
Down (or ← / →) move a page, + / - zoom, 0 fits the width, Esc closes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QDialog, QLabel, QStackedWidget, QVBoxLayout, QWidget

from ..domain.text import safe_display
from .dialogs import button_row, resize_within_screen

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.1, 8.0


class PdfPreview(QDialog):
    def __init__(self, name: str, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreview")
        self.setWindowTitle(safe_display(name, 80))
        self.document = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setObjectName("pdfView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.error = QLabel()
        self.error.setObjectName("pdfError")
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.error)
        self.page_label = QLabel()
        self.page_label.setObjectName("pdfPage")

        row, self.buttons = button_row("pdf", (("previous", self.tr("← Previous page"), self.previous_page),
                                               ("next", self.tr("Next page →"), self.next_page),
                                               ("zoom_out", self.tr("Zoom out (-)"), self.zoom_out),
                                               ("fit", self.tr("Fit width (0)"), self.fit_width),
                                               ("zoom_in", self.tr("Zoom in (+)"), self.zoom_in)))
        row.addStretch(1)
        row.addWidget(self.page_label)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.stack, 1)
        for keys, slot in (("PgDown", self.next_page), ("Right", self.next_page), ("PgUp", self.previous_page),
                           ("Left", self.previous_page), ("+", self.zoom_in), ("=", self.zoom_in),
                           ("-", self.zoom_out), ("0", self.fit_width)):
            QShortcut(QKeySequence(keys), self).activated.connect(slot)
        self.view.pageNavigator().currentPageChanged.connect(lambda _page: self._update_page())
        resize_within_screen(self, 820, 900)
        self._open(path)

    def _open(self, path: Path) -> None:
        # A local file of at most the server's limit: PDFium reads its cross-reference table, not every page.
        failure = self.document.load(str(path))
        ok = failure == QPdfDocument.Error.None_ and self.document.pageCount() > 0
        if not ok:
            self.error.setText(self.tr("This PDF cannot be shown: %1\n\nSave it to open it in another program.")
                               .replace("%1", self._reason(failure)))
            self.stack.setCurrentWidget(self.error)
        for button in self.buttons.values():
            button.setEnabled(ok)
        self._update_page()

    def _reason(self, failure: QPdfDocument.Error) -> str:
        errors = QPdfDocument.Error
        return {errors.FileNotFound: self.tr("the file is missing."),
                errors.InvalidFileFormat: self.tr("the file is damaged or not really a PDF."),
                errors.IncorrectPassword: self.tr("it is protected by a password."),
                errors.UnsupportedSecurityScheme: self.tr("it is protected in a way this app cannot open."),
                }.get(failure, self.tr("it could not be read."))

    @property
    def broken(self) -> bool:
        return self.stack.currentWidget() is self.error

    def page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def page_count(self) -> int:
        return self.document.pageCount()

    def _jump(self, page: int) -> None:
        if not self.broken and 0 <= page < self.page_count():
            self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
            self._update_page()

    def next_page(self) -> None:
        self._jump(self.page() + 1)

    def previous_page(self) -> None:
        self._jump(self.page() - 1)

    def zoom_in(self) -> None:
        self._zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom(1 / ZOOM_STEP)

    def _zoom(self, factor: float) -> None:
        if self.broken:
            return
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(MIN_ZOOM, min(MAX_ZOOM, self.view.zoomFactor() * factor)))

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def _update_page(self) -> None:
        if self.broken:
            self.page_label.setText("")
            return
        self.page_label.setText(self.tr("Page %1 of %2").replace("%1", str(self.page() + 1))
                                .replace("%2", str(self.page_count())))
        self.buttons["previous"].setEnabled(self.page() > 0)
        self.buttons["next"].setEnabled(self.page() < self.page_count() - 1)
