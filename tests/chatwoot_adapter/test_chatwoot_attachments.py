"""Files on Chatwoot messages: sent as multipart/form-data (which bypasses Prism: Prism refuses
binary parts; its answer is checked against the document's message schema instead), read back
through the feed, downloaded from `data_url` byte-exact, exactly once; HTML replies as Markdown."""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import replace
from pathlib import Path

import pytest

from agent_desktop.backends.base import Capability, MalformedResponse, Rejected, TransferCancelled
from agent_desktop.backends.chatwoot import MAX_ATTACHMENT_BYTES, ChatwootBackend
from agent_desktop.backends.protocols import OutgoingFile
from agent_desktop.backends.vendor_kit import html_to_markdown
from agent_desktop.domain.attachments import sniff
from agent_desktop.domain.records import parse_message
from agent_desktop.domain.timeutil import now_iso
from tests.contract.chatwoot_helpdesk import ChatwootHelpdesk
from tests.vendors import chatwoot_fake
from tests.vendors.chatwoot_fake import ACCOUNT, TOKEN
from tests.vendors.schema_check import check_chatwoot

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with chatwoot_fake.stack(tmp_path_factory.mktemp("chatwoot-files")) as (fake, prism, front):
        desk = ChatwootHelpdesk(fake, prism)
        yield desk, front
        desk.check_contract()
        assert front.violations == [], front.violations   # multipart answers, against the document


@pytest.fixture
def fake(stack):
    return stack[0].fake


@pytest.fixture
def backend(stack) -> ChatwootBackend:
    made = ChatwootBackend(f"{stack[1].url}/app/accounts/{ACCOUNT}")
    made.sign_in(stack[0].user, TOKEN)
    return made


def stage(folder: Path, name: str, data: bytes) -> OutgoingFile:
    digest = hashlib.sha256(data).hexdigest()
    (folder / digest).write_bytes(data)
    return OutgoingFile(str(folder / digest), name, len(data), sniff(data), digest)


def download(backend, att, cid, mid) -> bytes:
    out = io.BytesIO()
    backend.download_attachment(att, cid, mid, out)
    return out.getvalue()


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


def test_chatwoot_declares_attachments_with_its_limit(backend):
    assert Capability.ATTACHMENTS in backend.capabilities
    assert backend.max_attachment_bytes() == MAX_ATTACHMENT_BYTES == 40 * 1024 * 1024


def test_a_reply_with_a_png_and_a_chinese_named_pdf_round_trips_and_its_html_goes_as_markdown(
        backend, fake, tmp_path):
    _seen, cursor = pull_messages(backend)
    cid = str(fake.customer_opens("请发截图"))
    document = b"%PDF-1.4\n" + os.urandom(3 * 1024 * 1024)
    files = [stage(tmp_path, "截图.png", PNG), stage(tmp_path, "季度报告 2026.pdf", document)]
    ticks: list[tuple[int, int]] = []
    sent = backend.send_with_attachments(cid, "reply", "ignored plain text", "cw-1", files=files,
                                         body_html="<p>See <b>both</b> <a href='https://example.com/x'>files</a></p>",
                                         progress=lambda done, total: ticks.append((done, total)))
    total = len(PNG) + len(document)
    assert ticks[0] == (0, total) and ticks[-1] == (total, total)
    assert sent["body"] == "See **both** [files](https://example.com/x)"
    with fake.lock:
        kept = {f["name"]: f["data"] for f in fake.files.values() if f["message_id"] == int(sent["id"])}
    assert kept == {"截图.png": PNG, "季度报告 2026.pdf": document}
    message = parse_message(sent["id"], sent)
    assert [(a.name, a.size, a.content_type) for a in message.attachments] == [
        ("截图.png", len(PNG), "image/png"), ("季度报告 2026.pdf", len(document), "application/pdf")]
    assert [a.sha256 for a in message.attachments] == [f.sha256 for f in files]

    pulled = pull_messages(backend, cursor)[0][sent["id"]]
    assert [(a.id, a.name, a.size) for a in pulled.attachments] == [(a.id, a.name, a.size) for a in message.attachments]
    assert download(backend, pulled.attachments[0], cid, pulled.id) == PNG
    assert download(backend, pulled.attachments[1], cid, pulled.id) == document
    with pytest.raises(MalformedResponse, match="hash"):
        backend.download_attachment(replace(message.attachments[0], sha256="3" * 64), cid, pulled.id, io.BytesIO())


