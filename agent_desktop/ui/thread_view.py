"""The conversation thread: untrusted message bodies shown as escaped plain text.

Bodies are never interpreted as HTML here, so nothing remote can load and no link can run;
`loadResource` refuses everything as a second wall. Huge bodies are capped ("show more").
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QWidget

from ..domain.text import clean_body, safe_display
from . import formatting

BODY_CAP = 20_000


def _bubble(kind: str, direction: str) -> tuple[str, str, str]:
    """(background, border, alignment) per message kind."""
    if kind == "note":
        return "#fef9c3", "#facc15", "left"
    if direction == "out":
        return "#e0f2fe", "#7dd3fc", "right"
    return "#f1f5f9", "#cbd5e1", "left"


class ThreadView(QTextBrowser):
    show_more_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadView")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)
        self._expanded: set[str] = set()

    def loadResource(self, _type: int, _name: QUrl) -> Any:  # noqa: N802 - Qt override
        return None  # never fetch anything: no images, no style sheets, no files

    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == "agentdesktop" and url.host() == "more":
            self._expanded.add(url.path().lstrip("/"))
            self.show_more_requested.emit(url.path().lstrip("/"))

    def show_messages(self, messages: list[dict[str, Any]], customer_name: str, *, keep_scroll: bool = False) -> None:
        bar = self.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        previous = bar.value()
        parts = ["<html><body style='margin:0'>"]
        for message in messages:
            parts.append(self._render(message, customer_name))
        if not messages:
            empty = self.tr("No messages in this conversation yet.")
            parts.append(f"<p style='color:#64748b'>{html.escape(empty)}</p>")
        parts.append("</body></html>")
        self.setHtml("".join(parts))
        if keep_scroll and not at_bottom:
            bar.setValue(previous)
        else:
            bar.setValue(bar.maximum())

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
        body = clean_body(message.get("body") or "")
        more = ""
        if len(body) > BODY_CAP and message.get("id") not in self._expanded:
            hidden = len(body) - BODY_CAP
            body = body[:BODY_CAP]
            label = self.tr("Show %1 more characters").replace("%1", str(hidden))
            more = (f"<br><a href='agentdesktop://more/{html.escape(str(message.get('id')), quote=True)}'>"
                    f"{html.escape(label)}</a>")
        text = html.escape(body).replace("\n", "<br>")
        margin = "margin-left:60px;" if align == "right" else "margin-right:60px;"
        return (
            f"<table width='100%' cellspacing='0' cellpadding='0' style='margin-bottom:8px;{margin}'><tr><td "
            f"style='background:{background}; border:1px solid {border}; padding:8px 10px;'>"
            f"<div style='color:#475569; font-size:small; margin-bottom:4px'><b>{html.escape(who)}</b>"
            f" · {html.escape(when)}{state}</div>"
            f"<div style='color:#0f172a'>{text}{more}</div></td></tr></table>"
        )
