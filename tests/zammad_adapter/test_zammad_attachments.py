"""Files and HTML on Zammad articles, against the stateful fake (tests/vendors/zammad_fake.py): sent
as base64 in the article, read back through the feed, downloaded byte-exact, exactly once."""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import replace
from pathlib import Path

import pytest

from agent_desktop.backends.base import Capability, MalformedResponse, Rejected, TransferCancelled
from agent_desktop.backends.protocols import OutgoingFile
from agent_desktop.backends.registry import make_backend
from agent_desktop.backends.zammad import MAX_FILE_BYTES, ZammadBackend
from agent_desktop.domain.attachments import sniff
from agent_desktop.domain.records import parse_message
from agent_desktop.domain.timeutil import now_iso
from tests.contract.zammad_helpdesk import ZammadHelpdesk
from tests.vendors.zammad_fake import ZammadFake

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def fake():
    server = ZammadFake(tickets=10).start()
    yield server
    ZammadHelpdesk(server).check_contract()   # only documented endpoints, nothing Zammad would refuse
    server.stop()


@pytest.fixture
def backend(fake) -> ZammadBackend:
    found = make_backend(fake.url, "zammad")
    found.sign_in(fake.agent_login, fake.agent_token)
    return found


def stage(folder: Path, name: str, data: bytes) -> OutgoingFile:
    digest = hashlib.sha256(data).hexdigest()
    (folder / digest).write_bytes(data)
    return OutgoingFile(str(folder / digest), name, len(data), sniff(data), digest)


def pull_messages(backend, cursor=None):
    found = {}
    while True:
        batch = backend.changes(cursor, 100)
        cursor = batch.cursor
        for change in batch.changes:
            if change["entity"] == "message" and change["op"] == "upsert":
                found[change["id"]] = parse_message(change["id"], change["data"])
        if not batch.has_more:
            return found, cursor


def test_zammad_declares_attachments_with_its_limit(backend):
    assert Capability.ATTACHMENTS in backend.capabilities
    assert backend.max_attachment_bytes() == MAX_FILE_BYTES == 10_000_000


def test_an_html_reply_with_a_png_and_a_chinese_named_pdf_round_trips_byte_exact(backend, fake, tmp_path):
    tid = fake.new_ticket("请发报告")
    _seen, cursor = pull_messages(backend)
    document = b"%PDF-1.4\n" + os.urandom(3 * 1024 * 1024)
    files = [stage(tmp_path, "截图.png", PNG), stage(tmp_path, "季度报告.pdf", document)]
    ticks: list[tuple[int, int]] = []
    sent = backend.send_with_attachments(str(tid), "reply", "Report attached", "z-1", files=files,
                                         body_html="<p>Report <b>attached</b> 请查收</p>",
                                         progress=lambda done, total: ticks.append((done, total)))
    total = len(PNG) + len(document)
    assert ticks[0] == (0, total) and ticks[-1] == (total, total)
    with fake.lock:
        stored = fake.articles[int(sent["id"])]
        kept = {fake.files[a["id"]]["filename"]: fake.files[a["id"]]["data"] for a in stored["attachments"]}
    assert stored["content_type"] == "text/html" and "<b>attached</b>" in stored["body"]
    assert kept == {"截图.png": PNG, "季度报告.pdf": document}
    message = parse_message(sent["id"], sent)
    assert [a.sha256 for a in message.attachments] == [f.sha256 for f in files]

    pulled = pull_messages(backend, cursor)[0][sent["id"]]
    assert "<b>attached</b>" in pulled.body_html and pulled.body == "Report attached 请查收"
    assert [(a.name, a.size, a.content_type) for a in pulled.attachments] == [
        ("截图.png", len(PNG), "image/png"), ("季度报告.pdf", len(document), "application/pdf")]
    for att, data in zip(pulled.attachments, (PNG, document), strict=True):
        out = io.BytesIO()
        backend.download_attachment(att, str(tid), pulled.id, out)
        assert out.getvalue() == data
    with pytest.raises(MalformedResponse, match="hash"):   # a hash we know is checked
        backend.download_attachment(replace(message.attachments[0], sha256="1" * 64), str(tid), pulled.id,
                                    io.BytesIO())


