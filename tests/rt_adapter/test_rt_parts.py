"""A transaction's MIME parts as the message's text, HTML and files (rt_mapping), without a server."""

from __future__ import annotations

from agent_desktop.backends import rt_mapping as m
from agent_desktop.domain.records import parse_message


def _part(pid: int, content_type: str, filename: str = "", headers: str = "", size: int = 10) -> dict:
    return {"id": str(pid), "TransactionId": "900", "ContentType": content_type, "Filename": filename,
            "ContentLength": str(size), "Headers": headers}


def test_the_plain_and_html_parts_are_the_message_and_every_other_leaf_is_a_file():
    parts = [
        _part(1, "multipart/mixed", size=0),
        _part(2, "multipart/alternative", size=0),
        _part(3, "text/plain", headers="Content-Type: text/plain; charset=utf-8\nContent-Length: 5"),
        _part(4, "text/html", headers="Content-Type: text/html; charset=utf-8"),
        _part(5, "image/png", headers="Content-ID: <logo@x>\nContent-Disposition: inline", size=68),
        _part(6, "text/plain", "日志.txt", "Content-Disposition: attachment; filename=\"日志.txt\"", size=14),
        _part(7, "application/pdf", "季度报告.pdf", "Content-Disposition: inline; filename=\"季度报告.pdf\"", size=2569),
    ]
    found = m.message_parts(parts, {"3": "见附件", "4": "<p>见附件 <img src=\"cid:logo@x\"></p>"})
    assert found.body == "见附件" and found.body_html.startswith("<p>")
    assert [(a["id"], a["name"], a["size"], a["content_type"], a["content_id"], a["inline"])
            for a in found.attachments] == [
        ("5", "attachment-5.png", 68, "image/png", "logo@x", True),
        ("6", "日志.txt", 14, "text/plain", "", False),
        ("7", "季度报告.pdf", 2569, "application/pdf", "", False)]
    record = m.message_record({"id": "900", "Type": "Correspond", "Created": "2026-12-01T08:00:00Z",
                               "Creator": {"id": "30"}}, "7", found.body, {"30"}, found)
    message = parse_message("900", record)
    assert message.direction == "in" and len(message.attachments) == 3 and message.body_html == found.body_html


def test_an_html_only_message_has_its_text_from_the_html_and_a_plain_one_carries_no_extra_fields():
    html_only = m.message_parts([_part(1, "text/html")], {"1": "<p>Hello &amp; <b>bye</b></p>"})
    assert html_only.body == "Hello &  bye" and html_only.body_html and not html_only.attachments
    plain = m.message_parts([_part(1, "text/plain")], {"1": "hi"})
    assert plain.wire() == {} and plain.body == "hi"
    assert m.message_parts([], {}).body == ""


def test_a_text_part_marked_as_an_attachment_is_a_file_even_without_a_name():
    found = m.message_parts([_part(1, "text/plain"), _part(2, "text/plain", headers="Content-Disposition: attachment")],
                            {"1": "body"})
    assert found.body == "body" and [a["name"] for a in found.attachments] == ["attachment-2.txt"]


def test_files_are_compared_by_name_and_size_whatever_their_order():
    one = m.message_parts([_part(2, "image/png", "b.png", size=3), _part(1, "application/pdf", "a.pdf", size=9)], {})
    assert one.files() == [("a.pdf", 9), ("b.png", 3)]


def test_wide_file_names_go_to_rt_as_their_utf8_bytes():
    assert m.rt_file_name("报告.pdf") == "报告.pdf".encode().decode("latin-1")
    assert m.rt_file_name("report.pdf") == "report.pdf"
    assert m.rt_file_name("报告.pdf").encode("latin-1").decode("utf-8") == "报告.pdf"
