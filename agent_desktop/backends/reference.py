"""Adapter for our reference server (the v1 contract of DESIGN.md §3, `resources/openapi.json`).

Every reference URL and answer shape lives here: the services call named operations
(`backends.protocols`) and get `Record`s back.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any, BinaryIO
from urllib.parse import quote

from ..domain.attachments import Attachment
from .base import ALL_CAPABILITIES, ChangeBatch, MalformedResponse, Rejected, SignIn
from .http import HttpClient
from .protocols import OutgoingFile, Progress, Record

log = logging.getLogger(__name__)


def _q(value: str) -> str:
    return quote(value, safe="")


def _records(*parts: tuple[str, Any]) -> list[Record]:
    """(entity, answer part) pairs as Records; a part without an id is logged and left out (the
    action was done: the record arrives through the change feed anyway)."""
    found: list[Record] = []
    for entity, value in parts:
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:
            found.append(Record(entity, value["id"], value))
        else:
            log.warning("the server's answer has a %s without an id; it will come with the next pull", entity)
    return found


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedResponse(f"the server sent something that is not {what}")
    return value


class ReferenceBackend:
    capabilities = ALL_CAPABILITIES   # our own server does everything the app does

    def __init__(self, base_url: str, **http_options: Any) -> None:
        self.http = HttpClient(base_url, **http_options)
        self.base_url = self.http.base_url
        self._max_attachment_bytes: int | None = None   # GET /attachments/limits, asked once
        self._limits_lock = threading.Lock()

    def _call(self, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
        """One request under `/api/v1`, JSON in and out (None for an empty answer)."""
        headers = {"Idempotency-Key": key} if key else None
        response = self.http.request(method, f"/api/v1{path}", json_body=body, headers=headers)
        if response.status_code == 204 or not response.content:
            return None
        return self.http.json(response)

    def set_token(self, token: str | None) -> None:
        self.http.token = token

    def sign_in(self, username: str, password: str) -> SignIn:
        response = self.http.request("POST", "/api/v1/auth/token",
                                     json_body={"username": username, "password": password}, auth=False)
        body = _object(self.http.json(response), "a sign-in answer")
        token, agent = body.get("token"), body.get("agent")
        if not isinstance(token, str) or not token or not isinstance(agent, dict):
            raise MalformedResponse("the sign-in answer has no token or agent")
        self.http.token = token
        return SignIn(token=token, agent=agent, expires_at=body.get("expires_at"))

    def changes(self, cursor: str | None, limit: int = 500) -> ChangeBatch:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        body = _object(self.http.json(self.http.request("GET", "/api/v1/changes", params=params)),
                       "a page of changes")
        changes, next_cursor, has_more = body.get("changes"), body.get("cursor"), body.get("has_more")
        if not isinstance(changes, list) or not isinstance(has_more, bool):
            raise MalformedResponse("the page of changes has no 'changes' list or 'has_more' flag")
        if next_cursor is not None and not isinstance(next_cursor, str):
            raise MalformedResponse("the page of changes has a cursor that is not a string")
        return ChangeBatch(changes=changes, cursor=next_cursor, has_more=has_more)

    def post_message(self, conversation_id: str, kind: str, body: str, idempotency_key: str, *,
                     resend_since: str | None = None) -> dict[str, Any]:
        # The server honours Idempotency-Key: a resend needs no looking first (`resend_since` unused).
        response = self.http.request(
            "POST", f"/api/v1/conversations/{quote(conversation_id, safe='')}/messages",
            json_body={"kind": kind, "body": body}, headers={"Idempotency-Key": idempotency_key})
        return _object(self.http.json(response), "a message")

    def patch_conversation(self, conversation_id: str, fields: dict[str, Any],
                           if_match: int | None) -> dict[str, Any]:
        headers = {"If-Match": f'"{if_match}"'} if if_match is not None else {}
        response = self.http.request("PATCH", f"/api/v1/conversations/{quote(conversation_id, safe='')}",
                                     json_body=fields, headers=headers)
        return _object(self.http.json(response), "a conversation")

    # -- files ---------------------------------------------------------------------------------------
    def max_attachment_bytes(self) -> int:
        with self._limits_lock:
            if self._max_attachment_bytes is None:
                limits = _object(self._call("GET", "/attachments/limits"), "the attachment limits")
                value = limits.get("max_bytes")
                if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                    raise MalformedResponse("the attachment limits have no positive 'max_bytes'")
                self._max_attachment_bytes = value
            return self._max_attachment_bytes

    def download_attachment(self, attachment: Attachment, conversation_id: str, message_id: str,
                            dest: BinaryIO, progress: Progress | None = None) -> None:
        """Stream GET /attachments/{id} into `dest`; never more than the size the message gave, and
        the bytes checked against its sha256. A progress callback raising TransferCancelled stops it."""
        response = self.http.stream("GET", f"/api/v1/attachments/{_q(attachment.id)}")
        with response:
            declared = response.headers.get("Content-Length")
            total = int(declared) if declared and declared.isdigit() else attachment.size
            if total != attachment.size:
                raise MalformedResponse(f"the server sends {total} bytes for {attachment.name!r}, "
                                        f"not the {attachment.size} its message says")
            digest = hashlib.sha256()
            done = 0
            if progress is not None:
                progress(0, total)
            for chunk in self.http.read_chunks(response):
                done += len(chunk)
                if done > total:
                    raise MalformedResponse(f"the server sent more than the {total} bytes of {attachment.name!r}")
                digest.update(chunk)
                dest.write(chunk)
                if progress is not None:
                    progress(done, total)   # may raise TransferCancelled: `with` drops the connection
            if done != total:
                raise MalformedResponse(f"the download of {attachment.name!r} stopped at {done} of {total} bytes")
            if attachment.sha256 and digest.hexdigest() != attachment.sha256:
                raise MalformedResponse(f"{attachment.name!r} arrived damaged (its sha256 does not match)")

    def send_with_attachments(self, conversation_id: str, kind: str, body: str, key: str, *,
                              files: list[OutgoingFile], body_html: str | None = None,
                              progress: Progress | None = None,
                              resend_since: str | None = None) -> dict[str, Any]:
        """Upload each file (its own Idempotency-Key, derived from `key`, its place and its sha256:
        a retry after a lost answer replays the upload instead of storing it again), then post the
        message naming them, under `key` as `post_message` does."""
        total = sum(item.size for item in files)
        if files:
            limit = self.max_attachment_bytes()
            for item in files:  # refused here: the server would answer while we still send, cutting us off
                if item.size > limit:
                    raise Rejected(f"{item.name!r} is larger than this server takes ({limit} bytes)", 413)
        sent = 0
        ids: list[str] = []
        for index, item in enumerate(files):
            def moved(done: int, _size: int, before: int = sent) -> None:
                if progress is not None:
                    progress(before + done, total)

            ids.append(self._upload(conversation_id, item, upload_key(key, index, item.sha256), moved))
            sent += item.size
        payload: dict[str, Any] = {"kind": kind, "body": body}
        if ids:
            payload["attachment_ids"] = ids
        if body_html:
            payload["body_html"] = body_html
        response = self.http.request("POST", f"/api/v1/conversations/{_q(conversation_id)}/messages",
                                     json_body=payload, headers={"Idempotency-Key": key})
        return _object(self.http.json(response), "a message")

    def _upload(self, conversation_id: str, item: OutgoingFile, key: str, progress: Progress) -> str:
        try:
            source = open(item.path, "rb")
        except OSError as exc:
            raise Rejected(f"the attached file {item.name!r} is no longer on this computer", 0) from exc
        with source:
            reader = _ProgressReader(source, item.size, progress)
            response = self.http.stream(
                "POST", f"/api/v1/conversations/{_q(conversation_id)}/attachments", data=reader, read_answer=True,
                headers={"X-Filename": quote(item.name, safe=""), "Idempotency-Key": key,
                         "Content-Type": item.content_type or "application/octet-stream"})
        answer = _object(self.http.json(response), "an upload answer")
        ident = answer.get("id")
        if not isinstance(ident, str) or not ident:
            raise MalformedResponse("the upload answer has no id")
        if answer.get("sha256") not in (None, item.sha256):
            raise MalformedResponse(f"the server stored other bytes than {item.name!r} (its sha256 differs)")
        return ident

    # -- hand-offs, callbacks, CSAT ----------------------------------------------------------------
    def transfer(self, conversation_id: str, *, kind: str, queue_id: str | None, assignee_id: str | None,
                 note: str, key: str, resend_since: str | None = None) -> list[Record]:
        # `resend_since` is never given here: the server honours the Idempotency-Key.
        body = {"kind": kind, "queue_id": queue_id, "assignee_id": assignee_id, "note": note}
        answer = _object(self._call("POST", f"/conversations/{_q(conversation_id)}/transfer",
                                    {k: v for k, v in body.items() if v is not None}, key), "a hand-off")
        return _records(("message", answer.get("note")), ("conversation", answer.get("conversation")))

    def create_callback(self, fields: dict[str, Any], key: str) -> list[Record]:
        body = {k: v for k, v in fields.items() if v is not None}
        return _records(("callback", self._call("POST", "/callbacks", body, key)))

    def callback_outcome(self, callback_id: str, fields: dict[str, Any], key: str) -> list[Record]:
        body = {k: v for k, v in fields.items() if v is not None}
        return _records(("callback", self._call("POST", f"/callbacks/{_q(callback_id)}/outcome", body, key)))

    def record_csat(self, conversation_id: str, fields: dict[str, Any], key: str) -> list[Record]:
        answer = _object(self._call("POST", f"/conversations/{_q(conversation_id)}/csat", fields, key), "a score")
        return _records(("csat", answer.get("csat")), ("callback", answer.get("callback")))

    # -- customers ---------------------------------------------------------------------------------
    def add_customer_note(self, customer_id: str, body: str, key: str) -> list[Record]:
        return _records(("customer_note", self._call("POST", f"/customers/{_q(customer_id)}/notes",
                                                     {"body": body}, key)))

    def edit_customer_note(self, note_id: str, body: str, key: str) -> list[Record]:
        return _records(("customer_note", self._call("PATCH", f"/customer-notes/{_q(note_id)}", {"body": body}, key)))

    def set_customer_tags(self, customer_id: str, tags: list[str], key: str) -> list[Record]:
        return _records(("customer", self._call("PUT", f"/customers/{_q(customer_id)}/tags", {"tags": tags}, key)))

    def link_customer(self, conversation_id: str, customer_id: str, key: str) -> list[Record]:
        return _records(("conversation", self._call("PUT", f"/conversations/{_q(conversation_id)}/customer",
                                                    {"customer_id": customer_id}, key)))

    def create_customer(self, fields: dict[str, Any], key: str) -> Record:
        body = {k: v for k, v in fields.items() if v is not None}
        created = _records(("customer", self._call("POST", "/customers", body, key)))
        if not created:
            raise Rejected("the server did not return the new customer", 502)
        return created[0]

    # -- agent state, offers, presence -------------------------------------------------------------
    def set_agent_status(self, fields: dict[str, Any], key: str) -> list[Record]:
        return _records(("agent_status", self._call("PUT", "/me/status", fields, key)))

    def answer_offer(self, offer_id: str, accept: bool, key: str) -> list[Record]:
        verb = "accept" if accept else "decline"
        answer = _object(self._call("POST", f"/offers/{_q(offer_id)}/{verb}", None, key), "an offer answer")
        return _records(("offer", answer.get("offer")), ("conversation", answer.get("conversation")))

    def heartbeat(self, conversation_id: str, activity: str) -> list[dict[str, Any]]:
        answer = self._call("POST", f"/conversations/{_q(conversation_id)}/presence", {"activity": activity})
        others = answer.get("others") if isinstance(answer, dict) else None
        return [o for o in others if isinstance(o, dict)] if isinstance(others, list) else []

    # -- knowledge ---------------------------------------------------------------------------------
    def create_script(self, fields: dict[str, Any], key: str) -> list[Record]:
        return _records(("script", self._call("POST", "/scripts", fields, key)))

    def update_script(self, script_id: str, changes: dict[str, Any], key: str) -> list[Record]:
        return _records(("script", self._call("PATCH", f"/scripts/{_q(script_id)}", changes, key)))

    def delete_script(self, script_id: str, key: str) -> None:
        self._call("DELETE", f"/scripts/{_q(script_id)}", None, key)

    def faq_feedback(self, article_id: str, helpful: bool, key: str) -> dict[str, int]:
        answer = self._call("POST", f"/faq/{_q(article_id)}/feedback", {"helpful": helpful}, key)
        return _counts(answer)

    def record_usage(self, entity: str, record_id: str, count: int, key: str) -> int | None:
        answer = self._call("POST", "/knowledge/usage", {"entity": entity, "id": record_id, "count": count}, key)
        return _counts(answer).get("used_count")

    # -- the lead's view ---------------------------------------------------------------------------
    def queue_stats(self) -> list[dict[str, Any]]:
        return _list_of_objects(self._call("GET", "/queues/stats"), "queue statistics", "queue_id")

    def queue_agents(self) -> list[dict[str, Any]]:
        return _list_of_objects(self._call("GET", "/queues/agents"), "the agents' figures", "id")

    def reassign(self, conversation_id: str, assignee_id: str | None, queue_id: str | None) -> list[Record]:
        body: dict[str, Any] = {"assignee_id": assignee_id}
        if queue_id:
            body["queue_id"] = queue_id
        return _records(("conversation", self._call("POST", f"/conversations/{_q(conversation_id)}/reassign", body)))

    def set_agent_queues(self, agent_id: str, queue_ids: list[str]) -> list[Record]:
        return _records(("agent", self._call("PUT", f"/agents/{_q(agent_id)}/queues", {"queue_ids": queue_ids})))


def upload_key(key: str, index: int, sha256: str) -> str:
    """The Idempotency-Key of one file of a reply: the same for every attempt of that reply."""
    return "up-" + hashlib.sha256(f"{key}\n{index}\n{sha256}".encode()).hexdigest()


class _ProgressReader:
    """A file handed to requests as the body: read in chunks, each reported; the length lets
    requests send Content-Length (the server refuses an oversized file before reading it)."""

    def __init__(self, source: BinaryIO, size: int, progress: Progress) -> None:
        self._source, self._size, self._progress = source, size, progress
        self._done = 0

    def __len__(self) -> int:
        return self._size

    def read(self, amount: int = -1) -> bytes:
        chunk = self._source.read(amount if amount and amount > 0 else 64 * 1024)
        if len(chunk) + self._done > self._size:
            raise Rejected("the attached file changed after it was attached", 0)
        self._done += len(chunk)
        self._progress(self._done, self._size)   # may raise TransferCancelled: the request stops
        return chunk


def _counts(answer: Any) -> dict[str, int]:
    if not isinstance(answer, dict):
        return {}
    return {k: v for k, v in answer.items() if isinstance(v, int) and not isinstance(v, bool)
            and k in ("used_count", "helpful_count", "not_helpful_count")}


def _list_of_objects(value: Any, what: str, key: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise MalformedResponse(f"the server sent {what} that are not a list")
    return [item for item in value if isinstance(item, dict) and isinstance(item.get(key), str)]
