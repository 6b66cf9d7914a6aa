"""The files under each message in the thread: thumbnails, chips, and what a click does.

Pictures show as thumbnails (`agentdesktop-image://<sha>/thumb`, served from `ThumbnailCache`
through `ThreadView.image_source`), PDFs and other files as chips. A file not on this computer
yet is fetched on a worker (`AttachmentService.fetch`) and shows "downloading…" meanwhile, or
"not downloaded — offline"; thumbnails are decoded on a worker too. When either lands the thread
is redrawn once (batched) without moving the scroll position. A picture opens the viewer over
all of the conversation's pictures, a PDF the preview, any other file a menu (Open, Save as…).
Keyboard: Ctrl+Shift+G selects the first file of the newest message that has files (Tab walks
on through the links), Enter opens the selected one.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QImage, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import QMenu, QWidget

from ..domain.attachments import Attachment, display_name
from ..services.errors import NetworkError
from .attachment_actions import AttachmentActions, chip_text
from .image_viewer import ImageViewer, ViewerItem
from .pdf_preview import PdfPreview
from .tasks import spawn
from .thread_view import IMAGE_SCHEME, ThreadView
from .thumbnails import SIZES, ThumbnailCache

if TYPE_CHECKING:
    from ..services.attachments import AttachmentService

FOCUS_KEYS = "Ctrl+Shift+G"
REDRAW_DELAY_MS = 60        # several files landing together redraw the thread once
FETCHING, OFFLINE = "fetching", "offline"


def anchor(action: str, message_id: str, attachment_id: str) -> str:
    host = "attachment-save" if action == "save" else "attachment"
    return f"agentdesktop://{host}/{quote(message_id, safe='')}/{quote(attachment_id, safe='')}"


def unbroken(label: str) -> str:
    """A short link label that never wraps inside itself (另存 / 为… read as two words): no-break
    spaces and word joiners, which Qt's text layout honours and does not draw."""
    return "\u2060".join(label.replace(" ", "\u00a0"))


