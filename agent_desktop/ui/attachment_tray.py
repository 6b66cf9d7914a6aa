"""Files the agent attaches to a reply: the Attach button, drag-and-drop and Ctrl+V of a picture
onto the composer, a tray of chips (each removable with × or Delete), and the uploads of sent
replies with their progress and a Cancel button.

Staging copies a file into the cache (`AttachmentService.stage`): it runs on a worker, so a
large file never freezes the window, and a file over the server's limit is refused before it is
read, with the limit said. Each conversation keeps its own staged files while the agent looks
at another. Without `Capability.ATTACHMENTS` everything here is greyed out with the reason.
The composer is not changed: drops and pastes reach the tray through an event filter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QObject, Qt, Signal
from PySide6.QtGui import QDragMoveEvent, QDropEvent, QGuiApplication, QImage, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.attachments import MAX_ATTACHMENTS_PER_MESSAGE, InvalidAttachment, display_name, human_size
from .attachment_actions import chip_text
from .tasks import spawn

if TYPE_CHECKING:
    from ..backends.protocols import OutgoingFile
    from ..services.attachments import AttachmentService

ATTACH_KEYS = "Ctrl+Shift+I"     # Ctrl+Shift+A is "Assign to me" (ui/conversation_header.py)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide6's stubs miss the QIODevice form
    return bytes(data.data())


def screenshot_name(now: datetime | None = None) -> str:
    return f"screenshot-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S')}.png"


class AttachmentChip(QFrame):
    """One staged file: its name as it really reads, size and kind, and × to remove it.
    Focusable: Delete or Backspace removes it too."""

    remove_requested = Signal()

    def __init__(self, text: str, name: str, *, pending: bool = False) -> None:
        super().__init__()
        self.setObjectName("attachmentChip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.label = QLabel(text)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.remove_button = QToolButton()
        self.remove_button.setText("×")
        self.remove_button.setObjectName("removeAttachment")
        self.remove_button.setAccessibleName(self.tr("Remove %1").replace("%1", display_name(name)))
        self.remove_button.setToolTip(self.tr("Remove (Delete)"))
        self.remove_button.setEnabled(not pending)
        self.remove_button.clicked.connect(self.remove_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 1, 2, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.remove_button)
        self.setAccessibleName(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.remove_button.isEnabled():
            self.remove_requested.emit()
            return
        super().keyPressEvent(event)


class UploadRow(QWidget):
    """A sent reply's files on their way: how far, and Cancel."""

    def __init__(self, key: str, cancel: Callable[[str], None]) -> None:
        super().__init__()
        self.key = key
        self.label = QLabel(self.tr("Uploading files…"))
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setMaximumHeight(14)
        self.cancel_button = QPushButton(self.tr("Cancel upload"))
        self.cancel_button.setObjectName("cancelUpload")
        self.cancel_button.clicked.connect(lambda: cancel(key))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)

    def show_progress(self, sent: int, total: int) -> None:
        self.bar.setValue(int(100 * sent / total) if total > 0 else 0)
        self.label.setText(self.tr("Uploading files… %1 of %2").replace("%1", human_size(sent))
                           .replace("%2", human_size(total)))


class _TransferBridge(QObject):
    """The service reports uploads on the sync worker; a signal carries them to the GUI thread."""

    changed = Signal(object)


