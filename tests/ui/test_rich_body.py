"""HTML e-mail bodies in the real thread widget: sanitised, remote images never fetched, cid: images
only from the message's own attachments, quoted history folded, hostile HTML shown as plain text."""

from __future__ import annotations

import hashlib

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator, QUrl

from agent_desktop.domain.attachments import Attachment
from agent_desktop.ui import html_body
from agent_desktop.ui.resources import translations_dir
from agent_desktop.ui.thread_view import BODY_CAP, HTML_FACTOR, ThreadView

LOGO_SHA = hashlib.sha256(b"logo").hexdigest()
OTHER_SHA = hashlib.sha256(b"other").hexdigest()
LOGO = Attachment(id="a1", name="logo.png", size=4, content_type="image/png", sha256=LOGO_SHA,
                  content_id="<logo@mail.example>", inline=True)


def message(body_html: str, *, body: str = "", mid: str = "m1", kind: str = "reply", attachments=()):
    return {"id": mid, "kind": kind, "direction": "in", "body": body, "body_html": body_html,
            "attachments": list(attachments), "created_at": "2026-01-01T00:00:00Z"}


@pytest.fixture
def view(qtbot):
    shown = ThreadView()
    qtbot.addWidget(shown)
    shown.render_html = True
    shown.resize(800, 600)
    shown.show()
    return shown


def test_formatting_survives_and_a_remote_image_is_a_placeholder_naming_its_host(view):
    view.show_messages([message("<p>Hello <b>VIP</b> customer</p><img src='https://tracker.example.net/p.gif'>")],
                       "Ann")
    document = view.document().toHtml()
    text = view.toPlainText()
    assert "Hello VIP customer" in text
    assert "font-weight:700" in document or "font-weight:600" in document   # <b> kept
    assert "[Remote image not loaded: tracker.example.net]" in text
    assert "<img" not in document.lower() and "tracker.example.net/p.gif" not in document
    assert view.resource_requests == 0


def test_cid_images_come_only_from_this_messages_image_attachments_once_the_view_can_serve_them(view):
    other = Attachment(id="a2", name="x.png", size=5, content_type="image/png", sha256=OTHER_SHA, content_id="x@y")
    program = Attachment(id="a3", name="a.png", size=5, content_type="application/x-msdownload",
                         sha256=OTHER_SHA, content_id="prog@y")
    body = ("<p>Our logo:</p><img src='cid:logo@mail.example'><img src='cid:x@y'><img src='cid:prog@y'>"
            "<img src='cid:missing@y'>")
    messages = [message(body, attachments=[LOGO, program]), message("<p>b</p>", mid="m2", attachments=[other])]
    view.show_messages(messages, "Ann")
    # No image_source yet (the attachment helper sets it): every cid: image stays a placeholder.
    assert "agentdesktop-image://" not in view.document().toHtml()
    assert view.toPlainText().count("[Inline image not shown]") == 4
    served: list[tuple[str, str]] = []
    view.image_source = lambda sha, size: served.append((sha, size))   # what the panel will provide
    view.show_messages(messages, "Ann")
    document = view.document().toHtml()
    # (The view may spell it agentdesktop-image:<sha>/inline for Qt: QUrl refuses a 64-character host.)
    assert "agentdesktop-image:" in document and f"{LOGO_SHA}/inline" in document
    assert OTHER_SHA not in document              # another message's file and a non-image never show
    assert view.toPlainText().count("[Inline image not shown]") == 3


def test_render_email_keeps_only_our_scheme_for_images():
    rendered = html_body.render_email(
        "<img src='cid:logo@mail.example'><img src='agentdesktop-image://" + OTHER_SHA + "/inline'>"
        "<img src='file:///etc/passwd'><img src='data:image/png;base64,AAAA'><p>x</p>", "", [LOGO],
        inline_images=True)
    assert rendered.html.count("<img") == 1 and f"agentdesktop-image://{LOGO_SHA}/inline" in rendered.html
    assert "passwd" not in rendered.html and "data:" not in rendered.html and OTHER_SHA not in rendered.html


@pytest.mark.parametrize("body, mine, history", [
    ("<div>Thanks, works now</div><div class='gmail_quote'><div>On Mon, 1 Jan 2026 Bob &lt;"
     "<a href='mailto:b@x.example'>b@x.example</a>&gt; wrote:</div><blockquote>Try a restart</blockquote></div>",
     "Thanks, works now", "Try a restart"),
    ("<p>Fixed.</p><p>On Tue, Jan 2, 2026 at 9:00 AM Support wrote:</p><p>Old answer</p>", "Fixed.", "Old answer"),
    ("<p>See below</p><div id='divRplyFwdMsg'><b>From:</b> Support<br><b>Sent:</b> Monday</div><p>Earlier text</p>",
     "See below", "Earlier text"),
    ("<p>Still broken</p><p><b>From:</b> Support &lt;s@x.example&gt;<br><b>Sent:</b> Monday<br>"
     "<b>Subject:</b> Re: order</p><p>Did you try?</p>", "Still broken", "Did you try?"),
    ("<p>Yes</p><blockquote>Can you confirm?</blockquote>", "Yes", "Can you confirm?"),
    ("<p>您好，已收到</p><p>在 2026年1月1日 客服 写道：</p><p>请确认</p>", "您好，已收到", "请确认"),
])
def test_quoted_history_folds_behind_show_quoted_text(view, body, mine, history):
    shown_ids: list[str] = []
    view.show_more_requested.connect(shown_ids.append)
    view.show_messages([message(body)], "Ann")
    assert mine in view.toPlainText() and history not in view.toPlainText()
    assert "Show quoted text" in view.toPlainText()
    assert "agentdesktop://quote/m1" in view.document().toHtml()
    view._on_anchor(QUrl("agentdesktop://quote/m1"))
    assert shown_ids == ["m1"]    # the panel reloads on it, as for "show more"
    view.show_messages([message(body)], "Ann")
    assert history in view.toPlainText() and "Hide quoted text" in view.toPlainText()
    view._on_anchor(QUrl("agentdesktop://quote/m1"))
    view.show_messages([message(body)], "Ann")
    assert history not in view.toPlainText()