def test_a_customers_email_with_html_and_a_file_arrives_with_both(backend, fake):
    _seen, cursor = pull_messages(backend)
    cid = fake.customer_opens("invoice")
    fake.customer_writes(cid, "see invoice", email_html="<p>see <b>invoice</b></p>",
                         files=[("发票.pdf", b"%PDF-1.4\ninvoice", "application/pdf"), ("photo.jpg", b"\xff\xd8\xff", "image/jpeg")])
    mail = max((m for m in pull_messages(backend, cursor)[0].values() if m.conversation_id == str(cid)),
               key=lambda m: int(m.id))
    assert mail.direction == "in" and mail.body == "see invoice" and "<b>invoice</b>" in mail.body_html
    assert [(a.name, a.content_type) for a in mail.attachments] == [("发票.pdf", "application/pdf"),
                                                                    ("photo.jpg", "image/jpeg")]
    assert download(backend, mail.attachments[0], str(cid), mail.id) == b"%PDF-1.4\ninvoice"


def test_a_resend_adopts_the_message_with_the_same_files_and_the_same_text_alone_is_sent(backend, fake, tmp_path):
    cid = str(fake.customer_opens("resend"))
    files = [stage(tmp_path, "合同.pdf", b"%PDF-1.4\n" + os.urandom(4000))]
    began = now_iso()
    first = backend.send_with_attachments(cid, "note", "contract", "cw-2", files=files)
    again = backend.send_with_attachments(cid, "note", "contract", "cw-2", files=files, resend_since=began)
    assert again["id"] == first["id"] and again["attachments"][0]["sha256"] == files[0].sha256
    with fake.lock:
        assert sum(1 for f in fake.files.values() if f["name"] == "合同.pdf") == 1
    plain = backend.post_message(cid, "note", "contract", "cw-3", resend_since=began)
    assert plain["id"] != first["id"]


def test_too_big_files_are_refused_before_sending_and_a_cancelled_upload_stores_nothing(backend, fake, tmp_path):
    cid = str(fake.customer_opens("big"))
    small = stage(tmp_path, "a.pdf", b"%PDF-1.4\n")
    with pytest.raises(Rejected) as refused:
        backend.send_with_attachments(cid, "reply", "x", "cw-4", files=[
            OutgoingFile(small.path, "huge.pdf", MAX_ATTACHMENT_BYTES + 1, small.content_type, small.sha256)])
    assert refused.value.status == 413
    big = stage(tmp_path, "big.pdf", b"%PDF-1.4\n" + os.urandom(2 * 1024 * 1024))

    def cancel(done: int, _total: int) -> None:
        if done > 200_000:
            raise TransferCancelled("cancelled")

    with fake.lock:
        before = len(fake.messages[int(cid)])
    with pytest.raises(TransferCancelled):
        backend.send_with_attachments(cid, "reply", "x", "cw-5", files=[big], progress=cancel)
    with fake.lock:
        assert len(fake.messages[int(cid)]) == before


def test_a_file_of_another_message_is_not_found(backend, fake, tmp_path):
    cid = str(fake.customer_opens("other"))
    sent = backend.send_with_attachments(cid, "reply", "x", "cw-6", files=[stage(tmp_path, "a.png", PNG)])
    other = backend.post_message(cid, "reply", "y", "cw-7")
    with pytest.raises(Rejected) as missing:
        backend.download_attachment(parse_message(sent["id"], sent).attachments[0], cid, other["id"], io.BytesIO())
    assert missing.value.status == 404


@pytest.mark.parametrize(("html", "markdown"), [
    ("<p>Hello <strong>you</strong></p><p>Second</p>", "Hello **you**\n\nSecond"),
    ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
    ("<ol><li>a</li><li><em>b</em></li></ol>", "1. a\n2. *b*"),
    ("a<br>b &amp; c", "a\nb & c"),
    ("<a href='javascript:alert(1)'>x</a> <a href='https://e.com'>y</a>", "x [y](https://e.com)"),
    ("<p>你好<script>steal()</script><code>x = 1</code></p>", "你好`x = 1`"),
])
def test_html_replies_become_markdown(html, markdown):
    assert html_to_markdown(html) == markdown


def test_the_schema_check_catches_a_message_answer_that_breaks_the_document():
    assert check_chatwoot({"id": 1, "message_type": 7}, "message") == ["$.message_type is 7, not one of [0, 1, 2, 3]"]
