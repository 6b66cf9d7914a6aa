"""The conversation thread: untrusted message bodies shown as escaped plain text.

With `render_html` off bodies are never interpreted as HTML, so nothing remote can load and no
link can run. With it on (the panel turns it on for e-mail conversations; notes stay plain), a
message's `body_html`, or a body that is HTML, goes through the nh3 allow-list
(`html_body.render_email`): formatting and http/https/mailto links only, remote images replaced
by a placeholder naming their host, `cid:` images shown only from that message's own attachments
(as `agentdesktop-image://<sha256>/inline`, and only once `image_source` can serve them), and
hostile or broken HTML shown as its plain-text part with a note. Quoted history folds behind
"Show quoted text" per message. Either way `loadResource` refuses every other fetch as a second
wall, `javascript:`/`file:` and other links are never followed, and a web link opens only after
the agent saw its real address. Huge bodies are capped and grow on "show more" step by step, so
a 10 MB body never freezes the window.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage
from PySide6.QtWidgets import QMessageBox, QTextBrowser, QWidget

from ..domain.text import clean_body, safe_display
from . import formatting, html_body

BODY_CAP = 20_000
MORE_FACTOR = 5        # each "show more" shows five times as much: 20 k, 100 k, 500 k … characters
HTML_FACTOR = 10       # markup is wordier than text: an HTML body may use ten times the cap
OPENABLE_SCHEMES = {"http", "https", "mailto"}
IMAGE_SCHEME = "agentdesktop-image"   # agentdesktop-image://<sha256>/<thumb|inline>: our own cache only
# QUrl refuses a 64-character host (a DNS label is at most 63), so the thread's HTML says
# agentdesktop-image:<sha256>/<size> (no authority) by the time Qt parses it.
_IMAGE_SRC = re.compile(r"agentdesktop-image://([0-9a-f]{64})/(thumb|inline)\b")


def _bubble(kind: str, direction: str) -> tuple[str, str, str]:
    """(background, border, alignment) per message kind."""
    if kind == "note":
        return "#fef9c3", "#facc15", "left"
    if direction == "out":
        return "#e0f2fe", "#7dd3fc", "right"
    return "#f1f5f9", "#cbd5e1", "left"


class ThreadView(QTextBrowser):
    show_more_requested = Signal(str)
    link_refused = Signal(str)     # a link we will never follow (javascript:, file:, relative …)
    attachment_clicked = Signal(str, str, str)   # action ("open" or "save"), message id, attachment id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadView")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)
        self._expanded: dict[str, int] = {}   # message id -> characters shown
        self._quotes_open: set[str] = set()   # message ids whose quoted history is unfolded
        self.render_html = False
        # Queue id -> its name in the agent's language, for hand-off events (set by the panel).
        self.queue_names: dict[str, str] = {}
        self.resource_requests = 0            # fetches Qt asked for and we refused (for the tests)
        # Set by the panel when the backend has files: (sha256, "thumb"|"inline") -> a decoded
        # picture from the attachment cache, and the HTML of a message's files under its bubble.
        self.image_source: Callable[[str, str], QImage | None] | None = None
        self.attachment_html: Callable[[dict[str, Any]], str] | None = None
        self.messages_shown: Callable[[list[dict[str, Any]]], None] | None = None   # called before they render

    def loadResource(self, _type: int, name: QUrl | str) -> Any:  # noqa: N802 - Qt override
        url = name if isinstance(name, QUrl) else QUrl(name)
        if url.isValid() and url.scheme() == IMAGE_SCHEME and self.image_source is not None:
            sha, _, size = (url.host() + url.path()).strip("/").partition("/")
            image = self.image_source(sha, size)
            if image is not None:
                return image
        self.resource_requests += 1
        return None  # never fetch anything else: no remote images, no style sheets, no files

    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == "agentdesktop" and url.host() in ("attachment", "attachment-save"):
            parts = url.path(QUrl.ComponentFormattingOption.FullyEncoded).strip("/").split("/")
            if len(parts) == 2:
                action = "save" if url.host() == "attachment-save" else "open"
                self.attachment_clicked.emit(action, unquote(parts[0]), unquote(parts[1]))
            return
        if url.scheme() == "agentdesktop" and url.host() == "more":
            message_id = url.path().lstrip("/")
            self._expanded[message_id] = self._expanded.get(message_id, BODY_CAP) * MORE_FACTOR
            self.show_more_requested.emit(message_id)
            return
        if url.scheme() == "agentdesktop" and url.host() == "quote":
            message_id = url.path().lstrip("/")
            self._quotes_open ^= {message_id}
            self.show_more_requested.emit(message_id)
            return
        if url.scheme().lower() not in OPENABLE_SCHEMES or not url.host() and url.scheme().lower() != "mailto":
            self.link_refused.emit(url.toString())
            return
        if self.confirm_link(url):
            QDesktopServices.openUrl(url)

    def confirm_link(self, url: QUrl) -> bool:
        """Show the real address (not the link's text, which may lie) and ask before opening it."""
        address = url.toDisplayString()
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Open link?"),
                          self.tr("This link from a message goes to:\n\n%1\n\nOpen it in your browser?")
                          .replace("%1", safe_display(address, 500)),
                          QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Open

    def show_messages(self, messages: list[dict[str, Any]], customer_name: str, *, keep_scroll: bool = False) -> None:
        bar = self.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        previous = bar.value()
        if self.messages_shown is not None:
            self.messages_shown(messages)
        parts = ["<html><body style='margin:0'>"]
        for message in messages:
            parts.append(self._render(message, customer_name))
        if not messages:
            empty = self.tr("No messages in this conversation yet.")
            parts.append(f"<p style='color:#64748b'>{html.escape(empty)}</p>")
        parts.append("</body></html>")
        self.setHtml(_IMAGE_SRC.sub(rf"{IMAGE_SCHEME}:\1/\2", "".join(parts)))
        if keep_scroll and not at_bottom:
            bar.setValue(previous)
        else:
            bar.setValue(bar.maximum())

    def _event_text(self, message: dict[str, Any]) -> str:
        """A generated message's event in the agent's language ("Transferred to After-sales")."""
        event = message.get("event") or ""
        if event not in ("transfer", "escalate"):
            return ""
        target = str(message.get("event_target") or "")
        where = safe_display(self.queue_names.get(target) or target, 60)
        if event == "escalate":
            return self.tr("Escalated to %1").replace("%1", where) if where else self.tr("Escalated")
        return self.tr("Transferred to %1").replace("%1", where) if where else self.tr("Transferred")

    def _render(self, message: dict[str, Any], customer_name: str) -> str:
        kind, direction = message.get("kind", "reply"), message.get("direction", "in")
        background, border, align = _bubble(kind, direction)
        if kind == "note":
            who = self.tr("Internal note · %1").replace("%1", safe_display(message.get("author_name"), 60))
        elif direction == "out":
            who = safe_display(message.get("author_name"), 60) or self.tr("Agent")
        else:
            who = safe_display(customer_name, 60) or self.tr("Customer")
        when = formatting.local_time(message.get("created_at"))
        state = ""
        if message.get("pending"):
            if message.get("outbox_state") in ("failed", "conflict"):
                state = " · <b style='color:#dc2626'>" + html.escape(self.tr("Not sent: %1").replace(
                    "%1", safe_display(message.get("outbox_error"), 120))) + "</b>"
            else:
                state = " · <i style='color:#b45309'>" + html.escape(self.tr("waiting to send…")) + "</i>"
        elif direction == "out" and kind == "reply":
            # The server has it: the agent sees the reply went out, not only that it is not pending.
            state = " · <span style='color:#15803d'>" + html.escape(self.tr("✓ sent")) + "</span>"
        text, more = self._body(message, kind)
        event = self._event_text(message)
        if event:
            text = f"<b style='color:#7c3aed'>{html.escape(event)}</b><br>{text}"
        margin = "margin-left:60px;" if align == "right" else "margin-right:60px;"
        return (
            f"<table width='100%' cellspacing='0' cellpadding='0' style='margin-bottom:8px;{margin}'><tr><td "
            f"style='background:{background}; border:1px solid {border}; padding:8px 10px;'>"
            f"<div style='color:#475569; font-size:small; margin-bottom:4px'><b>{html.escape(who)}</b>"
            f" · {html.escape(when)}{state}</div>"
            f"<div style='color:#0f172a'>{text}{more}</div>"
            f"{self.attachment_html(message) if self.attachment_html else ''}</td></tr></table>"
        )

    def _body(self, message: dict[str, Any], kind: str) -> tuple[str, str]:
        """(the body as safe HTML, its "show more" link or "")."""
        message_id = str(message.get("id"))
        raw = message.get("body") or ""
        rich = self.render_html and kind != "note"
        source = (message.get("body_html") or "") if rich else ""
        as_html = bool(source) or (rich and html_body.looks_like_html(raw))
        source = source or (raw if as_html else "")
        shown = self._expanded.get(message_id, BODY_CAP)
        cap = shown * HTML_FACTOR if as_html else shown
        capped = source if as_html else raw
        more = ""
        if len(capped) > cap:  # cap before any other work: a 10 MB body is never scanned whole
            hidden = len(capped) - cap
            capped = capped[:cap]
            label = self.tr("Show more (%1 characters not shown)").replace("%1", f"{hidden:,}")
            more = (f"<br><a href='agentdesktop://more/{html.escape(message_id, quote=True)}'>"
                    f"{html.escape(label)}</a>")
        if not rich:
            return html.escape(clean_body(capped)).replace("\n", "<br>"), more
        if as_html:
            # The text part of a multipart e-mail, when the HTML must give way to it.
            plain = clean_body(raw[:shown]) if message.get("body_html") else ""
            rendered = html_body.render_email(clean_body(capped), plain, message.get("attachments") or (),
                                              inline_images=getattr(self, "image_source", None) is not None)
        else:
            rendered = html_body.render_plain(clean_body(capped))
        text = rendered.html
        if rendered.note:
            text = f"<i style='color:#64748b; font-size:small'>{html.escape(rendered.note)}</i><br>{text}"
        if rendered.quoted:
            opened = message_id in self._quotes_open
            label = self.tr("Hide quoted text") if opened else self.tr("Show quoted text")
            text += (f"<br><a href='agentdesktop://quote/{html.escape(message_id, quote=True)}'>"
                     f"{html.escape(label)}</a>")
            if opened:
                text += f"<div style='color:#475569'>{rendered.quoted}</div>"
        return text, more