class ThreadAttachments(QObject):
    redraw_needed = Signal()       # the panel reloads the thread, keeping its scroll position

    def __init__(self, view: ThreadView, window: QWidget) -> None:
        super().__init__(window)
        self.view = view
        self.window = window
        self.service: AttachmentService | None = None
        self.actions = AttachmentActions(window)
        self.thumbnails = ThumbnailCache(None)
        self.conversation_id: str | None = None
        self._messages: dict[str, tuple[Attachment, ...]] = {}
        self._order: list[str] = []                     # message ids, oldest first
        self._state: dict[str, str] = {}                # attachment id -> FETCHING / OFFLINE / why it failed
        self._thumbs_wanted: set[tuple[str, str]] = set()
        self._missing: set[str] = set()                 # shas asked for by the HTML but not cached
        self._paths: dict[str, Path] = {}               # attachment id -> its cached file
        self._workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="attachment-ui")
        self._redraw = QTimer(self, singleShot=True, interval=REDRAW_DELAY_MS)
        self._redraw.timeout.connect(self._emit_redraw)
        self._closed = False
        self.viewer: ImageViewer | None = None
        self.preview: PdfPreview | None = None
        self.menu: QMenu | None = None
        view.attachment_clicked.connect(self.activate)
        self.focus_shortcut = QShortcut(QKeySequence(FOCUS_KEYS), window)
        self.focus_shortcut.activated.connect(self.focus_first)

    def attach(self, service: AttachmentService | None) -> None:
        """Use `service` (None: this session has no attachment service; files show as chips only)."""
        self.service = service
        blobs = getattr(service, "blobs", None)
        folder = getattr(blobs, "folder", None)
        self.thumbnails = ThumbnailCache(Path(folder) / "thumbs" if folder else None)
        self.view.image_source = self.image if service is not None else None
        self.view.attachment_html = self.html
        self.view.messages_shown = self._shown

    def close(self) -> None:
        # A fetch or decode still running lands after this: it must not ask the panel to reload
        # from a cache that is closing with the window.
        self._closed = True
        self._redraw.stop()
        self._workers.shutdown(wait=False, cancel_futures=True)
        self.actions.cleanup()

    def _emit_redraw(self) -> None:
        if not self._closed:
            self.redraw_needed.emit()

    # -- what the thread shows --------------------------------------------------------------------
    def _shown(self, messages: Sequence[dict[str, Any]]) -> None:
        conversation_id = getattr(self.window, "conversation_id", None)
        if conversation_id is not None:
            self.begin(str(conversation_id), messages)

    def begin(self, conversation_id: str, messages: Sequence[dict[str, Any]]) -> None:
        """Called with the messages about to be shown: remembers their files, starts fetches."""
        if conversation_id != self.conversation_id:
            self.conversation_id = conversation_id
            self._state.clear()        # another look, another try for what was offline
            self._paths.clear()
        self._messages = {str(m.get("id")): tuple(m.get("attachments") or ()) for m in messages}
        self._order = [mid for mid, files in self._messages.items() if files]
        if self.service is None or not self.service.available():
            return
        for message_id in self._order:
            if message_id.startswith("local:"):
                continue   # our own reply still in the outbox: its files are the staged copies
            for att in self._messages[message_id]:
                if att.id not in self._state and self._local(att) is None:
                    self._fetch(message_id, att)

    def image(self, sha: str, size: str) -> QImage | None:
        """ThreadView.image_source: only what is decoded already (this runs inside Qt's layout);
        a miss starts the decode on a worker and the thread is redrawn when it is ready."""
        image = self.thumbnails.get(sha, size)
        if image is None and size in SIZES and sha not in self._missing and not self.thumbnails.failure(sha, size):
            self._thumbnail(sha, None, size)
        return image

    def _local(self, att: Attachment) -> Path | None:
        """The cached file, remembered once found: every redraw asks for every file of the thread."""
        found = self._paths.get(att.id)
        if found is None and self.service is not None:
            found = self.service.local_path(att)
            if found is not None:
                self._paths[att.id] = found
        return found

    def html(self, message: dict[str, Any]) -> str:
        files = tuple(message.get("attachments") or ())
        if not files:
            return ""
        message_id = str(message.get("id"))
        parts = []
        for att in files:
            if att.inline and att.content_id and self.view.render_html:
                continue   # shown in the e-mail's body where its HTML puts it
            parts.append(self._one(message_id, att))
        if not parts:
            return ""
        return "<div style='margin-top:6px'>" + "".join(parts) + "</div>"

    def _one(self, message_id: str, att: Attachment) -> str:
        link = html.escape(anchor("open", message_id, att.id), quote=True)
        label = html.escape(chip_text(att.name, att.size, att.content_type))
        path = self._local(att)
        status = ""
        if path is None:
            state = self._state.get(att.id, "")
            if state == FETCHING:
                status = self.tr("downloading…")
            elif state == OFFLINE:
                status = self.tr("not downloaded — offline")
            elif state:
                status = self.tr("not downloaded: %1").replace("%1", state)
            elif self.service is None or not self.service.available():
                status = self.tr("not downloaded — this server does not send files")
            else:
                status = self.tr("not downloaded")
        picture = ""
        if path is not None and att.is_image:
            sha = path.name
            thumb = self.thumbnails.get(sha, "thumb")
            failure = self.thumbnails.failure(sha, "thumb")
            if thumb is not None:
                src = html.escape(f"{IMAGE_SCHEME}://{sha}/thumb", quote=True)
                picture = (f"<a href='{link}'><img src='{src}' width='{thumb.width()}' height='{thumb.height()}'></a>"
                           "<br>")
            elif failure:
                status = self.tr("cannot show: %1").replace("%1", failure)
            else:
                status = self.tr("preparing preview…")
                self._thumbnail(sha, path)
        save = ""
        if path is not None:
            save_link = html.escape(anchor("save", message_id, att.id), quote=True)
            save = f" · <a href='{save_link}'>{html.escape(unbroken(self.tr('Save as…')))}</a>"
        status_html = f" <i style='color:#b45309'>({html.escape(status)})</i>" if status else ""
        hint = html.escape(self.tr("%1 goes to the newest files · Enter opens").replace("%1", FOCUS_KEYS), quote=True)
        return (f"<div style='margin-top:4px'>{picture}<a href='{link}' title='{hint}'>{label}</a>"
                f"{status_html}{save}</div>")

    # -- work on the workers ------------------------------------------------------------------------
    def _fetch(self, message_id: str, att: Attachment) -> None:
        service, conversation_id = self.service, self.conversation_id
        if service is None or conversation_id is None:
            return
        self._state[att.id] = FETCHING
        future = asyncio.get_event_loop().run_in_executor(
            self._workers, service.fetch, conversation_id, message_id, att)

        def done(_path: Path) -> None:
            self._state.pop(att.id, None)
            self._missing.clear()
            self._redraw.start()

        def failed(error: BaseException) -> None:
            if isinstance(error, NetworkError):
                self._state[att.id] = OFFLINE
            else:
                self._state[att.id] = getattr(error, "strerror", None) or str(error) or type(error).__name__
            self._redraw.start()

        spawn(_awaited(future), on_done=done, on_error=failed, owner=self.view)

    def _thumbnail(self, sha: str, path: Path | None, size: str = "thumb") -> None:
        """Decode `sha` at `size` on a worker (from `path`, or the cache's own file of that sha)."""
        if (sha, size) in self._thumbs_wanted:
            return
        self._thumbs_wanted.add((sha, size))
        future = asyncio.get_event_loop().run_in_executor(self._workers, self._decode, sha, size, path)

        def done(decoded: bool) -> None:
            self._thumbs_wanted.discard((sha, size))
            if decoded:
                self._redraw.start()
            else:
                self._missing.add(sha)   # not on this computer (yet): asked again once a fetch lands

        spawn(_awaited(future), on_done=done, on_error=lambda _e: done(True), owner=self.view)

    def _decode(self, sha: str, size: str, path: Path | None) -> bool:
        """On a worker: False when the file of `sha` is not in the cache."""
        if path is None:
            blobs = getattr(self.service, "blobs", None)
            path = blobs.path(sha) if blobs is not None and sha.isalnum() else None
            if path is None:
                return False
        self.thumbnails.load(sha, size, path)
        return True

    @property
    def busy(self) -> bool:
        """Fetches or thumbnails still running (for the tests' waits)."""
        return FETCHING in self._state.values() or bool(self._thumbs_wanted) or self._redraw.isActive()

    # -- clicks ---------------------------------------------------------------------------------------
    def _find(self, message_id: str, attachment_id: str) -> Attachment | None:
        return next((att for att in self._messages.get(message_id, ()) if att.id == attachment_id), None)

    def activate(self, action: str, message_id: str, attachment_id: str) -> None:
        att = self._find(message_id, attachment_id)
        if att is None:
            return
        path = self._local(att)
        if path is None:
            if self.service is not None and self.service.available() and not message_id.startswith("local:"):
                self._fetch(message_id, att)   # try again now (it was offline, or failed)
                self._redraw.start()
            return
        if action == "save":
            self.actions.save_as(att.name, path)
        elif att.is_image:
            self.open_viewer(att)
        elif att.is_pdf:
            self.preview = PdfPreview(att.name, path, self.window)
            self.preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.preview.show()
        else:
            self.show_menu(att, path)

    def open_viewer(self, chosen: Attachment) -> None:
        items: list[ViewerItem] = []
        index = 0
        for message_id in self._order:
            for att in self._messages[message_id]:
                if att.is_image:
                    if att is chosen:
                        index = len(items)
                    items.append(ViewerItem(display_name(att.name), self._local(att)))
        self.viewer = ImageViewer(items, index, self.window)
        self.viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.viewer.show()

    def show_menu(self, att: Attachment, path: Path) -> None:
        menu = QMenu(self.window)
        menu.setObjectName("attachmentMenu")
        menu.addAction(self.tr("Open"), lambda: self.actions.open_file(att.name, path))
        menu.addAction(self.tr("Save as…"), lambda: self.actions.save_as(att.name, path))
        self.menu = menu
        menu.popup(QCursor.pos())

    # -- keyboard --------------------------------------------------------------------------------------
    def focus_first(self) -> bool:
        """Select the first file link of the newest message with files; Enter then opens it."""
        for message_id in reversed(self._order):
            if self._select_anchor(message_id):
                return True
        return False

    def _select_anchor(self, message_id: str) -> bool:
        prefix = anchor("open", message_id, "")
        document = self.view.document()
        block = document.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.charFormat().anchorHref().startswith(prefix):
                    cursor = QTextCursor(document)
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                    self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
                    self.view.setTextCursor(cursor)
                    self.view.ensureCursorVisible()
                    return True
                it += 1
            block = block.next()
        return False


async def _awaited(future: asyncio.Future[Any]) -> Any:
    return await future
