"""Runs the real app on the embedded demo and photographs its attachment and rich e-mail features.

`python tests/attachment_screens_driver.py OUT_DIR PREFIX APP ARGS…` (under xvfb-run, as agent1):
opens the demo's rich HTML e-mail (inline cid: photo, invoice PDF, folded quote, remote logo),
waits until its files are downloaded and shown, and saves PREFIX-thread.png (scrolled to the
bottom of that e-mail, quote folded), PREFIX-thread-unfolded.png (quote open: the remote-image
placeholder), PREFIX-pdf.png (the preview on the invoice; PREFIX-pdf-screen.png is the whole X
screen with it), PREFIX-chat.png (the demo chat with the photo's thumbnail) and PREFIX-viewer.png
(the viewer opened by clicking that thumbnail).
Every wait is on a condition. What must be on screen is checked here: a broken check prints
"FAIL …" and the exit status is 1. What looks doubtful but is not asserted (a horizontal scroll
bar, a dialog taller than the screen, English left in the Chinese interface, cut texts) is
printed as "FINDING …" for a person to judge. Used by tests/test_attachment_screens_xvfb.py.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication, QImage, QTextDocument, QTextLayout
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from agent_desktop.server.demo_files import PHOTO_CONTENT_ID, REMOTE_LOGO
from agent_desktop.ui.attachment_actions import chip_text
from agent_desktop.ui.attachment_thread import anchor
from tests.app_driver import run_app
from tests.ui_texts_driver import DATA_LABELS, _clipped

WAIT_S = 60.0
MAIL_PHOTO, MAIL_INVOICE, CHAT_PHOTO = "att-demo-mail-photo", "att-demo-mail-invoice", "att-demo-chat-photo"
REMOTE_HOST = QUrl(REMOTE_LOGO).host()
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
# Words that may stay Latin in the Chinese interface: file names, units, formats, keys.
LATIN_OK = re.compile(r"^(PDF|PNG|JPEG|EXE|file|Ctrl|Shift|Enter|Esc|INV|Invoice|parcel|photo|png|pdf|IMG)$")

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def finding(what: str) -> None:
    print("FINDING " + what, flush=True)


async def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    """Let the app's loop run until `condition()` holds (the loop is asyncio on Qt: qasync)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:g} s for: {what}")
        await asyncio.sleep(0.05)


def colours(image: QImage, step: int = 7) -> int:
    return len({image.pixel(x, y) for y in range(0, image.height(), step) for x in range(0, image.width(), step)})


def save(widget: QWidget, path: Path) -> QImage:
    image = widget.grab().toImage()
    check(image.save(str(path), "PNG"), f"saved {path.name} ({image.width()}×{image.height()})")
    return image


def fits_screen(widget: QWidget, what: str, *, hard: bool) -> None:
    screen = (widget.screen() or QGuiApplication.primaryScreen()).geometry()
    frame = widget.frameGeometry()
    ok = screen.contains(frame)
    text = f"{what} at {frame.x()},{frame.y()} {frame.width()}×{frame.height()} within the screen " \
           f"{screen.width()}×{screen.height()}"
    if hard:
        check(ok, text)
    elif not ok:
        finding(text.replace("within", "is not within"))


def missing_glyphs(widget: QWidget, where: str) -> None:
    """Texts drawn with a missing-glyph box: no installed font has one of their characters."""
    for child in [widget, *widget.findChildren(QWidget)]:
        if not child.isVisible():
            continue
        texts = [child.windowTitle()] if child is widget else []
        if isinstance(child, (QAbstractButton, QLabel)):
            texts.append(child.text())
        for text in filter(None, texts):
            layout = QTextLayout(text, child.font())
            layout.beginLayout()
            layout.createLine()
            layout.endLayout()
            if any(0 in run.glyphIndexes() for run in layout.glyphRuns()):
                finding(f"{where}: {type(child).__name__} {child.objectName()!r} {text!r} has a missing-glyph box")


