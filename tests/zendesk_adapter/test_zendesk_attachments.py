"""Files and HTML on Zendesk comments: uploads (which bypass Prism: the document does not describe
their binary body; their answers are checked against its `AttachmentUploadResponse` instead), the
comment with `uploads` and `html_body` (checked by Prism), the feed, downloads, exactly once."""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import replace
from pathlib import Path

import pytest

from agent_desktop.backends.base import Capability, MalformedResponse, Rejected, ServerBusy, TransferCancelled
from agent_desktop.backends.protocols import OutgoingFile
from agent_desktop.backends.zendesk import MAX_ATTACHMENT_BYTES, ZendeskBackend
from agent_desktop.domain.attachments import sniff
from agent_desktop.domain.records import parse_message
from agent_desktop.domain.timeutil import now_iso
from tests.contract.zendesk_helpdesk import ZendeskHelpdesk
from tests.vendors import zendesk_fake
from tests.vendors.fake_http import Answer, FakeHttpServer
from tests.vendors.schema_check import check_zendesk
from tests.vendors.zendesk_fake import ADMIN_EMAIL, ADMIN_TOKEN

FAST = {"export_rate": 100000, "search_rate": 100000, "api_rate": 100000}
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with zendesk_fake.stack(tmp_path_factory.mktemp("zendesk-files"), tickets=20) as (fake, prism, front):
        desk = ZendeskHelpdesk(fake, prism, front.url)
        yield desk, front
        desk.check_contract()
        assert front.violations == [], front.violations   # the upload answers, checked against the document


@pytest.fixture
def fake(stack):
    return stack[0].fake


@pytest.fixture
def backend(stack) -> ZendeskBackend:
    made = ZendeskBackend(stack[0].url, **FAST)
    made.sign_in(ADMIN_EMAIL, ADMIN_TOKEN)
    return made


def stage(folder: Path, name: str, data: bytes) -> OutgoingFile:
    digest = hashlib.sha256(data).hexdigest()
    (folder / digest).write_bytes(data)
    return OutgoingFile(str(folder / digest), name, len(data), sniff(data), digest)


def pull_messages(backend, cursor=None):
    found = {}
    while True:
        batch = backend.changes(cursor, 500)
        cursor = batch.cursor
        for change in batch.changes:
            if change["entity"] == "message" and change["op"] == "upsert":
                found[change["id"]] = parse_message(change["id"], change["data"])
        if not batch.has_more:
            return found, cursor


def download(backend, att, tid, mid) -> bytes:
    out = io.BytesIO()
    backend.download_attachment(att, tid, mid, out)
    return out.getvalue()


def test_zendesk_declares_attachments_with_its_limit(backend):
    assert Capability.ATTACHMENTS in backend.capabilities
    assert backend.max_attachment_bytes() == MAX_ATTACHMENT_BYTES == 50 * 1024 * 1024


def test_an_html_reply_with_two_files_is_uploaded_then_commented_and_round_trips(backend, fake, tmp_path):
    tid = fake.new_ticket("请发合同")
    document = b"%PDF-1.4\n" + os.urandom(2 * 1024 * 1024)
    files = [stage(tmp_path, "截图.png", PNG), stage(tmp_path, "合同 v2.pdf", document)]
    ticks: list[tuple[int, int]] = []
    sent = backend.send_with_attachments(tid, "reply", "Contract attached", "zd-1", files=files,
                                         body_html="<p>Contract <strong>attached</strong> 请查收</p>",
                                         progress=lambda done, total: ticks.append((done, total)))
    total = len(PNG) + len(document)
    assert ticks[0] == (0, total) and ticks[-1] == (total, total)
    assert [t for t in ticks if t[0] == len(PNG)]   # the second file's progress continues the first's
    message = parse_message(sent["id"], sent)
    assert [(a.name, a.size, a.content_type) for a in message.attachments] == [
        ("截图.png", len(PNG), "image/png"), ("合同 v2.pdf", len(document), "application/pdf")]
    assert [a.sha256 for a in message.attachments] == [f.sha256 for f in files]
    assert "<strong>attached</strong>" in message.body_html
    with fake.lock:
        assert not fake.uploads   # the token was consumed by the comment
    pulled = pull_messages(backend)[0][sent["id"]]
    assert [(a.id, a.name) for a in pulled.attachments] == [(a.id, a.name) for a in message.attachments]
    assert "<strong>attached</strong>" in pulled.body_html
    assert download(backend, pulled.attachments[0], tid, pulled.id) == PNG
    assert download(backend, pulled.attachments[1], tid, pulled.id) == document
    with pytest.raises(MalformedResponse, match="hash"):
        backend.download_attachment(replace(message.attachments[0], sha256="2" * 64), tid, pulled.id, io.BytesIO())


def test_a_customers_mail_with_a_file_and_a_plain_comment_carry_no_html(backend, fake):
    tid = fake.new_ticket("invoice")
    fake.customer_writes(tid, "see the invoice", html="<p>see the <b>invoice</b></p>",
                         files=[("发票.pdf", b"%PDF-1.4\ninvoice", "application/pdf")])
    mine = sorted((m for m in pull_messages(backend)[0].values() if m.conversation_id == tid), key=lambda m: int(m.id))
    first, mail = mine[0], mine[-1]
    assert first.body_html == "" and not first.attachments   # Zendesk's plain wrapping is no HTML
    assert mail.direction == "in" and "<b>invoice</b>" in mail.body_html
    assert [(a.name, a.content_type) for a in mail.attachments] == [("发票.pdf", "application/pdf")]
    assert download(backend, mail.attachments[0], tid, mail.id) == b"%PDF-1.4\ninvoice"