class AttachmentTray(QWidget):
    changed = Signal()                 # staged files added or removed
    message_changed = Signal(str)      # the tray's last message (a refusal, a failed staging)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentTray")
        self.service: AttachmentService | None = None
        self.conversation_id: str | None = None
        self._staged: dict[str, list[OutgoingFile]] = {}
        self._pending: dict[str, list[str]] = {}     # conversation id -> names still being staged
        self.choose_files: Callable[[QWidget, str], list[str]] = (
            lambda parent, title: QFileDialog.getOpenFileNames(parent, title)[0])
        self.reason = ""

        self.attach_button = QToolButton()
        self.attach_button.setObjectName("attachButton")
        self.attach_button.setText(self.tr("Attach file…"))
        self.attach_button.setShortcut(QKeySequence(ATTACH_KEYS))
        self.attach_button.clicked.connect(self.choose)
        self.chips = QHBoxLayout()
        self.chips.setContentsMargins(0, 0, 0, 0)
        self.message = QLabel()
        self.message.setObjectName("attachmentMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.uploads = QVBoxLayout()
        self.uploads.setContentsMargins(0, 0, 0, 0)
        self.upload_rows: dict[str, UploadRow] = {}
        self._bridge = _TransferBridge(self)
        self._bridge.changed.connect(self._on_transfer)
        self._forward = lambda transfer: self._bridge.changed.emit(transfer)   # called on the sync worker
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.attach_button)
        row.addLayout(self.chips)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 4)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addLayout(self.uploads)
        self.set_service(None, "")

    # -- the service ---------------------------------------------------------------------------------
    def set_service(self, service: AttachmentService | None, reason: str) -> None:
        """Attach through `service`; when it is None or the backend takes no files, grey out with `reason`."""
        old = self.service
        if old is not None and hasattr(old, "upload_progress"):
            old.upload_progress.disconnect(self._forward)
        self.service = service
        self.reason = "" if self.available else reason
        self.attach_button.setEnabled(self.available)
        self.attach_button.setToolTip(self.tr("Attach files (%1), drop them on the reply or paste a picture")
                                      .replace("%1", ATTACH_KEYS) if self.available else reason)
        self.attach_button.setAccessibleDescription(self.attach_button.toolTip())
        if service is not None and hasattr(service, "upload_progress"):
            service.upload_progress.connect(self._forward)

    @property
    def available(self) -> bool:
        return self.service is not None and self.service.available()

    def stop(self) -> None:
        """Let go of the service at shutdown (not QWidget.close: the tray stays a widget)."""
        self.set_service(None, "")

    # -- per conversation ------------------------------------------------------------------------------
    def show_for(self, conversation_id: str | None) -> None:
        self.conversation_id = conversation_id
        self._show_message("")
        self._rebuild()

    def staged(self) -> list[OutgoingFile]:
        return list(self._staged.get(self.conversation_id or "", ()))

    @property
    def busy(self) -> bool:
        """Files of this conversation still being copied in (a send waits for them)."""
        return bool(self._pending.get(self.conversation_id or ""))

    def take(self, conversation_id: str) -> list[OutgoingFile]:
        """The staged files go with a reply: the tray lets go of them (the outbox keeps them)."""
        files = self._staged.pop(conversation_id, [])
        if conversation_id == self.conversation_id:
            self._rebuild()
        return files

    def give_back(self, conversation_id: str, files: list[OutgoingFile]) -> None:
        """A send that failed: its files return to the tray."""
        if files:
            self._staged.setdefault(conversation_id, [])[:0] = files
            if conversation_id == self.conversation_id:
                self._rebuild()

    # -- adding ---------------------------------------------------------------------------------------
    def choose(self) -> None:
        if not self._can_add():
            return
        self.stage_paths(Path(chosen) for chosen in self.choose_files(self, self.tr("Attach files")))

    def stage_paths(self, paths: Iterable[Path]) -> None:
        """One batch (chosen, dropped or pasted together): the last message is about this batch."""
        self._show_message("")
        for path in paths:
            self.stage_path(path)

    def stage_path(self, path: Path) -> None:
        self._stage(path, path.name)

    def stage_image(self, image: QImage) -> None:
        """A pasted picture, as a PNG named for the time it was pasted."""
        self._show_message("")
        # Encoded on the worker: a 4K screenshot takes hundreds of milliseconds to compress.
        self._stage(image.copy(), screenshot_name())

    def _can_add(self) -> bool:
        if not self.available or self.conversation_id is None:
            self._show_message(self.reason or self.tr("Open a conversation first."))
            return False
        return True

    def _stage(self, source: Path | bytes | QImage, name: str) -> None:
        if not self._can_add():
            return
        service, conversation_id = self.service, self.conversation_id
        assert service is not None and conversation_id is not None
        pending = self._pending.setdefault(conversation_id, [])
        if len(pending) + len(self._staged.get(conversation_id, ())) >= MAX_ATTACHMENTS_PER_MESSAGE:
            self._show_message(self.tr("At most %1 files go with one reply.").replace(
                "%1", str(MAX_ATTACHMENTS_PER_MESSAGE)))
            return
        pending.append(name)
        self._rebuild()

        def finished() -> None:
            pending.remove(name)

        def done(staged: OutgoingFile) -> None:
            finished()
            self._staged.setdefault(conversation_id, []).append(staged)
            if conversation_id == self.conversation_id:
                self._rebuild()
            self.changed.emit()

        def failed(error: BaseException) -> None:
            finished()
            self._show_message(self._refusal(name, error))
            self._rebuild()

        def stage() -> OutgoingFile:
            return service.stage(png_bytes(source) if isinstance(source, QImage) else source, name)

        spawn(asyncio.to_thread(stage), on_done=done, on_error=failed, owner=self)

    def _refusal(self, name: str, error: BaseException) -> str:
        shown = display_name(name)
        limit = getattr(error, "max_bytes", None)
        if type(error).__name__ == "AttachmentTooLarge" and isinstance(limit, int):
            return self.tr("“%1” is not attached: it is larger than this server takes (%2 per file).") \
                .replace("%1", shown).replace("%2", human_size(limit))
        if isinstance(error, (InvalidAttachment, OSError)):
            return self.tr("“%1” is not attached: %2").replace("%1", shown).replace(
                "%2", getattr(error, "strerror", None) or str(error))
        return self.tr("“%1” is not attached: %2").replace("%1", shown).replace("%2", str(error))

    # -- removing -------------------------------------------------------------------------------------
    def remove(self, staged: OutgoingFile) -> None:
        files = self._staged.get(self.conversation_id or "", [])
        if staged in files:
            files.remove(staged)
            service = self.service
            if service is not None:   # unpinned on a worker: it writes to the cache's database
                spawn(asyncio.to_thread(service.discard, staged))
            self._rebuild(focus_after=True)
            self.changed.emit()

    # -- showing ---------------------------------------------------------------------------------------
    def chip_widgets(self) -> list[AttachmentChip]:
        items = (self.chips.itemAt(i) for i in range(self.chips.count()))
        return [w for item in items if item is not None and isinstance(w := item.widget(), AttachmentChip)]

    def _rebuild(self, *, focus_after: bool = False) -> None:
        while self.chips.count():
            item = self.chips.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for staged in self.staged():
            chip = AttachmentChip(chip_text(staged.name, staged.size, staged.content_type), staged.name)
            chip.remove_requested.connect(lambda s=staged: self.remove(s))
            self.chips.addWidget(chip)
        for name in self._pending.get(self.conversation_id or "", ()):
            self.chips.addWidget(AttachmentChip(self.tr("%1 — attaching…").replace("%1", display_name(name)), name,
                                                pending=True))
        if focus_after:   # keyboard removal: focus stays in the tray instead of falling to nowhere
            chips = self.chip_widgets()
            (chips[0] if chips else self.attach_button).setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message_changed.emit(text)

    # -- uploads ---------------------------------------------------------------------------------------
    def _on_transfer(self, transfer: Any) -> None:
        key, state = transfer.key, getattr(transfer, "state", "sending")
        row = self.upload_rows.get(key)
        if state != "sending":
            if row is not None:
                self.upload_rows.pop(key)
                row.deleteLater()
            if state == "cancelled":
                self._show_message(self.tr("Upload cancelled: the reply stays in the outbox to retry or discard."))
            return
        if row is None:
            row = self.upload_rows[key] = UploadRow(key, self.cancel_upload)
            self.uploads.addWidget(row)
        row.show_progress(transfer.sent, transfer.total)

    def cancel_upload(self, key: str) -> None:
        service = self.service
        row = self.upload_rows.get(key)
        if row is not None:
            row.cancel_button.setEnabled(False)
            row.label.setText(self.tr("Cancelling…"))
        if service is not None:
            spawn(asyncio.to_thread(service.cancel, key))

    # -- drops and pastes on the composer ---------------------------------------------------------------
    def watch(self, editor: QWidget) -> None:
        """Take file drops and pasted pictures on `editor` (and its viewport, where drops land)."""
        self._watched = editor
        editor.installEventFilter(self)
        viewport = getattr(editor, "viewport", None)
        if viewport is not None:
            viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(event, QDragMoveEvent):
            if self._local_files(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            files = self._local_files(event.mimeData())
            if files:
                event.acceptProposedAction()
                self.stage_paths(files)
                return True
        elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.matches(QKeySequence.StandardKey.Paste):
            return self.paste()
        return super().eventFilter(watched, event)

    def paste(self) -> bool:
        """Ctrl+V: a picture or copied files on the clipboard are attached (True); text is left
        for the editor to paste (False)."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return False
        files = self._local_files(mime)
        if files:
            self.stage_paths(files)
            return True
        if mime.hasImage() and not mime.hasText():
            image = QImage(mime.imageData())
            if not image.isNull():
                self.stage_image(image)
                return True
        return False

    @staticmethod
    def _local_files(mime: Any) -> list[Path]:
        if mime is None or not mime.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]