def test_a_quotation_mid_message_and_a_message_that_is_all_quote_are_not_folded(view):
    view.show_messages([message("<p>You wrote</p><blockquote>it fails</blockquote><p>Here is why.</p>"),
                        message("<blockquote>only a forward</blockquote>", mid="m2")], "Ann")
    text = view.toPlainText()
    assert "it fails" in text and "Here is why." in text and "only a forward" in text
    assert "Show quoted text" not in text


def test_plain_text_e_mail_folds_the_attribution_and_trailing_quote_lines(view):
    body = "Thanks!\n\nOn Mon, Bob wrote:\n> restart it\n> please"
    inline = "My answers:\n> first question\nyes\n\n> second\n> more"
    view.show_messages([message("", body=body), message("", body=inline, mid="m2")], "Ann")
    text = view.toPlainText()
    assert "Thanks!" in text and "restart it" not in text
    assert "first question" in text and "yes" in text and "> second" not in text   # inline reply kept
    assert text.count("Show quoted text") == 2
    assert html_body.split_plain_quote("no quotes here\n") == ("no quotes here\n", "")


@pytest.mark.parametrize("hostile, reason", [
    ("<div>" * 200 + "innermost" + "</div>" * 200, "nested too deeply"),
    ("<p>hi</p>" + "<span></span>" * 3000, "almost all markup"),
    ("<p>Hello</p><script>" + "var x = 1; " * 100 + "</script><noscript>" + "hidden text " * 50 + "</noscript>",
     "removed most of it"),
    ("<div><svg><text>only in the picture, nothing else</text></svg></div>", "no readable text"),
], ids=["deep", "markup", "removed", "empty"])
def test_hostile_html_gives_way_to_the_plain_part_with_a_note(view, hostile, reason):
    view.show_messages([message(hostile, body="The plain part\n\nOn Mon, Bob wrote:\n> old")], "Ann")
    text = view.toPlainText()
    assert "Shown as plain text:" in text and reason in text
    assert "The plain part" in text and "old" not in text and "Show quoted text" in text
    assert "innermost" not in text and "var x" not in text


def test_hostile_html_without_a_plain_part_shows_its_text(view):
    view.show_messages([message("", body="<p>Real words</p>" + "<b>" * 100 + "x" + "</b>" * 100)], "Ann")
    text = view.toPlainText()
    assert "Shown as plain text:" in text and "Real words" in text


def test_ordinary_html_is_not_called_hostile():
    newsletter = "<html><head><style>" + "td{color:red}" * 2000 + "</style></head><body>" + (
        "<table><tr><td><p>Offer text that people read.</p></td></tr></table>" * 50) + "</body></html>"
    assert html_body.hostile_reason(newsletter, html_body._first_clean(newsletter)) == ""
    assert html_body.render_email(newsletter, "").note == ""


def test_notes_and_the_plain_mode_stay_escaped_text(view):
    view.show_messages([message("<b>bold</b>", body="<b>note</b>", kind="note")], "Ann")
    assert "<b>note</b>" in view.toPlainText()
    view.render_html = False
    view.show_messages([message("<b>bold</b>", body="<p>raw</p>")], "Ann")
    assert "<p>raw</p>" in view.toPlainText()


def test_a_huge_html_body_is_capped_and_grows_on_show_more(view):
    body = "<p>" + "word " * (BODY_CAP * HTML_FACTOR // 4) + "</p><p>THE END</p>"
    view.show_messages([message(body)], "Ann")
    assert "THE END" not in view.toPlainText() and "Show more (" in view.toPlainText()
    view._on_anchor(QUrl("agentdesktop://more/m1"))
    view.show_messages([message(body)], "Ann")
    assert "THE END" in view.toPlainText()


def test_a_rendered_e_mail_speaks_the_language_switched_to(qapp):
    """Rendered bodies are remembered; their placeholders are words of the interface's language."""
    source = '<p>Hello</p><img src="https://cdn.example.com/logo.png">'
    assert "Remote image not loaded: cdn.example.com" in html_body.render_email(source, "").html
    chinese = QTranslator()
    assert chinese.load(str(translations_dir() / "agent_desktop_zh_CN.qm"))
    QCoreApplication.installTranslator(chinese)
    try:
        assert "未加载远程图片：cdn.example.com" in html_body.render_email(source, "").html
    finally:
        QCoreApplication.removeTranslator(chinese)
    assert "Remote image not loaded: cdn.example.com" in html_body.render_email(source, "").html
