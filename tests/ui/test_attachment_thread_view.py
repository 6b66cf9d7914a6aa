"""The thread's files without a service behind them: chips that read true, only our own image scheme
served, every other fetch still refused, and clicks carrying the message and attachment ids."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument

from agent_desktop.domain.attachments import Attachment
from agent_desktop.ui.attachment_thread import ThreadAttachments, anchor
from agent_desktop.ui.thread_view import ThreadView


def _message(mid: str, *files: Attachment, body: str = "see attached") -> dict:
    return {"id": mid, "kind": "reply", "direction": "in", "body": body, "created_at": "2026-12-04T10:00:00Z",
            "attachments": list(files)}


def test_files_show_as_true_chips_when_this_session_has_no_attachment_service(qtbot):
    view = ThreadView()
    qtbot.addWidget(view)
    part = ThreadAttachments(view, view)
    part.attach(None)
    sneaky = Attachment("a1", "invoice\u202efdp.exe", 1_234_567, "application/x-msdownload")
    messages = [_message("m1", sneaky), _message("m2")]
    part.begin("c1", messages)
    view.show_messages(messages, "Ana")
    text = view.toPlainText()
    assert "invoicefdp.exe · 1.2 MB · EXE file" in text and "\u202e" not in text
    assert "not downloaded — this server does not send files" in text
    assert view.image_source is None                  # nothing served: the rich body shows placeholders
    assert text.count(" · EXE file") == 1 and text.count("not downloaded") == 1   # one row, one file


def test_only_our_image_scheme_is_served_and_everything_else_stays_refused(qtbot):
    view = ThreadView()
    qtbot.addWidget(view)
    picture = QImage(24, 12, QImage.Format.Format_RGB32)
    asked: list[tuple[str, str]] = []
    view.image_source = lambda sha, size: asked.append((sha, size)) or (picture if size == "thumb" else None)
    sha = "ab" * 32
    assert view.loadResource(QTextDocument.ResourceType.ImageResource, QUrl(f"agentdesktop-image:{sha}/thumb")) \
        is picture
    before = view.resource_requests
    for url in (f"agentdesktop-image:{sha}/inline", f"agentdesktop-image://{sha}/thumb", "http://127.0.0.1:9/track.png", "file:///etc/passwd",
                f"agentdesktop-images://{sha}/thumb", "cid:logo@x"):
        assert view.loadResource(QTextDocument.ResourceType.ImageResource, QUrl(url)) is None, url
    assert view.resource_requests == before + 6
    assert asked == [(sha, "thumb"), (sha, "inline")]


def test_clicks_carry_message_and_attachment_ids_even_with_slashes(qtbot):
    view = ThreadView()
    qtbot.addWidget(view)
    clicks: list[tuple[str, str, str]] = []
    view.attachment_clicked.connect(lambda *args: clicks.append(args))
    view.anchorClicked.emit(QUrl(anchor("open", "local:7/x", "att 1/2")))
    view.anchorClicked.emit(QUrl(anchor("save", "m1", "a1")))
    view.anchorClicked.emit(QUrl("agentdesktop://attachment/only-one-part"))
    assert clicks == [("open", "local:7/x", "att 1/2"), ("save", "m1", "a1")]


def test_a_picture_in_the_threads_html_reaches_image_source_with_its_sha(qtbot):
    """interfaces.md's form (agentdesktop-image://<sha>/<size>) has a 64-character host, which QUrl
    refuses: the view rewrites it before Qt parses the HTML, so the picture is still served."""
    view = ThreadView()
    qtbot.addWidget(view)
    picture = QImage(30, 20, QImage.Format.Format_RGB32)
    asked: list[tuple[str, str]] = []
    view.image_source = lambda sha, size: asked.append((sha, size)) or picture
    sha = "0f" * 32
    view.attachment_html = lambda message: f"<img src='agentdesktop-image://{sha}/thumb'>"
    view.show_messages([_message("m1")], "Ana")
    view.show()
    qtbot.waitUntil(lambda: (sha, "thumb") in asked)
    assert set(asked) == {(sha, "thumb")}
