"""The PDF preview: pages and zoom by keyboard, and a plain sentence for a broken or missing PDF."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtPdfWidgets import QPdfView

from agent_desktop.ui.pdf_preview import PdfPreview
from tests.ui.attachment_samples import minimal_pdf


def test_pages_and_zoom_by_keyboard(qtbot, tmp_path):
    path = tmp_path / "invoice.pdf"
    path.write_bytes(minimal_pdf(3))
    preview = PdfPreview("invoice\u202efdp.pdf", path)
    qtbot.addWidget(preview)
    preview.show()
    preview.activateWindow()
    qtbot.waitUntil(preview.isActiveWindow)   # shortcuts act in the active window
    assert not preview.broken and preview.page_count() == 3
    assert preview.page_label.text() == "Page 1 of 3"
    assert "\u202e" not in preview.windowTitle()
    assert not preview.buttons["previous"].isEnabled()
    qtbot.keyClick(preview, Qt.Key.Key_PageDown)
    qtbot.keyClick(preview, Qt.Key.Key_Right)
    assert preview.page() == 2 and preview.page_label.text() == "Page 3 of 3"
    assert not preview.buttons["next"].isEnabled()
    qtbot.keyClick(preview, Qt.Key.Key_PageDown)          # no page 4
    assert preview.page() == 2
    qtbot.keyClick(preview, Qt.Key.Key_PageUp)
    assert preview.page() == 1
    qtbot.keyClick(preview, Qt.Key.Key_Plus)
    assert preview.view.zoomMode() == QPdfView.ZoomMode.Custom and preview.view.zoomFactor() > 1.2
    qtbot.keyClick(preview, Qt.Key.Key_Minus)
    qtbot.keyClick(preview, Qt.Key.Key_Minus)
    assert preview.view.zoomFactor() < 1.0
    qtbot.keyClick(preview, Qt.Key.Key_0)
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitToWidth


def test_a_broken_pdf_says_so(qtbot, tmp_path):
    cases = {"damaged.pdf": b"%PDF-1.4\n1 0 obj <<", "exe-named.pdf": b"MZ\x90\x00" + b"\x00" * 200,
             "half.pdf": minimal_pdf(2)[:120]}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        preview = PdfPreview(name, tmp_path / name)
        qtbot.addWidget(preview)
        assert preview.broken, name
        assert preview.error.text().startswith("This PDF cannot be shown: the file is damaged or not really a PDF.")
        assert not any(button.isEnabled() for button in preview.buttons.values())
        qtbot.keyClick(preview, Qt.Key.Key_PageDown)       # nothing to move through, nothing breaks
    missing = PdfPreview("gone.pdf", tmp_path / "gone.pdf")
    qtbot.addWidget(missing)
    assert missing.broken and "the file is missing" in missing.error.text()
