"""The Diagnostics view lists what the feed skipped, checks the cache off the GUI thread, and clears."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from agent_desktop.services.attachments import AttachmentService
from agent_desktop.services.diagnostics import DiagnosticsService
from agent_desktop.store import Database
from agent_desktop.store.blobs import BlobStore
from agent_desktop.ui.diagnostics_dialog import DiagnosticsDialog
from tests.store.factories import apply_batch
from tests.sync.file_backend import FileBackend
from tests.ui.conftest import run_until


def test_diagnostics_lists_skipped_records(qtbot, loop, tmp_path):
    db = Database(tmp_path / "cache.sqlite3")
    bad = [{"entity": "conversation", "id": "bad-1", "op": "upsert", "data": {"status": "\u202eon fire"}},
           {"entity": "message", "id": "bad-2", "op": "upsert", "data": []}, "junk"]
    result = db.write_sync(apply_batch, bad, "7")
    assert result.invalid == 3
    dialog = DiagnosticsDialog(DiagnosticsService(db))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 3
    assert {dialog.table.item(r, 2).text() for r in range(3)} == {"bad-1", "bad-2", "?"}
    assert all("\u202e" not in dialog.table.item(r, 3).text() for r in range(3))
    run_until(loop, lambda: dialog.health is not None)
    assert dialog.health == "ok" and "healthy" in dialog.summary.text() and "3 record" in dialog.summary.text()
    dialog.copy.click()
    assert "bad-1" in QApplication.clipboard().text()
    dialog.clear.click()
    run_until(loop, lambda: dialog.table.rowCount() == 0)
    assert "No malformed records" in dialog.summary.text()
    db.close()


def test_diagnostics_shows_the_attachment_cache(qtbot, loop, tmp_path):
    db = Database(tmp_path / "cache.sqlite3")
    attachments = AttachmentService(db, FileBackend(), BlobStore(tmp_path / "attachments", db))
    service = DiagnosticsService(db, attachments)
    assert service.attachment_cache() == (0, 0)
    attachments.stage(b"a" * 1536, "a.txt")
    attachments.stage(b"b" * 2048 * 1024, "b.bin")
    assert service.attachment_cache() == (1536 + 2048 * 1024, 2)
    dialog = DiagnosticsDialog(service)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "Attachment cache: 2 MB in 2 file(s)." in dialog.summary.text()
    run_until(loop, lambda: dialog.health is not None)
    assert "Attachment cache: 2 MB in 2 file(s)." in dialog.summary.text()   # kept under the health line
    attachments.close()
    db.close()
