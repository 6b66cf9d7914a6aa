"""Files and HTML on a live Request Tracker 5: sent through REST2, read back through the feed,
downloaded byte-exact, exactly once after a lost answer, and a customer's e-mail with parts."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from agent_desktop.backends.base import Capability, MalformedResponse, Rejected, TransferCancelled
from agent_desktop.backends.protocols import OutgoingFile
from agent_desktop.backends.rt import RequestTrackerBackend
from agent_desktop.domain.attachments import Attachment, sniff
from agent_desktop.domain.records import Message, parse_message
from agent_desktop.domain.timeutil import now_iso
from tests.rt.rt_server import RT_LIB, RunningRT

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
PDF_NAME = "季度报告 2026.pdf"


def stage(folder: Path, name: str, data: bytes) -> OutgoingFile:
    digest = hashlib.sha256(data).hexdigest()
    path = folder / digest
    path.write_bytes(data)
    return OutgoingFile(str(path), name, len(data), sniff(data), digest)


def pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(size - 9)


@pytest.fixture(scope="module")
def rt(rt_server: RunningRT) -> RequestTrackerBackend:
    backend = RequestTrackerBackend(rt_server.url)
    backend.sign_in(rt_server.agent.name, rt_server.agent.token or "")
    return backend


@pytest.fixture(scope="module")
def feed(rt: RequestTrackerBackend) -> dict[str, Any]:
    """The first sync once for the module; tests then follow the log from where it ended."""
    cursor = None
    while True:
        batch = rt.changes(cursor)
        cursor = batch.cursor
        if not batch.has_more:
            return {"cursor": cursor}


def pull_messages(rt: RequestTrackerBackend, feed: dict[str, Any]) -> dict[str, Message]:
    found: dict[str, Message] = {}
    while True:
        batch = rt.changes(feed["cursor"])
        feed["cursor"] = batch.cursor
        for change in batch.changes:
            if change["entity"] == "message" and change["op"] == "upsert":
                found[change["id"]] = parse_message(change["id"], change["data"])
        if not batch.has_more:
            return found


def history(rt_server: RunningRT, ticket: int) -> list[dict[str, Any]]:
    answer = requests.get(f"{rt_server.rest_url}/ticket/{ticket}/history", auth=rt_server.root.basic_auth,
                          params={"per_page": 100, "fields": "Type"}, timeout=30)
    answer.raise_for_status()
    return [t for t in answer.json()["items"] if t["Type"] in ("Correspond", "Comment")]


def download(rt: RequestTrackerBackend, att: Attachment, ticket: int, message_id: str) -> bytes:
    out = io.BytesIO()
    rt.download_attachment(att, str(ticket), message_id, out)
    return out.getvalue()


def test_request_tracker_declares_attachments_with_its_default_limit(rt):
    assert Capability.ATTACHMENTS in rt.capabilities
    assert rt.max_attachment_bytes() == 10 * 1024 * 1024


def test_a_reply_with_a_png_and_a_chinese_named_pdf_comes_back_through_the_feed_byte_exact(
        rt, rt_server, feed, tmp_path):
    ticket = rt_server.seeded.tickets[-1]
    png, document = PNG, pdf(5 * 1024 * 1024)
    files = [stage(tmp_path, "截图.png", png), stage(tmp_path, PDF_NAME, document)]
    ticks: list[tuple[int, int]] = []
    sent = rt.send_with_attachments(str(ticket), "reply", "Hello, the report is attached.", "att-rt-1", files=files,
                                    body_html="<p>Hello, the <b>report</b> is attached. 请查收</p>",
                                    progress=lambda done, total: ticks.append((done, total)))
    assert ticks[0] == (0, len(png) + len(document)) and ticks[-1] == (len(png) + len(document),) * 2
    message = parse_message(sent["id"], sent)
    assert [(a.name, a.size, a.content_type) for a in message.attachments] == [
        ("截图.png", len(png), "image/png"), (PDF_NAME, len(document), "application/pdf")]
    assert [a.sha256 for a in message.attachments] == [f.sha256 for f in files]

    pulled = pull_messages(rt, feed)[sent["id"]]
    assert pulled.direction == "out" and "请查收" in pulled.body
    assert "<b>report</b>" in pulled.body_html
    assert [(a.id, a.name, a.size, a.content_type) for a in pulled.attachments] == [
        (a.id, a.name, a.size, a.content_type) for a in message.attachments]
    assert not any(a.name.endswith((".txt", ".html")) for a in pulled.attachments)   # the body is no file
    assert download(rt, pulled.attachments[0], ticket, pulled.id) == png
    started = time.monotonic()
    assert download(rt, pulled.attachments[1], ticket, pulled.id) == document
    assert time.monotonic() - started < 30
    # The hash the send returned is checked on download: bytes that differ are refused.
    with pytest.raises(MalformedResponse, match="hash"):
        rt.download_attachment(replace(message.attachments[0], sha256="0" * 64), str(ticket), pulled.id, io.BytesIO())


def test_a_download_reports_progress_and_stops_when_cancelled(rt, rt_server, tmp_path):
    ticket = rt_server.seeded.tickets[-2]
    data = pdf(600 * 1024)
    sent = rt.send_with_attachments(str(ticket), "note", "a note with a file", "att-rt-2",
                                    files=[stage(tmp_path, "notes.pdf", data)])
    att = parse_message(sent["id"], sent).attachments[0]
    ticks: list[tuple[int, int]] = []
    out = io.BytesIO()
    rt.download_attachment(att, str(ticket), sent["id"], out, lambda done, total: ticks.append((done, total)))
    assert out.getvalue() == data and ticks[-1] == (len(data), len(data)) and len(ticks) > 2

    def cancel(done: int, _total: int) -> None:
        if done > 0:
            raise TransferCancelled("the agent cancelled")

    with pytest.raises(TransferCancelled):
        rt.download_attachment(att, str(ticket), sent["id"], io.BytesIO(), cancel)


def test_a_cancelled_upload_stores_nothing(rt, rt_server, tmp_path):
    ticket = rt_server.seeded.tickets[-3]
    before = len(history(rt_server, ticket))

    def cancel(done: int, _total: int) -> None:
        if done > 1024 * 1024:
            raise TransferCancelled("the agent cancelled")

    with pytest.raises(TransferCancelled):
        rt.send_with_attachments(str(ticket), "reply", "never sent", "att-rt-3",
                                 files=[stage(tmp_path, "big.pdf", pdf(4 * 1024 * 1024))], progress=cancel)
    assert len(history(rt_server, ticket)) == before


def test_a_file_over_rts_limit_is_refused_before_anything_is_sent(rt, rt_server, tmp_path):
    ticket = rt_server.seeded.tickets[-3]
    before = len(history(rt_server, ticket))
    big = stage(tmp_path, "huge.pdf", b"%PDF-1.4\n")
    huge = OutgoingFile(big.path, big.name, rt.max_attachment_bytes() + 1, big.content_type, big.sha256)
    with pytest.raises(Rejected) as refused:
        rt.send_with_attachments(str(ticket), "reply", "too big", "att-rt-4", files=[huge])
    assert refused.value.status == 413 and "10 MB" in str(refused.value)
    assert len(history(rt_server, ticket)) == before


def test_a_resend_after_a_lost_answer_adopts_the_first_and_stores_no_file_twice(rt, rt_server, tmp_path):
    ticket = rt_server.seeded.tickets[-4]
    files = [stage(tmp_path, "合同.pdf", pdf(20 * 1024))]
    began = now_iso()
    first = rt.send_with_attachments(str(ticket), "reply", "contract attached", "att-rt-5", files=files)
    before = len(history(rt_server, ticket))
    again = rt.send_with_attachments(str(ticket), "reply", "contract attached", "att-rt-5", files=files,
                                     resend_since=began)
    assert again["id"] == first["id"]
    assert [a["id"] for a in again["attachments"]] == [a["id"] for a in first["attachments"]]
    assert again["attachments"][0]["sha256"] == files[0].sha256
    assert len(history(rt_server, ticket)) == before
    # The same text without the file is another message: it is sent, not adopted.
    plain = rt.post_message(str(ticket), "reply", "contract attached", "att-rt-6", resend_since=began)
    assert plain["id"] != first["id"] and len(history(rt_server, ticket)) == before + 1


CUSTOMER_EMAIL = r"""
use strict; use warnings; use utf8;
use lib '%(lib)s';
use RT; RT::LoadConfig(); RT::Init();
use MIME::Entity; use Encode;
my ($email, $ticket_id, $png_path) = @ARGV;
my $user = RT::User->new(RT->SystemUser);
$user->LoadOrCreateByEmail(EmailAddress => $email, RealName => $email);
my $me = RT::CurrentUser->new; $me->Load($user->Id);
my $ticket = RT::Ticket->new($me); $ticket->Load($ticket_id) or die "no ticket";
my $top = MIME::Entity->build(Type => 'multipart/mixed');
my $alt = MIME::Entity->build(Type => 'multipart/related');
my $text = MIME::Entity->build(Type => 'multipart/alternative');
$text->attach(Type => 'text/plain', Charset => 'UTF-8', Data => [encode('UTF-8', "见附件 see the photo\n")]);
$text->attach(Type => 'text/html', Charset => 'UTF-8',
              Data => [encode('UTF-8', '<p>见附件 <img src="cid:logo@example.com"></p>')]);