def test_a_resend_adopts_the_comment_and_a_retry_in_the_session_reuses_the_uploads(backend, fake, tmp_path):
    tid = fake.new_ticket("resend")
    files = [stage(tmp_path, "a.pdf", b"%PDF-1.4\n" + os.urandom(3000))]
    began = now_iso()
    with fake.lock:
        stored_before = len(fake.files)
    # A first attempt whose comment never landed: its upload is kept for the retry.
    fake.refuse(times=1, retry_after=None)   # the next request (the upload) … is refused: nothing uploaded
    with pytest.raises(ServerBusy):
        backend.send_with_attachments(tid, "reply", "the file", "zd-2", files=files)
    first = backend.send_with_attachments(tid, "reply", "the file", "zd-2", files=files, resend_since=began)
    again = backend.send_with_attachments(tid, "reply", "the file", "zd-2", files=files, resend_since=began)
    assert again["id"] == first["id"] and again["attachments"][0]["sha256"] == files[0].sha256
    with fake.lock:
        assert len(fake.files) == stored_before + 1
    plain = backend.post_message(tid, "reply", "the file", "zd-3", resend_since=began)
    assert plain["id"] != first["id"]


def test_uploads_made_before_a_lost_comment_are_reused_not_made_again(backend, fake, tmp_path):
    tid = fake.new_ticket("reuse")
    files = [stage(tmp_path, "b.pdf", b"%PDF-1.4\n" + os.urandom(2000))]

    def refuse_comment(request):
        return Answer(429, {"error": "TooManyRequests", "description": "Rate limit exceeded"})

    with fake.lock:
        stored_before = len(fake.files)
    # The comment (PUT through Prism to the fake) fails once after the upload went through.
    original = fake._update
    calls = {"n": 0}

    def flaky(request):
        calls["n"] += 1
        return refuse_comment(request) if calls["n"] == 1 else original(request)

    fake._routes = [(m, p, flaky if h == original else h) for m, p, h in fake._routes]
    try:
        began = now_iso()
        with pytest.raises(ServerBusy):
            backend.send_with_attachments(tid, "note", "kept", "zd-4", files=files)
        sent = backend.send_with_attachments(tid, "note", "kept", "zd-4", files=files, resend_since=began)
    finally:
        fake._routes = [(m, p, original if h == flaky else h) for m, p, h in fake._routes]
    with fake.lock:
        assert len(fake.files) == stored_before + 1
    assert parse_message(sent["id"], sent).attachments[0].name == "b.pdf"


def test_files_over_50_mb_are_refused_and_a_cancelled_upload_attaches_nothing(backend, fake, tmp_path):
    tid = fake.new_ticket("big")
    small = stage(tmp_path, "c.pdf", b"%PDF-1.4\n")
    with pytest.raises(Rejected) as refused:
        backend.send_with_attachments(tid, "reply", "x", "zd-5", files=[
            OutgoingFile(small.path, "huge.pdf", MAX_ATTACHMENT_BYTES + 1, small.content_type, small.sha256)])
    assert refused.value.status == 413
    big = stage(tmp_path, "big.pdf", b"%PDF-1.4\n" + os.urandom(1024 * 1024))

    def cancel(done: int, _total: int) -> None:
        if done > 100_000:
            raise TransferCancelled("cancelled")

    with fake.lock:
        comments = len(fake.tickets[int(tid)]["_comments"])
    with pytest.raises(TransferCancelled):
        backend.send_with_attachments(tid, "reply", "x", "zd-6", files=[big], progress=cancel)
    with fake.lock:
        assert len(fake.tickets[int(tid)]["_comments"]) == comments


def test_a_file_kept_on_another_host_is_fetched_without_our_credentials(backend, fake, tmp_path):
    seen: list[dict[str, str]] = []
    cdn = FakeHttpServer()

    def serve(request):
        seen.append(request.headers)
        return Answer(200, raw=b"cdn bytes", headers={"Content-Type": "application/pdf"})

    cdn.route("GET", "/files/x", serve)
    with cdn:
        tid = fake.new_ticket("cdn")
        fake.customer_writes(tid, "file", files=[("x.pdf", b"local", "application/pdf")])
        with fake.lock:
            record = max(fake.files.values(), key=lambda f: f["record"]["id"])["record"]
            record["content_url"] = f"{cdn.url}/files/x"
        mail = max((m for m in pull_messages(backend)[0].values() if m.conversation_id == tid), key=lambda m: int(m.id))
        assert download(backend, mail.attachments[0], tid, mail.id) == b"cdn bytes"
    assert seen and "authorization" not in seen[0]


def test_the_schema_check_catches_an_upload_answer_that_breaks_the_document():
    assert check_zendesk({"upload": {"token": "t", "attachment": {"id": "seven", "size": 3}}},
                         "AttachmentUploadResponse") == ["$.upload.attachment.id should be integer, is str"]