def test_a_customers_html_mail_with_an_inline_image_keeps_its_content_id(backend, fake):
    tid = fake.new_ticket("logo")
    _seen, cursor = pull_messages(backend)
    fake.customer_writes(tid, "", html='<p>见图 <img src="cid:logo@example.com"></p>',
                         files=[("logo.png", PNG, "image/png", "logo@example.com"),
                                ("发票.pdf", b"%PDF-1.4\n", "application/pdf", "")])
    # A touched ticket comes with all its articles: the ticket's first one, then the mail.
    mine = sorted((m for m in pull_messages(backend, cursor)[0].values() if m.conversation_id == str(tid)),
                  key=lambda m: int(m.id))[1:]
    assert len(mine) == 1 and mine[0].direction == "in" and mine[0].body == "见图"
    logo, invoice = mine[0].attachments
    assert (logo.content_id, logo.inline, invoice.inline) == ("logo@example.com", True, False)
    assert 'src="cid:logo@example.com"' in mine[0].body_html
    out = io.BytesIO()
    backend.download_attachment(logo, str(tid), mine[0].id, out)
    assert out.getvalue() == PNG


def test_a_resend_after_a_lost_answer_adopts_the_article_with_the_same_files(backend, fake, tmp_path):
    tid = str(fake.new_ticket("contract"))
    files = [stage(tmp_path, "合同.pdf", b"%PDF-1.4\n" + os.urandom(5000))]
    began = now_iso()
    first = backend.send_with_attachments(tid, "note", "contract", "z-2", files=files)
    again = backend.send_with_attachments(tid, "note", "contract", "z-2", files=files, resend_since=began)
    assert again["id"] == first["id"] and again["attachments"][0]["sha256"] == files[0].sha256
    with fake.lock:
        assert sum(1 for f in fake.files.values() if f["filename"] == "合同.pdf") == 1
    # The same text without the file is another message: sent, not adopted.
    plain = backend.post_message(tid, "note", "contract", "z-3", resend_since=began)
    assert plain["id"] != first["id"]


def test_too_big_files_are_refused_before_anything_is_sent(backend, fake, tmp_path):
    tid = str(fake.new_ticket("big"))
    small = stage(tmp_path, "a.pdf", b"%PDF-1.4\n")
    with fake.lock:
        before = len(fake.articles)
    with pytest.raises(Rejected, match="larger") as one:
        backend.send_with_attachments(tid, "reply", "x", "z-4", files=[
            OutgoingFile(small.path, "huge.pdf", MAX_FILE_BYTES + 1, small.content_type, small.sha256)])
    assert one.value.status == 413
    nine = [OutgoingFile(small.path, f"{n}.pdf", MAX_FILE_BYTES, small.content_type, small.sha256) for n in range(4)]
    with pytest.raises(Rejected, match="together"):
        backend.send_with_attachments(tid, "reply", "x", "z-5", files=nine)
    with fake.lock:
        assert len(fake.articles) == before


def test_a_cancelled_upload_or_download_stops(backend, fake, tmp_path):
    tid = str(fake.new_ticket("cancel"))
    big = stage(tmp_path, "big.pdf", b"%PDF-1.4\n" + os.urandom(2 * 1024 * 1024))

    def cancel(done: int, _total: int) -> None:
        if done > 100_000:
            raise TransferCancelled("cancelled")

    with fake.lock:
        before = len(fake.articles)
    with pytest.raises(TransferCancelled):
        backend.send_with_attachments(tid, "reply", "x", "z-6", files=[big], progress=cancel)
    with fake.lock:
        assert len(fake.articles) == before
    sent = backend.send_with_attachments(tid, "reply", "x", "z-7", files=[big])
    att = parse_message(sent["id"], sent).attachments[0]
    with pytest.raises(TransferCancelled):
        backend.download_attachment(att, tid, sent["id"], io.BytesIO(), cancel)


def test_an_attachment_of_another_article_is_not_found(backend, fake, tmp_path):
    tid = str(fake.new_ticket("one"))
    sent = backend.send_with_attachments(tid, "reply", "x", "z-8", files=[stage(tmp_path, "a.png", PNG)])
    other = backend.post_message(tid, "reply", "y", "z-9")
    att = parse_message(sent["id"], sent).attachments[0]
    with pytest.raises(Rejected) as missing:
        backend.download_attachment(att, tid, other["id"], io.BytesIO())
    assert missing.value.status == 404