$alt->add_part($text);
$alt->attach(Type => 'image/png', Path => $png_path, Filename => undef, Encoding => 'base64', Disposition => 'inline',
             Id => '<logo@example.com>');
$top->add_part($alt);
$top->attach(Type => 'text/plain', Charset => 'UTF-8', Filename => 'log.txt', Disposition => 'attachment',
             Data => ["line 1\nline 2\n"]);
my ($ok, $msg) = $ticket->Correspond(MIMEObj => $top);
die "correspond: $msg" unless $ok;
print "ok\n";
"""


def test_a_customers_html_mail_with_an_inline_picture_and_a_text_file(rt, rt_server, feed, tmp_path):
    ticket = rt_server.seeded.tickets[-5]
    png = tmp_path / "logo.png"
    png.write_bytes(PNG)
    email = next(r.email for r in rt_server.seeded.requestors)
    requests.put(f"{rt_server.rest_url}/ticket/{ticket}", auth=rt_server.root.basic_auth, timeout=30,
                 json={"Requestor": [email]}).raise_for_status()
    subprocess.run(["perl", "-e", CUSTOMER_EMAIL % {"lib": RT_LIB}, email, str(ticket), str(png)],
                   env=rt_server.env(), check=True, capture_output=True, timeout=120)
    mine = [m for m in pull_messages(rt, feed).values() if m.conversation_id == str(ticket)]
    assert len(mine) == 1
    message = mine[0]
    assert message.direction == "in" and message.body.strip() == "见附件 see the photo"
    assert 'src="cid:logo@example.com"' in message.body_html
    assert len(message.attachments) == 2   # the plain and HTML parts are the message, not files
    by_name = {a.name: a for a in message.attachments}
    logo = next(a for a in message.attachments if a.content_type == "image/png")
    assert logo.name == f"attachment-{logo.id}.png"   # sent without a name: named after its id
    assert logo.content_id == "logo@example.com" and logo.inline and logo.size == len(PNG)
    text = by_name["log.txt"]
    assert text.content_type == "text/plain" and not text.inline
    assert download(rt, logo, ticket, message.id) == PNG
    assert download(rt, text, ticket, message.id) == b"line 1\nline 2\n"
