"""Files in the open conversation with the real AttachmentService on a real cache (the in-process
FileBackend serves the bytes): thumbnails after a download off the GUI thread, chips, offline,
viewer / preview / menu, the keyboard path, and the tray: attach, paste, too large, remove, send."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QMessageBox

from agent_desktop.services import attachments as attachments_module
from agent_desktop.services import transfers as transfers_module
from agent_desktop.services.conversations import ConversationService
from agent_desktop.services.errors import NetworkError
from agent_desktop.store import Database, outbox
from agent_desktop.store import blobs as blobs_module
from agent_desktop.ui.conversation_panel import ConversationPanel
from agent_desktop.ui.image_viewer import ImageViewer
from agent_desktop.ui.pdf_preview import PdfPreview
from agent_desktop.ui.thumbnails import SIZES
from tests.store.factories import apply, at, conversation, customer, message
from tests.sync import file_backend
from tests.ui.attachment_samples import drop_on, minimal_pdf, picture, png_bomb
from tests.ui.conftest import run_until


class OfflineFiles(file_backend.FileBackend):
    """The server cannot be reached while downloading (a named fault, as FileBackend's own)."""

    def download_attachment(self, *args, **kwargs) -> None:
        raise NetworkError("the server cannot be reached")


class Desk:
    """One agent's cache, conversation and attachment services, and the panel showing c-1."""

    def __init__(self, qtbot, tmp_path: Path, backend, *, bodies: int = 1) -> None:
        self.backend = backend
        self.db = Database(tmp_path / "cache.sqlite3")
        self.photo = backend.serve("a-photo", picture(1600, 1200, "JPEG"), name="photo.jpg", content_type="image/jpeg")
        self.bomb = backend.serve("a-bomb", png_bomb(), name="cute.png", content_type="image/png")
        self.pdf = backend.serve("a-pdf", minimal_pdf(2), name="invoice.pdf", content_type="application/pdf")
        self.exe = backend.serve("a-exe", b"MZ\x90\x00" + b"\x00" * 300, name="invoice\u202efdp.exe",
                                 content_type="application/x-msdownload")
        changes = [customer("cu-1", "Ana"), conversation("c-1", assignee_id="ag-1")]
        changes += [message(f"m-{n}", "c-1", f"line {n}\n" * 6, at(n)) for n in range(bodies)]
        changes += [message("m-files", "c-1", "photos and the invoice", at(100),
                            attachments=[a.to_wire() for a in (self.photo, self.bomb, self.pdf)]),
                    message("m-exe", "c-1", "and this", at(101), attachments=[self.exe.to_wire()])]
        apply(self.db, changes)
        self.transfers = transfers_module.Transfers()
        backend_limit = backend.max_bytes
        self.attachments = attachments_module.AttachmentService(
            self.db, backend, blobs_module.BlobStore(tmp_path / "attachments", self.db), transfers=self.transfers,
            agent={"id": "ag-1"})
        assert self.attachments.refresh_limits() == backend_limit   # as the session does on its worker
        self.conversations = ConversationService(self.db, {"id": "ag-1", "name": "Li"}, lambda: backend.capabilities)
        self.panel = ConversationPanel(self.conversations)
        qtbot.addWidget(self.panel)
        self.panel.resize(900, 700)
        self.panel.set_attachments(self.attachments, "")
        self.panel.show()
        qtbot.waitExposed(self.panel)
        self.panel.open("c-1")
        self.files = self.panel.thread_files

    def text(self) -> str:
        return self.panel.thread_view.toPlainText()

    def close(self) -> None:
        self.panel.stop_attachments()
        self.attachments.close()
        self.db.close()


@pytest.fixture
def desk(qtbot, tmp_path, loop):
    backend = file_backend.FileBackend(max_bytes=2_000_000)
    backend.gate = threading.Event()
    made = Desk(qtbot, tmp_path, backend, bodies=30)
    yield made
    backend.gate.set()
    made.close()


def test_files_download_off_the_gui_thread_then_show_as_thumbnails_and_chips(desk, loop):
    # The downloads wait at the server's gate: the GUI thread is free and says what is happening.
    assert desk.backend.download_started.wait(10)
    assert desk.text().count("downloading…") == 4
    bar = desk.panel.thread_view.verticalScrollBar()
    bar.setValue(bar.maximum() // 3)              # the agent reads older messages meanwhile
    kept = bar.value()
    desk.backend.gate.set()
    run_until(loop, lambda: not desk.files.busy and "downloading…" not in desk.text())
    run_until(loop, lambda: not desk.files.busy)
    text = desk.text()
    assert "photo.jpg · " in text and "Picture (JPEG)" in text
    assert "invoice.pdf · " in text and "· PDF" in text
    assert "invoicefdp.exe · 304 B · EXE file" in text and "\u202e" not in text
    assert "cannot show: The picture is too large to show (50,000 × 50,000 pixels)." in text
    assert bar.value() == kept                    # redrawn without moving the agent's place
    # The thumbnail is served from the cache (decoded scaled), kept on disk beside the blobs.
    photo_sha = hashlib.sha256(desk.backend.files["a-photo"]).hexdigest()
    thumb = desk.panel.thread_view.image_source(photo_sha, "thumb")
    assert thumb is not None and thumb.width() == 240 and thumb.height() == 180
    assert (desk.attachments.blobs.folder / "thumbs" / f"{photo_sha}-thumb.png").is_file()
    assert desk.backend.downloads == {"a-photo": 1, "a-bomb": 1, "a-pdf": 1, "a-exe": 1}
    # The e-mail body's inline size (a cid: picture, interfaces.md) is decoded on first ask.
    assert desk.panel.thread_view.image_source(photo_sha, "inline") is None
    run_until(loop, lambda: not desk.files.busy)
    inline = desk.panel.thread_view.image_source(photo_sha, "inline")
    assert inline is not None and inline.width() == SIZES["inline"].width()   # fits the thread's bubble
    assert desk.panel.thread_view.image_source("ee" * 32, "inline") is None      # never downloaded
    run_until(loop, lambda: not desk.files.busy)
    assert desk.panel.thread_view.image_source("ee" * 32, "inline") is None


def _downloaded(desk, loop):
    desk.backend.gate.set()
    run_until(loop, lambda: not desk.files.busy and "downloading…" not in desk.text())


def test_a_click_opens_the_viewer_the_preview_or_the_menu(desk, loop, qtbot, tmp_path):
    _downloaded(desk, loop)
    view = desk.panel.thread_view
    view.anchorClicked.emit(QUrl("agentdesktop://attachment/m-files/a-photo"))
    viewer = desk.files.viewer
    assert isinstance(viewer, ImageViewer) and viewer.isVisible()
    assert [item.name for item in viewer.items] == ["photo.jpg", "cute.png"] and viewer.index == 0
    run_until(loop, lambda: viewer.image is not None)
    viewer.close()

    view.anchorClicked.emit(QUrl("agentdesktop://attachment/m-files/a-pdf"))
    preview = desk.files.preview
    assert isinstance(preview, PdfPreview) and not preview.broken and preview.page_count() == 2
    preview.close()

    view.anchorClicked.emit(QUrl("agentdesktop://attachment/m-exe/a-exe"))
    menu = desk.files.menu
    assert [action.text() for action in menu.actions()] == ["Open", "Save as…"]
    asked: list[str] = []
    opened: list[str] = []
    actions = desk.files.actions
    actions.confirm = lambda box: asked.append(box.text()) or QMessageBox.StandardButton.No
    actions.open_url = lambda url: opened.append(url.toLocalFile()) or True
    declined: list[str] = []
    actions.failed.connect(declined.append)
    menu.actions()[0].trigger()
    run_until(loop, lambda: declined)
    assert opened == [] and "can run code" in asked[0]
    menu.close()

    folder = tmp_path / "saved"
    folder.mkdir()
    saved: list[str] = []
    actions.saved.connect(saved.append)
    actions.choose_save_path = lambda _parent, _title, suggested: str(folder / Path(suggested).name)
    view.anchorClicked.emit(QUrl("agentdesktop://attachment-save/m-files/a-pdf"))
    run_until(loop, lambda: saved)
    assert (folder / "invoice.pdf").read_bytes() == desk.backend.files["a-pdf"]


def test_the_keyboard_reaches_the_newest_files_and_enter_opens_them(desk, loop, qtbot):
    _downloaded(desk, loop)
    desk.panel.composer.editor.setFocus()
    desk.panel.activateWindow()
    qtbot.waitUntil(desk.panel.isActiveWindow)
    qtbot.keyClick(desk.panel.composer.editor, Qt.Key.Key_G,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    view = desk.panel.thread_view
    assert view.hasFocus()
    assert view.textCursor().charFormat().anchorHref() == "agentdesktop://attachment/m-exe/a-exe"
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert desk.files.menu is not None and desk.files.menu.isVisible()
    desk.files.menu.close()


def test_offline_files_say_so_and_a_click_tries_again(qtbot, tmp_path, loop):
    desk = Desk(qtbot, tmp_path, OfflineFiles(max_bytes=2_000_000))
    try:
        run_until(loop, lambda: not desk.files.busy and desk.text().count("not downloaded — offline") == 4)
        desk.backend.__class__ = file_backend.FileBackend      # the connection is back
        desk.panel.thread_view.anchorClicked.emit(QUrl("agentdesktop://attachment/m-files/a-pdf"))
        run_until(loop, lambda: not desk.files.busy and desk.text().count("not downloaded — offline") == 3)
        assert desk.attachments.local_path(desk.pdf) is not None
    finally:
        desk.close()


# -- the tray ----------------------------------------------------------------------------------------

def test_attach_paste_refuse_remove_and_send_files(desk, loop, qtbot, tmp_path):
    tray = desk.panel.tray
    assert tray.attach_button.isEnabled()
    report = tmp_path / "报告.txt"
    report.write_text("numbers")
    huge = tmp_path / "huge.bin"
    with huge.open("wb") as handle:
        handle.truncate(3_000_000)                   # over the 2 MB limit, never read
    chosen: list[str] = []
    tray.choose_files = lambda _parent, _title: chosen.append("asked") or [str(report), str(huge)]
    desk.panel.activateWindow()
    qtbot.waitUntil(desk.panel.isActiveWindow)
    qtbot.keyClick(desk.panel.composer.editor, Qt.Key.Key_I,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    run_until(loop, lambda: chosen and not tray.busy)     # a button's shortcut clicks it a moment later
    assert [f.name for f in tray.staged()] == ["报告.txt"]
    assert tray.message.text() == "“huge.bin” is not attached: it is larger than this server takes (1.9 MB per file)."

    shot = QImage(64, 48, QImage.Format.Format_RGB32)
    shot.fill(Qt.GlobalColor.darkCyan)
    QGuiApplication.clipboard().setImage(shot)
    desk.panel.composer.editor.setFocus()
    qtbot.keyClick(desk.panel.composer.editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    run_until(loop, lambda: not tray.busy and len(tray.staged()) == 2)
    pasted = tray.staged()[1]
    assert pasted.name.startswith("screenshot-") and pasted.name.endswith(".png")
    assert pasted.content_type == "image/png" and QImage(pasted.path).size() == shot.size()
    assert desk.panel.composer.editor.toPlainText() == ""

    # Keyboard removal: the first chip, Delete.
    chip = tray.chip_widgets()[0]
    chip.setFocus()
    qtbot.keyClick(chip, Qt.Key.Key_Delete)
    assert [f.name for f in tray.staged()] == [pasted.name]

    # A reply of the picture alone (no text): Ctrl+Enter sends it with the file, the tray empties.
    qtbot.keyClick(desk.panel.composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    run_until(loop, lambda: outbox.items(desk.db.reader()))
    [item] = outbox.items(desk.db.reader())
    assert [f["name"] for f in item.payload["files"]] == [pasted.name]
    assert tray.staged() == [] and tray.chip_widgets() == []


def test_a_dropped_file_is_staged_and_stays_with_its_conversation(desk, loop, tmp_path):
    tray = desk.panel.tray
    note = tmp_path / "note.txt"
    note.write_text("hi")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(note))])
    drop_on(desk.panel.composer.editor, mime)
    run_until(loop, lambda: not tray.busy and tray.staged())
    assert desk.panel.composer.editor.toPlainText() == ""      # a file, not its address as text
    tray.show_for("c-other")
    assert tray.staged() == []
    tray.show_for("c-1")
    assert [f.name for f in tray.staged()] == ["note.txt"]


def test_upload_progress_shows_with_cancel(desk, loop, qtbot):
    tray = desk.panel.tray
    worker = threading.Thread(target=lambda: desk.transfers.begin("key-1", 1000)(250, 1000))
    worker.start()
    worker.join()
    run_until(loop, lambda: "key-1" in tray.upload_rows and tray.upload_rows["key-1"].bar.value() == 25)
    row = tray.upload_rows["key-1"]
    assert row.label.text() == "Uploading files… 250 B of 1000 B"
    qtbot.mouseClick(row.cancel_button, Qt.MouseButton.LeftButton)
    run_until(loop, lambda: desk.transfers.is_cancelled("key-1"))
    desk.transfers.end("key-1", transfers_module.CANCELLED)
    run_until(loop, lambda: "key-1" not in tray.upload_rows)
    assert "Upload cancelled" in tray.message.text()


def test_without_the_capability_the_tray_is_greyed_out_with_the_reason(qtbot, tmp_path, loop):
    desk = Desk(qtbot, tmp_path, file_backend.FileBackend(attachments=False))
    try:
        tray = desk.panel.tray
        assert not tray.attach_button.isEnabled()
        assert tray.attach_button.toolTip() == "This server does not take attachments: send the file another way."
        assert desk.text().count("not downloaded — this server does not send files") == 4
    finally:
        desk.close()
