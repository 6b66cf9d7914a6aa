"""Streaming pieces shared by the vendor adapters (backends/vendor_transfer.py), without a server."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent_desktop.backends.base import MalformedResponse, Rejected, TransferCancelled
from agent_desktop.backends.http import HttpClient
from agent_desktop.backends.protocols import OutgoingFile
from agent_desktop.backends.vendor_transfer import (
    FilePart,
    JsonBase64Field,
    Sink,
    UploadBody,
    check_sizes,
    json_with_files,
    open_url,
    with_our_hashes,
)


def _decode(document: bytes, cuts: list[int]) -> bytes:
    field = JsonBase64Field("Content")
    out = bytearray()
    start = 0
    for cut in sorted(set(cuts)) + [len(document)]:
        out += field.feed(document[start:cut])
        start = cut
    assert field.finished
    return bytes(out)


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), cuts=st.lists(st.integers(0, 5000), max_size=12),
       slash=st.booleans(), wrap=st.sampled_from([0, 4, 76]))
def test_a_base64_field_decodes_the_same_however_the_answer_is_cut(data, cuts, slash, wrap):
    encoded = base64.b64encode(data).decode()
    if wrap:   # Perl's encode_base64 breaks lines: they reach JSON as "\n" escapes
        encoded = "\n".join(encoded[i:i + wrap] for i in range(0, len(encoded), wrap))
    text = json.dumps({"Headers": 'Content: "x"\n"Content" : "no"', "Content": encoded, "id": 7})
    if slash:
        text = text.replace("/", "\\/")
    document = text.encode()
    assert _decode(document, [c % (len(document) + 1) for c in cuts]) == data


def test_a_field_that_is_not_base64_is_refused():
    with pytest.raises(MalformedResponse):
        _decode(b'{"Content": "abc\\u0041"}', [])
    with pytest.raises(MalformedResponse):
        _decode(b'{"Content": "ab*d"}', [])


def _file(tmp_path, name: str, data: bytes) -> OutgoingFile:
    path = tmp_path / hashlib.sha256(data).hexdigest()
    path.write_bytes(data)
    return OutgoingFile(str(path), name, len(data), "application/octet-stream", hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize("as_base64", [False, True])
def test_an_upload_body_has_the_length_it_announced_and_tells_progress(tmp_path, as_base64):
    data = os.urandom(200_001)
    item = _file(tmp_path, "a.bin", data)
    ticks: list[tuple[int, int]] = []
    body = UploadBody([b"<", FilePart(item, base64=as_base64), b">"], lambda d, t: ticks.append((d, t)))
    sent = bytearray()
    while block := body.read(8192):
        sent += block
    assert len(sent) == len(body)
    middle = bytes(sent[1:-1])
    assert (base64.b64decode(middle) if as_base64 else middle) == data
    assert ticks[0] == (0, len(data)) and ticks[-1] == (len(data), len(data))


def test_a_file_that_changed_after_it_was_attached_is_not_sent(tmp_path):
    item = _file(tmp_path, "a.bin", b"x" * 1000)
    with open(item.path, "ab") as grown:
        grown.write(b"more")
    with pytest.raises(Rejected, match="changed"):
        b"".join(UploadBody([FilePart(item)]))


def test_progress_may_cancel_an_upload(tmp_path):
    item = _file(tmp_path, "a.bin", os.urandom(300_000))

    def cancel(done: int, _total: int) -> None:
        if done:
            raise TransferCancelled("cancelled")

    with pytest.raises(TransferCancelled):
        b"".join(UploadBody([FilePart(item)], cancel))


def test_a_sink_refuses_past_its_cap_and_checks_the_hash():
    out = io.BytesIO()
    sink = Sink(out, 10, 10, None)
    sink.write(b"0123456789")
    assert sink.verify(hashlib.sha256(b"0123456789").hexdigest())
    with pytest.raises(MalformedResponse, match="hash"):
        sink.verify("0" * 64)
    with pytest.raises(MalformedResponse, match="larger"):
        sink.write(b"!")


def test_sizes_are_checked_per_file_and_per_message(tmp_path):
    one = OutgoingFile("/nonexistent", "a.pdf", 6, "application/pdf", "")
    check_sizes([one, one], 6, max_total=12)
    with pytest.raises(Rejected, match="a.pdf"):
        check_sizes([one], 5)
    with pytest.raises(Rejected, match="together"):
        check_sizes([one, one], 6, max_total=11)


def test_json_with_files_is_json_holding_each_file_in_base64(tmp_path):
    one, two = _file(tmp_path, "报告.pdf", os.urandom(1000)), _file(tmp_path, "b.png", b"\x89PNG")
    for fields in ({}, {"body": "你好", "n": 1}):
        parts = json_with_files(fields, "files", [one, two], lambda f: {"filename": f.name}, "data")
        document = json.loads(b"".join(UploadBody(parts)))
        assert {k: v for k, v in document.items() if k != "files"} == fields
        assert [(f["filename"], base64.b64decode(f["data"])) for f in document["files"]] == [
            ("报告.pdf", Path(one.path).read_bytes()), ("b.png", b"\x89PNG")]
    empty = json.loads(b"".join(UploadBody(json_with_files({"a": 1}, "files", [], lambda f: {}, "data"))))
    assert empty == {"a": 1, "files": []}


def test_our_hashes_go_on_the_files_the_vendor_stored_by_name_and_size():
    ours = [OutgoingFile("/x", "a.pdf", 3, "application/pdf", "aa"), OutgoingFile("/y", "a.pdf", 4, "x", "bb")]
    stored = [{"id": "1", "name": "a.pdf", "size": 4}, {"id": "2", "name": "a.pdf", "size": 3},
              {"id": "3", "name": "c.pdf", "size": 3}]
    assert [s.get("sha256") for s in with_our_hashes(stored, ours)] == ["bb", "aa", None]


@pytest.mark.parametrize("address", ["http://127.0.0.1:6379/", "https://localhost/admin", "http://[::1]:8080/x"])
def test_a_cloud_vendors_file_address_never_points_at_this_computer(address):
    """Before any request: a vendor (or its CDN's redirect) naming a local service is refused."""
    http = HttpClient("https://acme.zendesk.example")
    with pytest.raises(Rejected, match="this computer"):
        open_url(http, address)
