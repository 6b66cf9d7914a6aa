"""What an attachment is and what its name may do: sniffed types, names safe to show and to save."""

from __future__ import annotations

import zlib
from pathlib import PurePosixPath, PureWindowsPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent_desktop.domain import attachments as att
from agent_desktop.domain.records import InvalidRecord, parse_message


def _png(width: int = 1, height: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("head", "expected"), [
    (_png(), "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    (b"MZ\x90\x00" + b"\0" * 60, "application/vnd.microsoft.portable-executable"),
    (b"\x7fELF\x02\x01\x01" + b"\0" * 60, "application/x-executable"),
    (b"#!/bin/sh\nrm -rf ~\n", "text/x-shellscript"),
    ("退款申请：订单 1234".encode(), "text/plain"),
    (b"\x00\x01\x02\x03garbage", "application/octet-stream"),
    (b"", "application/octet-stream"),
])
def test_the_bytes_say_what_a_file_is(head, expected):
    assert att.sniff(head) == expected


def test_a_program_named_like_a_photo_is_seen_for_what_it_is():
    kind = att.sniff(b"MZ\x90\x00" + b"\0" * 60)
    assert att.name_disagrees("photo.jpg", kind)
    assert att.is_risky("photo.jpg", kind)
    assert not att.name_disagrees("photo.jpg", att.sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"))
    assert not att.name_disagrees("notes.txt", "text/plain")


def test_a_right_to_left_override_cannot_disguise_an_extension():
    sneaky = "invoice\u202efdp.exe"      # reads as "invoiceexe.pdf" in a bidi-aware label
    assert att.display_name(sneaky) == "invoicefdp.exe"
    assert att.extension(sneaky) == "exe"
    assert att.is_risky(sneaky, "application/pdf")
    assert att.display_name("a\u200bb\u2066c\u2069.png") == "abc.png"


@pytest.mark.parametrize(("name", "saved"), [
    ("../../.bashrc", "bashrc"),
    ("..\\..\\Windows\\System32\\evil.dll", "evil.dll"),
    ("/etc/passwd", "passwd"),
    ("CON.txt", "_CON.txt"),
    ("nul", "_nul"),
    ("a:b*c?.pdf", "a_b_c_.pdf"),
    ("", "attachment"),
    ("..", "attachment"),
    ("发票 2026.pdf", "发票 2026.pdf"),
])
def test_a_saved_name_stays_in_the_chosen_folder(name, saved):
    assert att.save_name(name) == saved


@given(st.text(max_size=400))
def test_no_name_can_leave_the_folder_or_break_the_file_system(name):
    saved = att.save_name(name)
    assert saved and saved not in {".", ".."}
    assert "/" not in saved and "\\" not in saved and "\x00" not in saved
    assert len(saved.encode("utf-8")) <= att.MAX_NAME_LENGTH
    for folder in (PurePosixPath("/home/agent/Downloads"), PureWindowsPath("C:/Users/agent/Downloads")):
        assert (folder / saved).parent == folder


def test_a_long_name_keeps_its_extension_in_view():
    shown = att.display_name("x" * 300 + ".exe")
    assert shown.endswith(".exe") and len(shown) <= 120


def test_sizes_read_the_same_in_both_languages():
    assert [att.human_size(n) for n in (0, 999, 2048, 1536 * 1024, 3 * 1024**3)] == [
        "0 B", "999 B", "2 KB", "1.5 MB", "3 GB"]


def test_a_message_carries_its_files():
    message = parse_message("m1", {
        "conversation_id": "c1", "kind": "reply", "direction": "in", "body": "see photo",
        "created_at": "2026-12-04T08:00:00Z", "body_html": "<p>see <b>photo</b></p>",
        "attachments": [{"id": "a1", "name": "parcel.jpg", "size": 51234, "content_type": "IMAGE/JPEG; q=1",
                         "sha256": "AB" * 32, "content_id": "<logo@x>", "inline": True}],
    })
    (photo,) = message.attachments
    assert photo == att.Attachment("a1", "parcel.jpg", 51234, "image/jpeg", "ab" * 32, "logo@x", True)
    assert photo.is_image and not photo.is_pdf
    assert message.body_html == "<p>see <b>photo</b></p>"
    assert message.to_wire()["attachments"][0]["name"] == "parcel.jpg"


@pytest.mark.parametrize("bad", [
    "not a list", [{"id": "", "name": "x", "size": 1}], [{"id": "a", "name": "x", "size": -1}],
    [{"id": "a", "name": 5, "size": 1}], [{"id": "a", "name": "x", "size": True}], ["a"],
])
def test_a_malformed_file_list_names_the_fault(bad):
    with pytest.raises(InvalidRecord, match="attachment"):
        parse_message("m1", {"conversation_id": "c1", "direction": "in", "body": "x",
                             "created_at": "2026-12-04T08:00:00Z", "attachments": bad})


def test_a_message_without_files_takes_the_fast_path_unchanged():
    message = parse_message("m1", {"conversation_id": "c1", "direction": "in", "body": "hi",
                                   "created_at": "2026-12-04T08:00:00Z", "attachments": []})
    assert message.attachments == () and message.body_html == ""
