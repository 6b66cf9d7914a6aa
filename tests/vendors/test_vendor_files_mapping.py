"""The vendors' file descriptions in the domain's terms, damaged ones included (mappings only)."""

from __future__ import annotations

import pytest

from agent_desktop.backends import chatwoot_mapping, zammad_mapping, zendesk_mapping
from agent_desktop.domain.attachments import parse_attachment


def test_zammad_attachments_take_the_store_size_string_and_leave_out_the_original_html_copy():
    article = {"content_type": "text/html", "body": "<p>x</p>", "attachments": [
        {"id": 5, "filename": "报告.pdf", "size": "2569", "preferences": {"Mime-Type": "application/pdf"}},
        {"id": 6, "filename": "", "size": None, "preferences": {"Content-Type": "image/png; name=x",
                                                                "Content-ID": "<a@b>", "Content-Disposition": "inline"}},
        {"id": 7, "filename": "message.html", "size": "9", "preferences": {"original-format": True}},
        "damaged", {"filename": "no id"}]}
    found = zammad_mapping.files_and_html(article)
    assert [(a["id"], a["name"], a["size"], a["content_type"], a["content_id"], a["inline"])
            for a in found["attachments"]] == [("5", "报告.pdf", 2569, "application/pdf", "", False),
                                               ("6", "attachment-6", 0, "image/png", "a@b", True)]
    assert found["body_html"] == "<p>x</p>"
    assert zammad_mapping.files_and_html({"content_type": "text/plain", "body": "x"}) == {}
    for item in found["attachments"]:
        parse_attachment(item)


def test_zendesk_attachments_skip_deleted_ones_and_plain_comments_carry_no_html():
    comment = {"html_body": '<div class="zd-comment"><p>Hi<br>there</p></div>', "attachments": [
        {"id": 1, "file_name": "a.png", "size": 3, "content_type": "image/png", "inline": True},
        {"id": 2, "file_name": "b.pdf", "size": "x", "deleted": True}, {"id": "z"}]}
    found = zendesk_mapping.files_and_html(comment)
    assert "body_html" not in found
    assert [(a["id"], a["inline"]) for a in found["attachments"]] == [("1", True)]
    rich = zendesk_mapping.files_and_html({"html_body": '<div class="zd-comment"><p><strong>Hi</strong></p></div>'})
    assert rich["body_html"].startswith("<div")


@pytest.mark.parametrize(("item", "name", "content_type"), [
    ({"id": 1, "file_type": "file", "extension": "pdf", "file_size": 9,
      "data_url": "https://cw.example/rails/active_storage/blobs/redirect/k/%E6%8A%A5%E5%91%8A.pdf"}, "报告.pdf",
     "application/pdf"),
    ({"id": 2, "file_type": "image", "extension": "webp", "file_size": 3, "data_url": ""}, "attachment-2.webp",
     "image/webp"),
    ({"id": 3, "file_type": "audio", "extension": None, "file_size": None}, "attachment-3", "application/octet-stream"),
])
def test_chatwoot_attachments_are_named_from_their_address(item, name, content_type):
    found = chatwoot_mapping.attachment_record(item)
    assert found is not None and (found["name"], found["content_type"]) == (name, content_type)
    parse_attachment(found)
    assert chatwoot_mapping.attachment_record({"file_type": "file"}) is None
