"""Hostile HTML message bodies in the real thread widget: nothing fetched, no file read, no link followed.

A loopback listener counts every connection attempt; the corpus points every trick at it (and at a
canary file through file://, relative and UNC paths). Both the default plain-text path and the
sanitised HTML path are rendered.
"""

from __future__ import annotations

import socket
import threading

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from agent_desktop.ui import html_body
from agent_desktop.ui.thread_view import ThreadView


class Listener:
    """Counts connections to 127.0.0.1:port (a remote fetch would land here)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.stopped = True
        self.thread.join(2)
        self.sock.close()


def corpus(port: int, canary: str) -> list[str]:
    remote = f"http://127.0.0.1:{port}"
    return [
        f"<img src='{remote}/img.png'>",
        f"<img srcset='{remote}/a.png 1x, {remote}/b.png 2x'>",
        f"<p style=\"background:url('{remote}/bg.png')\">styled</p>",
        f"<style>@import url('{remote}/x.css'); body {{background:url({remote}/b.png)}}</style>text",
        f"<link rel=stylesheet href='{remote}/s.css'>",
        f"<body background='{remote}/body.png'>body</body>",
        f"<table background='{remote}/t.png'><tr><td background='{remote}/td.png'>cell</td></tr></table>",
        f"<iframe src='{remote}/frame'></iframe>",
        f"<object data='{remote}/obj'></object><embed src='{remote}/emb'>",
        f"<svg><image href='{remote}/svg.png'/></svg>",
        f"<video poster='{remote}/poster.png' src='{remote}/v.mp4'></video><audio src='{remote}/a.mp3'>",
        f"<input type=image src='{remote}/input.png'>",
        f"<meta http-equiv=refresh content='0;url={remote}/meta'>",
        f"<base href='{remote}/'><img src='relative.png'>",
        f"<img src='//127.0.0.1:{port}/protocol-relative.png'>",
        f"<script src='{remote}/x.js'></script><script>fetch('{remote}/js')</script>",
        f"<img src=x onerror=\"this.src='{remote}/onerror'\">",
        f"<form action='{remote}/form'><input name=a></form>",
        f"<img src='file://{canary}'>",
        f"<img src='{canary}'>",
        "<img src='canary.png'>",
        "<img src='../canary.png'>",
        "<img src='\\\\127.0.0.1\\share\\canary.png'>",
        "<img src='//127.0.0.1/share/canary.png'>",
        f"<a href='file://{canary}'>open file</a>",
        "<a href='javascript:alert(document.cookie)'>click</a>",
        "<a href='JaVaScRiPt:alert(1)'>click</a>",
        "<a href='&#106;avascript:alert(1)'>encoded</a>",
        "<a href='vbscript:msgbox(1)'>vb</a>",
        "<a href='data:text/html,<script>alert(1)</script>'>data</a>",
        f"<img src='data:image/svg+xml,<svg xmlns=\"http://www.w3.org/2000/svg\"><image href=\"{remote}/d\"/></svg>'>",
        f"<a href='{remote}/phish'>https://bank.example.com/login</a>",
        f"<math><mtext><img src='{remote}/math'></mtext></math>",
        f"<noscript><img src='{remote}/noscript'></noscript>",
        f"<template><img src='{remote}/template'></template>",
        f"<div style='behavior:url({remote}/htc)'>ie</div>",
        f"<!--[if IE]><img src='{remote}/cond'><![endif]-->",
        f"<img/src='{remote}/slash'>",
        f"<IMG SRC=\"{remote}/upper\">",
        f"<img src='{remote}/unterminated",
        f"<<img src='{remote}/double'>>",
        f"<x-custom src='{remote}/custom'>custom</x-custom>",
    ]


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


@pytest.mark.parametrize("render_html", [False, True])
def test_the_corpus_fetches_nothing_and_reads_no_file(qtbot, qapp, tmp_path, listener, render_html):
    canary = tmp_path / "canary.png"
    canary.write_bytes(b"\x89PNG canary")
    payloads = corpus(listener.port, str(canary))
    view = ThreadView()
    qtbot.addWidget(view)
    view.setSearchPaths([str(tmp_path)])  # relative paths would resolve to the canary if anything loaded
    view.render_html = render_html
    view.resize(900, 700)
    view.show()
    messages = [{"id": f"m{n}", "kind": "reply", "direction": "in", "body": "<html><body>" + body + "</body></html>",
                 "created_at": "2026-01-01T00:00:00Z"} for n, body in enumerate(payloads)]
    view.show_messages(messages, "客户")
    for _ in range(20):
        qapp.processEvents()
        qtbot.wait(10)
    assert listener.hits == 0
    assert view.resource_requests == 0  # Qt never even asked: nothing in the document refers to a resource
    document = view.document().toHtml()
    # Nothing in the rendered document can load or run: no image, no file or script link.
    for banned in ("<img", "href=\"file:", "href=\"javascript:", "href=\"data:", "background=\""):
        assert banned not in document.lower()


def test_sanitised_html_keeps_text_and_safe_links_only(listener):
    for payload in corpus(listener.port, "/etc/passwd"):
        clean = html_body.sanitize(payload).lower()
        for banned in ("<img", "<script", "<style", "<iframe", "<object", "<embed", "<svg", "<link", "<meta", "<base",
                       "<form", "<input", "src=", "style=", "background=", "onerror", "javascript:", "vbscript:",
                       "file:", "data:", "\\\\"):
            assert banned not in clean, (payload, clean)
    assert html_body.sanitize("<p>您好 <b>VIP</b> <a href='https://example.com/x'>link</a></p>") == (
        '<p>您好 <b>VIP</b> <a href="https://example.com/x" rel="noopener noreferrer">link</a></p>')


def test_links_are_never_followed_except_after_showing_the_real_address(qtbot, monkeypatch):
    opened: list[str] = []
    asked: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString())))
    view = ThreadView()
    qtbot.addWidget(view)
    refused: list[str] = []
    view.link_refused.connect(refused.append)
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "relative/path.html", "vbscript:x", "data:text/html,x",
                "\\\\server\\share\\x", "ftp://127.0.0.1/x"):
        view._on_anchor(QUrl(bad))
    assert opened == [] and len(refused) == 7
    answer = {"value": False}
    monkeypatch.setattr(view, "confirm_link", lambda url: asked.append(url.toString()) or answer["value"])
    view._on_anchor(QUrl("http://127.0.0.1:1/phish"))
    assert asked == ["http://127.0.0.1:1/phish"] and opened == []  # shown, declined, not opened
    answer["value"] = True
    view._on_anchor(QUrl("https://example.com/help"))
    assert opened == ["https://example.com/help"]


def test_the_confirmation_shows_the_real_address_as_plain_text(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    seen: dict[str, object] = {}

    def fake_exec(box):
        seen["text"], seen["format"] = box.text(), box.textFormat()
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    view = ThreadView()
    qtbot.addWidget(view)
    assert view.confirm_link(QUrl("http://127.0.0.1:1/<b>phish</b>")) is False
    assert "127.0.0.1:1/" in str(seen["text"])
    from PySide6.QtCore import Qt
    assert seen["format"] == Qt.TextFormat.PlainText