def untranslated(texts: list[str], where: str) -> None:
    for text in texts:
        words = [w for w in LATIN_WORD.findall(text) if not LATIN_OK.match(w)]
        if words and not CJK.search(text):
            finding(f"English in the Chinese interface ({where}): {text!r}")


def chrome_texts(widget: QWidget) -> list[str]:
    found = [widget.windowTitle()]
    for child in widget.findChildren(QWidget):
        if child.isVisible() and isinstance(child, (QAbstractButton, QLabel)) and child.text() \
                and child.objectName() not in DATA_LABELS:
            found.append(child.text())
    return found


def thread_checks(view, where: str) -> None:
    """What a person would notice in the thread: sideways scrolling, content wider than the pane."""
    bar = view.horizontalScrollBar()
    if bar.isVisible() and bar.maximum() > 0:
        finding(f"{where}: the thread scrolls sideways (horizontal bar 0…{bar.maximum()}, "
                f"viewport {view.viewport().width()} px)")
    width = view.document().size().width()
    if width > view.viewport().width() + 1:
        finding(f"{where}: the thread's content is {width:.0f} px wide in a {view.viewport().width()} px pane")


def scroll_to_show(view, text: str, below_px: int = 16) -> bool:
    """Scroll so the line with `text` sits at the bottom of the view (what is above it shows)."""
    found = view.document().find(text)
    if found.isNull():
        return False
    bar = view.verticalScrollBar()
    bar.setValue(0)
    QApplication.processEvents()
    rect = view.cursorRect(found)
    bar.setValue(max(0, min(bar.maximum(), rect.bottom() + below_px - view.viewport().height())))
    QApplication.processEvents()
    return True


