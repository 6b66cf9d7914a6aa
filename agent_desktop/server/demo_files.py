"""Files and an HTML e-mail on a few existing demo messages, so the demo shows attachments at once.

No conversation or message is added (the UI tests count them): agent1's first open e-mail gets
an HTML part (bold, a list, a link, quoted history in a blockquote, a remote logo that must never
be fetched, and the parcel photo inline by `cid:`) with the photo and an invoice PDF as its
files, and agent1's first open chat gets the same photo from the customer (one copy on disk:
the store is content-addressed). `decorate` is pure, like `build_demo`; `write` stores the bytes
and the attachment rows inside `load_demo`'s transaction.
"""

from __future__ import annotations

import hashlib
import html
import sqlite3
from dataclasses import dataclass
from typing import Any

from . import files, html_sanitize
from .demo_images import damaged_parcel_png, invoice_pdf

Record = tuple[str, dict[str, Any]]

AGENT = "a-agent1"
PHOTO_CONTENT_ID = "parcel-photo.1@mail.demo-customer.example"
TRACKING_URL = "https://tracking.example.com/parcel/SF2026112800421"
REMOTE_LOGO = "https://cdn.demo-store.example/mail/logo.png"   # never fetched: the client shows a placeholder


@dataclass(frozen=True)
class DemoFile:
    """One file on a demo message: its description and where its bytes come from."""

    row: files.AttachmentRow
    data: bytes


def _file(attachment_id: str, conversation_id: str, message_id: str, name: str, data: bytes, content_type: str,
          *, content_id: str = "", inline: bool = False) -> DemoFile:
    row = files.AttachmentRow(attachment_id, conversation_id, message_id, name, len(data), content_type,
                              hashlib.sha256(data).hexdigest(), content_id, inline)
    return DemoFile(row, data)


def _first(conversations: list[Record], messages: list[Record], channel: str) -> tuple[str, list[Record]] | None:
    """agent1's first open conversation on `channel` with a customer message, and its thread."""
    for conversation_id, conversation in conversations:
        if (conversation.get("assignee_id"), conversation["status"], conversation["channel"]) == (AGENT, "open", channel):
            thread = [(mid, m) for mid, m in messages if m["conversation_id"] == conversation_id]
            if any(m["direction"] == "in" for _, m in thread):
                return conversation_id, thread
    return None


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@dataclass(frozen=True)
class _Words:
    ps: str
    items: tuple[str, ...]
    photo: str
    tracking: str
    wrote: str
    quoted: str


_EXTRAS = {
    "en": _Words(
        ps="P.S. The parcel arrived badly damaged:",
        items=("the corner of the box is <b>crushed</b>", "the tape was torn open", "the invoice is attached (PDF)"),
        photo="Photo of the damaged parcel",
        tracking="Tracking page:",
        wrote="On Nov 28, Demo Store &lt;orders@demo-store.example&gt; wrote:",
        quoted="Thank you for your order <b>2026112800421</b>. Your parcel is on its way and should arrive "
               "within 3 days.",
    ),
    "zh": _Words(
        ps="补充一下：包裹到的时候外箱已经严重破损：",
        items=("箱子一角被<b>压扁</b>了", "封箱胶带被撕开了", "发票在附件里（PDF）"),
        photo="破损包裹的照片",
        tracking="物流页面：",
        wrote="2026年11月28日，演示商城 &lt;orders@demo-store.example&gt; 写道：",
        quoted="感谢您的订购！订单 <b>2026112800421</b> 已发货，预计3天内送达。",
    ),
}


def _untagged(text: str) -> str:
    return html.unescape(text.replace("<b>", "").replace("</b>", ""))


def rich_email(body: str) -> tuple[str, str]:
    """(plain body, HTML part) of the demo e-mail: the customer's text, then the P.S. with the
    photo inline, the tracking link and the quoted confirmation the shop sent."""
    words = _EXTRAS["zh" if _is_chinese(body) else "en"]
    paragraphs = "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in body.split("\n\n") if part)
    items = "".join(f"<li>{item}</li>" for item in words.items)
    part = (
        f"<div>{paragraphs}<p><b>{words.ps}</b></p><ul>{items}</ul>"
        f'<p><img src="cid:{PHOTO_CONTENT_ID}" alt="{words.photo}" width="600" height="400"></p>'
        f'<p>{words.tracking} <a href="{TRACKING_URL}">{TRACKING_URL.removeprefix("https://")}</a></p>'
        f'<blockquote type="cite"><p>{words.wrote}</p>'
        f'<p><img src="{REMOTE_LOGO}" alt="Demo Store" width="120" height="40"></p>'
        f"<p>{words.quoted}</p></blockquote></div>"
    )
    plain = "\n".join([
        body, "", _untagged(words.ps), *(f"- {_untagged(item)}" for item in words.items),
        f"{_untagged(words.tracking)} {TRACKING_URL}", "", f"> {_untagged(words.wrote)}", f"> {_untagged(words.quoted)}",
    ])
    return plain, html_sanitize.sanitize(part)


def decorate(conversations: list[Record], messages: list[Record]) -> list[DemoFile]:
    """Put the demo files and the HTML e-mail on existing `messages` (changed in place; the caller
    brings the touched conversations' summaries up to date)."""
    photo, invoice = damaged_parcel_png(), invoice_pdf()
    added: list[DemoFile] = []
    found = _first(conversations, messages, "email")
    if found is not None:
        conversation_id, thread = found
        message_id, message = next((mid, m) for mid, m in thread if m["direction"] == "in")
        added += [_file("att-demo-mail-photo", conversation_id, message_id, "parcel-photo.png", photo, "image/png",
                        content_id=PHOTO_CONTENT_ID, inline=True),
                  _file("att-demo-mail-invoice", conversation_id, message_id, "Invoice INV-2026-004217.pdf", invoice,
                        "application/pdf")]
        message["body"], message["body_html"] = rich_email(message["body"])
        message["attachments"] = [item.row.wire() for item in added]
    found = _first(conversations, messages, "chat")
    if found is not None:
        conversation_id, thread = found
        message_id, message = [(mid, m) for mid, m in thread if m["direction"] == "in"][-1]
        chat_photo = _file("att-demo-chat-photo", conversation_id, message_id, "IMG_20261128_093214.png", photo,
                           "image/png")
        message["attachments"] = [chat_photo.row.wire()]
        message["body_html"] = ""
        added.append(chat_photo)
    return added


def write(conn: sqlite3.Connection, store: files.FileStore, demo_files: list[DemoFile], created_at: str) -> None:
    """Store the bytes (once per content) and describe each file (inside load_demo's transaction)."""
    for item in demo_files:
        if not store.has(item.row.sha256):
            store.put_bytes(item.data)
        files.insert(conn, item.row, uploaded_by=None, created_at=created_at)
