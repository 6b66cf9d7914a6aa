"""The demo's HTML e-mail in the real window on the reference server: formatting kept, the remote
logo a placeholder never fetched, the customer's photo shown inline from its cid: part once it is
downloaded, and the quoted history folded until the agent asks for it."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from agent_desktop.server.demo_files import PHOTO_CONTENT_ID, REMOTE_LOGO
from tests.ui.conftest import run_until


def test_the_demo_html_e_mail_in_the_thread(open_window, loop):
    opened = open_window()
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.conversation.conversation_id is not None)
    reader = opened.session.db.reader()
    conversation_id, message_id = reader.execute(
        "SELECT conversation_id, id FROM messages WHERE body_html LIKE ?", (f"%cid:{PHOTO_CONTENT_ID}%",)).fetchone()
    photo = next(a for m in opened.session.conversations.messages(conversation_id) if m["id"] == message_id
                 for a in m["attachments"] if a.content_id == PHOTO_CONTENT_ID)
    panel = window.conversation
    window.open_conversation(conversation_id)
    run_until(loop, lambda: panel.conversation_id == conversation_id)
    view = panel.thread_view
    assert view.render_html
    # The photo: downloaded and decoded in the background, then in the body where its HTML puts it.
    source = f"agentdesktop-image:{photo.sha256}/inline"
    run_until(loop, lambda: source in view.document().toHtml() and view.document().resource(
        QTextDocument.ResourceType.ImageResource, QUrl(source)) is not None)
    chinese = "压扁" in view.toPlainText()
    crushed, quoted = ("压扁", "已发货") if chinese else ("crushed", "Your parcel is on its way")
    document = view.document().toHtml()
    text = view.toPlainText()
    found = view.document().find(crushed)
    assert not found.isNull() and found.charFormat().fontWeight() >= 600      # <b> kept
    assert document.count("<li") == 3 and "tracking.example.com/parcel/SF2026112800421" in text   # list, link
    assert "Show quoted text" in text and quoted not in text                   # history folded
    assert REMOTE_LOGO not in document and "<img src=\"https://" not in document
    # Unfolded: the shop's confirmation, with its remote logo as a placeholder naming the host.
    view._on_anchor(QUrl(f"agentdesktop://quote/{message_id}"))
    run_until(loop, lambda: "Hide quoted text" in view.toPlainText())
    text = view.toPlainText()
    assert quoted in text
    assert "[Remote image not loaded: cdn.demo-store.example]" in text
    assert REMOTE_LOGO not in view.document().toHtml()