async def run(window, out: Path, prefix: str, chinese: bool) -> None:
    app = QApplication.instance()
    started = time.monotonic()
    await wait_for(lambda: window.bridge.status.first_sync_done, "the first sync")
    reader = window.session.db.reader()
    mail_cid, mail_mid = reader.execute("SELECT conversation_id, id FROM messages WHERE attachments LIKE ?",
                                        (f"%{MAIL_INVOICE}%",)).fetchone()
    chat_cid, chat_mid = reader.execute("SELECT conversation_id, id FROM messages WHERE attachments LIKE ?",
                                        (f"%{CHAT_PHOTO}%",)).fetchone()
    print(f"rich e-mail: {mail_cid} {mail_mid}; chat with the photo: {chat_cid} {chat_mid}", flush=True)
    files = {a.id: a for m in window.session.conversations.messages(mail_cid) if m["id"] == mail_mid
             for a in m["attachments"]}
    photo, invoice = files[MAIL_PHOTO], files[MAIL_INVOICE]
    check(photo.content_id == PHOTO_CONTENT_ID and photo.inline, "the e-mail's photo is an inline cid: part")

    # -- (1) the rich e-mail, files downloaded, scrolled to its bottom ---------------------------------
    panel = window.conversation
    view, thread_files = panel.thread_view, panel.thread_files
    window.open_conversation(mail_cid)
    inline = f"agentdesktop-image:{photo.sha256}/inline"
    chip = chip_text(invoice.name, invoice.size, invoice.content_type)

    def mail_ready() -> bool:
        return (panel.conversation_id == mail_cid and not thread_files.busy
                and thread_files._local(invoice) is not None and thread_files._local(photo) is not None
                and inline in view.document().toHtml()
                and view.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(inline)) is not None
                and anchor("save", mail_mid, invoice.id) in view.document().toHtml())

    await wait_for(mail_ready, "the e-mail's photo and PDF downloaded and shown")
    print(f"e-mail shown with its files after {time.monotonic() - started:.1f} s", flush=True)
    document, text = view.document().toHtml(), view.toPlainText()
    check(view.render_html, "the e-mail thread renders HTML")
    check(chip in text, f"the thread shows the PDF chip {chip!r}")
    check(f"agentdesktop://quote/{mail_mid}" in document, "the thread has the quote fold anchor")
    fold = view.tr("Show quoted text")
    check(fold in text, f"the fold reads {fold!r}")
    check(REMOTE_LOGO not in document and "<img src=\"https://" not in document, "no remote image in the document")
    image = view.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(inline))
    check(isinstance(image, QImage) and not image.isNull(), f"the inline photo is decoded ({image.width()}×"
          f"{image.height()})" if isinstance(image, QImage) else "the inline photo is decoded")
    if isinstance(image, QImage) and image.width() > view.viewport().width():
        finding(f"the inline photo is {image.width()} px wide, the thread pane {view.viewport().width()} px")
    if chinese:
        for english in ("Show quoted text", "Save as…", "downloading", "not downloaded", "Remote image"):
            if english in text:
                finding(f"English in the Chinese thread: {english!r}")
    check(scroll_to_show(view, chip), "scrolled to the bottom of the e-mail (its PDF chip)")
    screen = window.screen().geometry()
    check(screen.width() == 1366 and screen.height() == 768, f"the screen is {screen.width()}×{screen.height()}")
    fits_screen(window, "the main window", hard=True)
    thread_checks(view, "rich e-mail")
    for cut in _clipped(window):
        finding(f"main window: {cut}")
    missing_glyphs(window, "main window")
    if chinese:
        untranslated(chrome_texts(window.conversation), "conversation panel")
    shot = save(window, out / f"{prefix}-thread.png")
    check(shot.width() <= 1366 and shot.height() <= 768, "the main window's grab fits 1366×768")

    # -- (1b) the quote unfolded: the remote logo is a placeholder naming its host ---------------------
    view._on_anchor(QUrl(f"agentdesktop://quote/{mail_mid}"))
    await wait_for(lambda: REMOTE_HOST in view.toPlainText() and not thread_files.busy, "the quote unfolded")
    text = view.toPlainText()
    fold = view.tr("Hide quoted text")
    check(fold in text, f"the fold now reads {fold!r}")
    placeholder = next((line for line in text.splitlines() if REMOTE_HOST in line), "")
    check(bool(placeholder), f"the remote image placeholder: {placeholder!r}")
    if chinese and "Remote image not loaded" in placeholder:
        finding(f"English in the Chinese thread: {placeholder!r}")
    check(REMOTE_LOGO not in view.document().toHtml(), "the remote logo is still not in the document")
    scroll_to_show(view, chip)
    thread_checks(view, "rich e-mail unfolded")
    save(window, out / f"{prefix}-thread-unfolded.png")

    # -- (2) the PDF preview, opened as a click on the chip does -----------------------------------------
    view._on_anchor(QUrl(anchor("open", mail_mid, invoice.id)))
    await wait_for(lambda: thread_files.preview is not None and thread_files.preview.isVisible(), "the PDF preview")
    preview = thread_files.preview
    await wait_for(lambda: preview.page_count() >= 1 or preview.broken, "the PDF loaded")
    check(not preview.broken, "the PDF preview is not the error page")
    check(preview.page_count() >= 1, f"the PDF has {preview.page_count()} page(s)")
    # QPdfView renders pages on a worker: wait until the page (not only the grey) is painted.
    await wait_for(lambda: colours(preview.view.viewport().grab().toImage()) > 12, "the PDF page rendered")
    print(f"PDF preview: {preview.page_label.text()!r}, title {preview.windowTitle()!r}", flush=True)
    check(str(preview.page_count()) in preview.page_label.text(), "the page label counts the pages")
    fits_screen(preview, "the PDF preview", hard=False)
    for cut in _clipped(preview):
        finding(f"PDF preview: {cut}")
    if chinese:
        untranslated(chrome_texts(preview), "PDF preview")
    missing_glyphs(preview, "PDF preview")
    save(preview, out / f"{prefix}-pdf.png")
    # The X screen itself: where the dialog really sits over the window (and what runs off it).
    screen_shot = QGuiApplication.primaryScreen().grabWindow(0).toImage()
    check(screen_shot.save(str(out / f"{prefix}-pdf-screen.png"), "PNG"), f"saved {prefix}-pdf-screen.png")
    preview.close()
    await wait_for(lambda: not preview.isVisible(), "the PDF preview closed")

    # -- (4) the chat with the photo as a thumbnail ---------------------------------------------------
    window.open_conversation(chat_cid)
    chat_files = {a.id: a for m in window.session.conversations.messages(chat_cid) if m["id"] == chat_mid
                  for a in m["attachments"]}
    chat_photo = chat_files[CHAT_PHOTO]
    thumb = f"agentdesktop-image:{chat_photo.sha256}/thumb"

    def chat_ready() -> bool:
        return (panel.conversation_id == chat_cid and not thread_files.busy and thumb in view.document().toHtml()
                and view.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(thumb)) is not None)

    await wait_for(chat_ready, "the chat's thumbnail shown")
    check(not view.render_html, "the chat thread is plain text")
    chat_chip = chip_text(chat_photo.name, chat_photo.size, chat_photo.content_type)
    check(chat_chip in view.toPlainText(), f"the chat shows the photo's chip {chat_chip!r}")
    picture = view.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(thumb))
    check(isinstance(picture, QImage) and 0 < picture.width() <= 240 and 0 < picture.height() <= 180,
          f"the thumbnail fits 240×180 ({picture.width()}×{picture.height()})")
    check(scroll_to_show(view, chat_chip), "scrolled to the thumbnail's chip")
    thread_checks(view, "chat")
    fits_screen(window, "the main window (chat)", hard=True)
    save(window, out / f"{prefix}-chat.png")

    # -- (3) the viewer, opened as a click on the thumbnail does ---------------------------------------
    view._on_anchor(QUrl(anchor("open", chat_mid, chat_photo.id)))
    await wait_for(lambda: thread_files.viewer is not None and thread_files.viewer.isVisible(), "the image viewer")
    viewer = thread_files.viewer
    await wait_for(lambda: viewer.image is not None or bool(viewer.reason), "the picture decoded")
    check(viewer.image is not None and not viewer.image.isNull(), f"the viewer has a picture ({viewer.reason!r})")
    await wait_for(lambda: viewer.shown_size() != (0, 0), "the picture on screen")
    print(f"viewer: shown {viewer.shown_size()}, caption {viewer.caption.text()!r}", flush=True)
    check(chat_photo.name in viewer.caption.text(), "the viewer's caption names the photo")
    fits_screen(viewer, "the image viewer", hard=False)
    for cut in _clipped(viewer):
        finding(f"image viewer: {cut}")
    if chinese:
        untranslated(chrome_texts(viewer), "image viewer")
    missing_glyphs(viewer, "image viewer")
    save(viewer, out / f"{prefix}-viewer.png")
    viewer.close()
    app.processEvents()


def main() -> int:
    out, prefix, argv = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    out.mkdir(parents=True, exist_ok=True)
    chinese = "zh_CN" in argv
    state: dict[str, object] = {}

    def finished(task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            failures.append(f"{type(error).__name__}: {error}")
            print("FAIL " + "".join(traceback.format_exception(error)), flush=True)
        QApplication.instance().quit()

    def poll() -> None:
        if "task" in state:
            return
        window = next((w for w in QApplication.topLevelWidgets()
                       if type(w).__name__ == "MainWindow" and w.isVisible()), None)
        if window is None:
            return
        task = asyncio.get_event_loop().create_task(run(window, out, prefix, chinese))
        task.add_done_callback(finished)
        state["task"] = task

    code = run_app(argv, poll, interval_ms=100)
    if "task" not in state:
        failures.append("the main window never showed")
    print(f"app exit code {code}; {len(failures)} failure(s)", flush=True)
    return 1 if failures or code else 0


if __name__ == "__main__":
    raise SystemExit(main())
