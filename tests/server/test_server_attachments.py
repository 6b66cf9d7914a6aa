"""Files on messages against a real server on 127.0.0.1 over a real SQLite file: upload, download,
dedupe, idempotency, the cap (declared and streamed), hostile names and types, inbound e-mail parts."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from agent_desktop.domain.records import parse_message
from agent_desktop.server import db as store
from agent_desktop.server import files
from agent_desktop.server.db import Database
from agent_desktop.server.demo_data import load_demo
from agent_desktop.server.embedded import EmbeddedServer

from .conftest import KEY, Api

CAP = 256 * 1024
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + bytes(range(256)) * 4
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500   # a Windows program, whatever its name says


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, EmbeddedServer]]:
    path = tmp_path_factory.mktemp("attachments") / "server.sqlite3"
    database = Database(path)
    load_demo(database, customers=20, conversations=60)
    database.close()
    server = EmbeddedServer()
    server.start(path, demo=False, max_attachment_bytes=CAP)
    assert server.url
    yield Api(server.url), server
    server.stop()


@pytest.fixture
def api(served: tuple[Api, EmbeddedServer]) -> Api:
    return served[0]


@pytest.fixture
def server(served: tuple[Api, EmbeddedServer]) -> EmbeddedServer:
    return served[1]


def _db(server: EmbeddedServer) -> Database:
    assert server.app is not None
    return server.app.state.db


def _store(server: EmbeddedServer) -> files.FileStore:
    assert server.app is not None
    return server.app.state.files


def _conversation(server: EmbeddedServer, queue: str = "q-complaints") -> str:
    """An open conversation of agent1 in `queue` (agent2 does not serve q-complaints)."""
    row = _db(server).reader().execute(
        "SELECT id FROM conversations WHERE assignee_id = 'a-agent1' AND status = 'open' AND queue_id = ? "
        "ORDER BY id LIMIT 1", (queue,)).fetchone()
    if row is None:  # the small demo set may have none there: make one
        row = _db(server).reader().execute(
            "SELECT id FROM conversations WHERE status = 'open' ORDER BY id LIMIT 1").fetchone()
        with _db(server).transaction() as conn:
            data = json.loads(conn.execute("SELECT data FROM conversations WHERE id = ?", row).fetchone()[0])
            store.store(conn, "conversation", row[0], {**data, "assignee_id": "a-agent1", "queue_id": queue})
    return row[0]


def _upload(api: Api, conversation_id: str, data: bytes, name: str = "photo.png", *, key: str | None = None,
            content_type: str = "image/png", as_user: str = "agent1") -> Any:
    headers = {"X-Filename": quote(name, safe=""), "Content-Type": content_type}
    if key:
        headers["Idempotency-Key"] = key
    return api.call("POST", f"/api/v1/conversations/{conversation_id}/attachments", as_user=as_user,
                    headers=headers, data=data)


def _post(api: Api, conversation_id: str, body: dict[str, Any], key: str | None = None) -> Any:
    return api.call("POST", f"/api/v1/conversations/{conversation_id}/messages",
                    headers={"Idempotency-Key": key or uuid.uuid4().hex}, json=body)


def _rows(server: EmbeddedServer) -> int:
    return _db(server).reader().execute("SELECT count(*) FROM attachments").fetchone()[0]


def _raw(server: EmbeddedServer, head: str, body: bytes = b"", *, close_after: bool = False) -> bytes:
    """Send raw HTTP (to declare lengths we never send); returns the answer, read to its end."""
    assert server.url
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head.encode() + body)
        if close_after:
            return b""
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def _wait_for(condition: Any, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


# -- limits, upload, download ---------------------------------------------------------------------


def test_limits(api: Api) -> None:
    response = api.call("GET", "/api/v1/attachments/limits")
    assert response.status_code == 200
    assert response.json() == {"max_bytes": CAP, "max_per_message": 20}
    assert api.call("GET", "/api/v1/attachments/limits", as_user=None).status_code == 401


def test_upload_send_and_download_round_trip(api: Api, server: EmbeddedServer) -> None:
    conversation_id = _conversation(server)
    name = "破损照片 1.png"
    upload = _upload(api, conversation_id, PNG, name, content_type="image/jpeg")  # the hint lies
    assert upload.status_code == 201, upload.text
    answer = upload.json()
    assert answer == {"id": answer["id"], "name": name, "size": len(PNG), "content_type": "image/png",
                      "sha256": hashlib.sha256(PNG).hexdigest()}
    sent = _post(api, conversation_id, {"kind": "reply", "body": "See the photo", "attachment_ids": [answer["id"]],
                                        "body_html": "<p>See <b>the photo</b><script>alert(1)</script></p>"})
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["attachments"] == [{**answer, "content_id": "", "inline": False}]
    assert "script" not in message["body_html"] and "<b>the photo</b>" in message["body_html"]
    parsed = parse_message(message["id"], {k: v for k, v in message.items() if k not in ("id", "conversation")})
    assert parsed.attachments[0].sha256 == answer["sha256"] and parsed.body_html == message["body_html"]

    download = api.call("GET", f"/api/v1/attachments/{answer['id']}")
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-length"] == str(len(PNG))
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"____ 1.png\"; filename*=UTF-8''" + quote(name, safe=""))


def test_message_lists_and_the_feed_carry_the_files(api: Api, server: EmbeddedServer) -> None:
    conversation_id = _conversation(server)
    uploaded = [_upload(api, conversation_id, PNG + bytes([n]), f"p{n}.png").json() for n in range(2)]
    sent = _post(api, conversation_id, {"body": "", "attachment_ids": [u["id"] for u in uploaded]})
    assert sent.status_code == 201, sent.text
    message_id = sent.json()["id"]
    listed = api.call("GET", f"/api/v1/conversations/{conversation_id}/messages").json()
    mine = next(m for m in listed if m["id"] == message_id)
    assert [a["id"] for a in mine["attachments"]] == [u["id"] for u in uploaded]
    for record in listed:  # every listed message parses, with its files (the event_target quirk)
        parse_message(record["id"], {k: v for k, v in record.items() if k != "id"})
    changes, _ = api.feed()
    fed = next(c for c in changes if c["entity"] == "message" and c["id"] == message_id)
    parsed = parse_message(message_id, fed["data"])
    assert [a.name for a in parsed.attachments] == ["p0.png", "p1.png"] and parsed.body_html == ""
    conversation = next(c for c in changes if c["entity"] == "conversation" and c["id"] == conversation_id)
    assert conversation["data"]["preview"] == "p0.png, p1.png"   # only files: their names


def test_the_same_content_is_stored_once(api: Api, server: EmbeddedServer) -> None:
    conversation_id = _conversation(server)
    data = PNG + b"dedupe"
    before = _store(server).stored_files()
    first = _upload(api, conversation_id, data, "a.png").json()
    second = _upload(api, conversation_id, data, "b.png").json()
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    assert _store(server).stored_files() == before + 1


def test_a_retry_with_the_same_key_stores_nothing_twice(api: Api, server: EmbeddedServer) -> None:
    conversation_id = _conversation(server)
    data = PNG + b"retry"
    key = uuid.uuid4().hex
    first = _upload(api, conversation_id, data, key=key)
    rows, stored = _rows(server), _store(server).stored_files()
    again = _upload(api, conversation_id, data, key=key)   # the first answer was lost
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert (_rows(server), _store(server).stored_files()) == (rows, stored)
    other = _upload(api, conversation_id, data + b"!", key=key)   # a different file under the same key
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_a_2_gb_declared_upload_is_refused_before_reading(api: Api, server: EmbeddedServer) -> None:
    conversation_id = _conversation(server)
    head = (f"POST /api/v1/conversations/{conversation_id}/attachments HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {api.token()}\r\nX-Filename: big.iso\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {2 * 1024 ** 3}\r\n\r\n")
    answer = _raw(server, head, b"x" * 1024)   # the server answers and closes: we never send the rest
    status, _, rest = answer.partition(b"\r\n")
    assert status.startswith(b"HTTP/1.1 413"), answer[:300]
    body = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert body["error"]["code"] == "too_large" and body["max_bytes"] == CAP


def test_a_refusal_before_the_body_closes_the_connection(api: Api, server: EmbeddedServer) -> None:
    conversation_id = _conversation(server, "q-complaints")
    head = (f"POST /api/v1/conversations/{conversation_id}/attachments HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {api.token('agent2')}\r\nX-Filename: big.iso\r\n"
            f"Content-Length: {2 * 1024 ** 3}\r\n\r\n")
    answer = _raw(server, head, b"x" * 1024)   # read to the end: the server closes, never waits for 2 GB
    assert answer.startswith(b"HTTP/1.1 404") and b"connection: close" in answer.lower()


def test_no_files_for_a_closed_conversation(api: Api, server: EmbeddedServer) -> None:
    row = _db(server).reader().execute("SELECT id FROM conversations WHERE status = 'closed' AND "
                                       "queue_id = 'q-aftersales' LIMIT 1").fetchone()
    response = _upload(api, row[0], PNG)
    assert response.status_code == 409 and response.json()["error"]["code"] == "conversation_closed"


def test_a_streamed_upload_over_the_cap_is_413(api: Api, server: EmbeddedServer) -> None:
    conversation_id = _conversation(server)
    rows = _rows(server)

    def chunks() -> Iterator[bytes]:   # no Content-Length: chunked, counted as it comes
        for _ in range(CAP // 65536 + 2):
            yield b"y" * 65536

    response = api.call("POST", f"/api/v1/conversations/{conversation_id}/attachments",
                        headers={"X-Filename": "big.bin"}, data=chunks())
    assert response.status_code == 413
    assert response.json()["max_bytes"] == CAP and response.json()["error"]["code"] == "too_large"
    assert _rows(server) == rows and list(_store(server).temp_folder.iterdir()) == []


def test_a_truncated_upload_stores_nothing(api: Api, server: EmbeddedServer) -> None:
    conversation_id = _conversation(server)
    rows, stored = _rows(server), _store(server).stored_files()
    temp = _store(server).temp_folder
    assert server.url
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall((f"POST /api/v1/conversations/{conversation_id}/attachments HTTP/1.1\r\nHost: x\r\n"
                      f"Authorization: Bearer {api.token()}\r\nX-Filename: cut.png\r\n"
                      f"Content-Length: 100000\r\n\r\n").encode() + PNG)
        _wait_for(lambda: any(temp.iterdir()), "the server to start writing the upload")
    _wait_for(lambda: not any(temp.iterdir()), "the server to drop the cut upload")
    assert (_rows(server), _store(server).stored_files()) == (rows, stored)


def test_only_agents_who_see_the_conversation_read_or_add_files(api: Api, server: EmbeddedServer) -> None:
    conversation_id = _conversation(server, "q-complaints")
    uploaded = _upload(api, conversation_id, PNG + b"private").json()
    for user in ("agent2", None):
        response = api.call("GET", f"/api/v1/attachments/{uploaded['id']}", as_user=user)
        assert response.status_code == (404 if user else 401)
    assert api.call("GET", "/api/v1/attachments/att-nothing").status_code == 404
    refused = _upload(api, conversation_id, PNG, as_user="agent2")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert api.call("GET", f"/api/v1/attachments/{uploaded['id']}", as_user="lead1").status_code == 200


def test_a_climbing_name_is_stored_as_sent_and_served_safely(api: Api, server: EmbeddedServer) -> None:
    conversation_id = _conversation(server)
    uploaded = _upload(api, conversation_id, b"alias rm='rm -rf /'\n", "../../.bashrc", content_type="text/plain")
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["name"] == "../../.bashrc"
    download = api.call("GET", f"/api/v1/attachments/{uploaded.json()['id']}")
    disposition = download.headers["content-disposition"]
    assert disposition == "attachment; filename=\"bashrc\"; filename*=UTF-8''bashrc"   # no folder, not hidden
    assert download.content == b"alias rm='rm -rf /'\n"


def test_the_sniffed_type_wins_over_a_lying_content_type(api: Api, server: EmbeddedServer) -> None:
    conversation_id = _conversation(server)
    uploaded = _upload(api, conversation_id, PROGRAM, "holiday.png", content_type="image/png").json()
    assert uploaded["content_type"] == "application/x-msdownload"
    download = api.call("GET", f"/api/v1/attachments/{uploaded['id']}")
    assert download.headers["content-type"] == "application/x-msdownload"


@pytest.mark.parametrize("header", ["%FF%FE.png", "", "%00.png"])
def test_bad_file_names_are_refused(api: Api, server: EmbeddedServer, header: str) -> None:
    response = api.call("POST", f"/api/v1/conversations/{_conversation(server)}/attachments",
                        headers={"X-Filename": header}, data=PNG)
    assert response.status_code in (400, 422)


# -- messages naming uploads ----------------------------------------------------------------------


def test_a_message_takes_only_waiting_uploads_of_its_conversation(api: Api, server: EmbeddedServer) -> None:
    here, elsewhere = _conversation(server, "q-complaints"), _conversation(server, "q-aftersales")
    assert here != elsewhere
    foreign = _upload(api, elsewhere, PNG + b"foreign").json()
    mine = _upload(api, here, PNG + b"mine").json()
    for ids in ([foreign["id"]], ["att-unknown"], [mine["id"], mine["id"]]):
        response = _post(api, here, {"body": "files", "attachment_ids": ids})
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_attachment", ids
    assert _post(api, here, {"body": "files", "attachment_ids": [mine["id"]]}).status_code == 201
    again = _post(api, here, {"body": "the same file again", "attachment_ids": [mine["id"]]})
    assert again.status_code == 422   # already sent on a message


def test_a_retried_message_with_files_replays(api: Api, server: EmbeddedServer) -> None:
    conversation_id = _conversation(server)
    uploaded = _upload(api, conversation_id, PNG + b"replay").json()
    key = uuid.uuid4().hex
    body = {"body": "with a file", "attachment_ids": [uploaded["id"]], "body_html": "<p>with a file</p>"}
    first, again = _post(api, conversation_id, body, key), _post(api, conversation_id, body, key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


def test_an_empty_body_needs_files(api: Api, server: EmbeddedServer) -> None:
    response = _post(api, _conversation(server), {"body": "  ", "body_html": "<p>only html</p>"})
    assert response.status_code == 422


# -- inbound e-mail with parts --------------------------------------------------------------------


def _inbound(api: Api, payload: dict[str, Any]) -> Any:
    return api.call("POST", "/api/v1/inbound", as_user=None, headers={"X-Integration-Key": KEY}, json=payload)


def test_inbound_mail_with_parts_and_html(api: Api, server: EmbeddedServer) -> None:
    html = ('<p>My parcel arrived <b>broken</b>:</p><img src="cid:photo-1@mail"><img src="https://tracker.example/p.gif">'
            '<script>steal()</script><a href="javascript:alert(1)" onclick="x()">here</a>')
    payload = {
        "channel": "email", "customer": {"name": "Ann Inbound", "email": "ann.inbound@example.com"},
        "subject": "Broken parcel", "body": "My parcel arrived broken.", "body_html": html,
        "external_id": f"mail-{uuid.uuid4().hex}",
        "attachments": [
            {"name": "box.png", "content_type": "image/png", "data_base64": base64.b64encode(PNG).decode(),
             "content_id": " <photo-1@mail>", "inline": True},
            {"name": "invoice.pdf", "content_type": "image/png",   # the hint is wrong: the bytes say PDF
             "data_base64": base64.b64encode(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n").decode()},
        ],
    }
    created = _inbound(api, payload)
    assert created.status_code == 201, created.text
    rows = _rows(server)
    assert _inbound(api, payload).status_code == 200 and _rows(server) == rows   # a repeat adds nothing
    message_id = created.json()["message_id"]
    changes, _ = api.feed(as_user="lead1")
    record = next(c for c in changes if c["entity"] == "message" and c["id"] == message_id)["data"]
    message = parse_message(message_id, record)
    photo, invoice = message.attachments
    assert record["attachments"][0]["content_id"] == "photo-1@mail"   # stored as cid: names it
    assert (photo.content_id, photo.inline, photo.content_type, photo.sha256) == (
        "photo-1@mail", True, "image/png", hashlib.sha256(PNG).hexdigest())
    assert (invoice.name, invoice.content_type, invoice.inline) == ("invoice.pdf", "application/pdf", False)
    assert "<script" not in message.body_html and "steal" not in message.body_html
    assert "javascript" not in message.body_html and "onclick" not in message.body_html
    assert 'src="cid:photo-1@mail"' in message.body_html and "<b>broken</b>" in message.body_html
    assert api.call("GET", f"/api/v1/attachments/{photo.id}", as_user="lead1").content == PNG


def test_inbound_parts_over_the_cap_are_413(api: Api) -> None:
    big = base64.b64encode(b"z" * (CAP + 1)).decode()
    response = _inbound(api, {"channel": "email", "customer": {"name": "Big Sender", "email": "big@example.com"},
                              "body": "a big file", "attachments": [{"name": "big.bin", "data_base64": big}]})
    assert response.status_code == 413 and response.json()["max_bytes"] == CAP


def test_inbound_base64_that_is_not(api: Api) -> None:
    response = _inbound(api, {"channel": "email", "customer": {"name": "Bad Sender", "email": "bad@example.com"},
                              "body": "broken", "attachments": [{"name": "x.bin", "data_base64": "not base64!"}]})
    assert response.status_code == 422


def test_files_live_beside_the_database(server: EmbeddedServer) -> None:
    assert _store(server).folder == Path(_db(server).path + ".files")


def test_a_retried_upload_replays_after_the_conversation_closed(api: Api, server: EmbeddedServer) -> None:
    row = _db(server).reader().execute("SELECT id, data FROM conversations WHERE status = 'pending' AND "
                                       "queue_id = 'q-aftersales' ORDER BY id LIMIT 1").fetchone()
    key = uuid.uuid4().hex
    first = _upload(api, row[0], PNG + b"closing", key=key)
    assert first.status_code == 201
    with _db(server).transaction() as conn:
        store.store(conn, "conversation", row[0], {**json.loads(row[1]), "status": "closed"})
    again = _upload(api, row[0], PNG + b"closing", key=key)
    assert again.status_code == 200 and again.json() == first.json()
