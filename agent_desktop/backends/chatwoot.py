"""Adapter for Chatwoot, through its Application API (`/api/v1/accounts/{account}/…`).

Chatwoot has no change feed and no idempotency keys, so this adapter makes both:

- **The feed** follows the conversation list, which Chatwoot orders newest activity first
  (`last_activity_at`, moved by every message, the activity messages Chatwoot writes for a status,
  priority, label or assignment change included). The first sync pages through every conversation
  the agent may see (25 a page, Chatwoot's size); later pulls read from the top until they reach
  conversations older than the high-water mark less an overlap window, and skip those whose
  version (updated_at) is one they already brought. A scan longer than one pull's share of pages
  goes on from the page where it stopped with the next pull (the cursor holds it), and only a scan
  that reached the mark moves the mark. Messages are fetched only for conversations whose activity
  moved: their newest page, and pages further back (`before=`) while those are new too.
- **Exactly once**: after an attempt whose answer was lost (`resend_since`), the conversation's
  newest messages are searched for this agent's newest message with the same text, created since
  that attempt less a small margin on Chatwoot's clock (its `Date` header tells how far ours is
  off), before sending again (Chatwoot's API takes no client id for a message).

A 429 from Chatwoot (Rack::Attack) carries no Retry-After: `ServerBusy(retry_after=None)` lets the
engine back off; the adapter also paces itself below Chatwoot's default limit. A record that breaks
its documented shape is logged (its id and why, never its contents) and skipped. Mapping:
`chatwoot_mapping.py` and docs/backends/chatwoot.md.
"""

from __future__ import annotations

import json
import logging
import math
import re
import secrets
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, BinaryIO, TypeVar
from urllib.parse import urlsplit

import requests

from ..domain.attachments import Attachment
from ..domain.timeutil import parse_iso
from . import chatwoot_mapping as mapping
from .base import (
    AuthRequired,
    Capability,
    ChangeBatch,
    CursorExpired,
    MalformedResponse,
    PermissionDenied,
    Rejected,
    SignIn,
    UnsupportedVersion,
    VersionConflict,
)
from .http import HttpClient
from .protocols import OutgoingFile, Progress, Record
from .vendor_kit import WorkerPool, html_to_markdown, same_text, skew_from, upsert
from .vendor_transfer import (
    FilePart,
    Sink,
    UploadBody,
    check_sizes,
    copy_stream,
    open_url,
    send_body,
    with_our_hashes,
)

log = logging.getLogger(__name__)

LIST_PAGE = 25                 # Chatwoot's conversations per page (not settable)
MAX_ATTACHMENT_BYTES = 40 * 1024 * 1024   # Chatwoot's limit per file (Attachment's validation)
MESSAGE_PAGE = 20              # messages per page, newest first then `before=` further back
MAX_MESSAGE_PAGES = 100        # pages back one conversation's messages may take (2,000 messages)
OVERLAP = 120.0                # seconds re-read below the high-water mark (clock skew, late commits)
ROSTER_EVERY = 300.0           # seconds between refreshes of teams, agents and canned responses
MAX_FOLLOW_PAGES = 40          # list pages one incremental pull reads before saying "more"
RESEND_MARGIN = 30.0           # seconds before the first attempt, on Chatwoot's clock, a write of ours may carry
UNKNOWN_SKEW_MARGIN = 120.0    # the same when Chatwoot sends no Date header to tell its clock by
REQUESTS_PER_SECOND = 40.0     # Chatwoot's Rack::Attack default is 3,000 a minute per address
ACCOUNT_IN_URL = re.compile(r"/app/accounts/(\d+)")
MAX_SKEW = 366 * 86_400.0      # a Date further off than a year is a proxy's garbage, not a clock
CURSOR_VERSION = 1
# What a record that breaks its documented shape makes a mapper throw: that record is skipped.
DAMAGED = (TypeError, ValueError, AttributeError, KeyError, OverflowError)

T = TypeVar("T")


class _Pacer:
    """At most `rate` requests a second from this adapter, across its threads (a token bucket)."""

    def __init__(self, rate: float, burst: int = 10) -> None:
        self.rate, self.burst = rate, float(burst)
        self._tokens, self._last = float(burst), time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            delay = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate
            self._tokens -= 1
        if delay > 0:
            time.sleep(delay)   # pacing a request, not waiting for a result


class ChatwootBackend:
    capabilities = frozenset({Capability.CORE, Capability.HANDOFF, Capability.ATTACHMENTS})
    idempotency_keys = False   # see post_message: it looks for its own message before sending again

    def __init__(self, base_url: str, *, workers: int = 4, requests_per_second: float = REQUESTS_PER_SECOND,
                 follow_pages: int = MAX_FOLLOW_PAGES, **http_options: Any) -> None:
        parts = urlsplit(base_url.strip())
        found = ACCOUNT_IN_URL.search(parts.path or "")
        self.account_id: int | None = mapping.number(found.group(1)) if found else None
        # The browser's address (…/app/accounts/3/dashboard) names the account; the API lives at the root.
        self.http = HttpClient(f"{parts.scheme}://{parts.netloc}", **http_options)
        self.base_url = self.http.base_url
        self.workers = workers
        self.follow_pages = max(2, follow_pages)
        self._pacer = _Pacer(requests_per_second) if requests_per_second > 0 else None
        self._me: dict[str, Any] | None = None
        # Chatwoot's clock less ours, in seconds, from the latest answer's Date header (None: unknown).
        self.clock_skew: float | None = None
        # One pool for the adapter's life: its threads keep their HTTP sessions and TLS connections.
        self._pool = WorkerPool(workers, "chatwoot")

    # -- plumbing ----------------------------------------------------------------------------------
    def _json(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        if self._pacer is not None:
            self._pacer.wait()
        response = self.http.request(method, path, params=params, json_body=body)
        self._note_clock(response)
        if not response.content:
            return None
        return self.http.json(response)

    def _note_clock(self, response: requests.Response) -> None:
        """How far Chatwoot's clock is from ours, from the answer's Date header (whole seconds)."""
        skew = _skew_from(response.headers.get("Date"), time.time())
        if skew is not None:
            self.clock_skew = skew

    def _account(self, path: str) -> str:
        if self.account_id is None:
            raise AuthRequired("please sign in first")
        return f"/api/v1/accounts/{self.account_id}{path}"

    def _parallel(self, calls: list[Callable[[], T]]) -> list[T]:
        """The calls side by side, results in order. Never from inside such a call: the pool is
        shared, and a call waiting for the pool could wait for itself."""
        return self._pool.run(calls)

    def close(self) -> None:
        """Ends the worker threads (a later call starts new ones)."""
        self._pool.close()

    # -- signing in ------------------------------------------------------------------------------
    def set_token(self, token: str | None) -> None:
        self.http.auth_headers = {"api_access_token": token} if token else {}

    def sign_in(self, username: str, password: str) -> SignIn:
        """`password` is the agent's access token (Chatwoot → Profile settings → Access token);
        `username` is only shown (Chatwoot knows the user by the token)."""
        self.set_token(password)
        try:
            profile = self._json("GET", "/api/v1/profile")
        except Rejected as exc:
            if exc.status == 404:
                raise UnsupportedVersion("this address has no Chatwoot Application API (/api/v1/profile)") from exc
            raise
        if not isinstance(profile, dict) or mapping.number(profile.get("id")) is None:
            raise MalformedResponse("Chatwoot did not describe the signed-in user")
        listed = profile.get("accounts")
        if listed is not None and not isinstance(listed, list):
            raise MalformedResponse("Chatwoot described the signed-in user's accounts in a shape it does not document")
        accounts = [a for a in listed or () if isinstance(a, dict)]
        if self.account_id is None:
            self.account_id = mapping.number(profile.get("account_id"))
            if self.account_id is None and accounts:
                self.account_id = mapping.number(accounts[0].get("id"))
        if self.account_id is None:
            raise PermissionDenied("this Chatwoot user belongs to no account")
        known = {mapping.number(a.get("id")) for a in accounts}
        if accounts and self.account_id not in known:
            raise PermissionDenied(f"this Chatwoot user is not a member of account {self.account_id}")
        role = next((a.get("role") for a in accounts if mapping.number(a.get("id")) == self.account_id),
                    profile.get("role"))
        name = _text(profile.get("available_name")) or _text(profile.get("name")) or username
        agent = {"id": mapping.agent_id(profile["id"]), "username": _text(profile.get("email")) or username,
                 "name": name, "role": "lead" if role == "administrator" else "agent",
                 "backend": "chatwoot", "account_id": str(self.account_id)}
        self._me = agent
        return SignIn(token=password, agent=agent)

    def _my_number(self) -> int | None:
        return mapping.chatwoot_id((self._me or {}).get("id"), "u")

    # -- the feed -----------------------------------------------------------------------------------
    def changes(self, cursor: str | None, limit: int = 500) -> ChangeBatch:
        state = _read_cursor(cursor, self.account_id)
        if state is None:
            return self._start()
        changes: list[dict[str, Any]] = []
        if time.time() - state["roster_at"] > ROSTER_EVERY:
            roster, channels = self._roster()
            changes.extend(roster)
            state = {**state, "roster_at": time.time(), "channels": channels}
        pages = max(1, limit // LIST_PAGE)
        if state["phase"] == "snapshot":
            return self._snapshot_page(state, pages, changes)
        return self._follow(state, changes)

    def _start(self) -> ChangeBatch:
        changes, channels = self._roster()
        state = {"v": CURSOR_VERSION, "account": self.account_id, "phase": "snapshot", "page": 1, "hw": 0.0,
                 "roster_at": time.time(), "channels": channels, "seen": {}}
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)

    def _roster(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Teams (our queues), agents with their teams and availability, canned responses (our
        scripts), and each inbox's channel."""
        teams, agents, canned, inboxes = self._parallel([
            lambda: _list(self._json("GET", self._account("/teams"))),
            lambda: _list(self._json("GET", self._account("/agents"))),
            lambda: _list(self._json("GET", self._account("/canned_responses"))),
            lambda: _list(self._json("GET", self._account("/inboxes")), "payload"),
        ])
        teams = [t for t in teams if mapping.number(t.get("id")) is not None]
        members = self._parallel([partial(self._team_members, team) for team in teams])
        queues_of: dict[str, list[str]] = {}
        for team, people in zip(teams, members, strict=True):
            for person in people:
                queues_of.setdefault(_key(person), []).append(mapping.queue_id(team["id"]) or "")
        changes: list[dict[str, Any]] = []
        for entity, items, make in (
                ("queue", teams, lambda t: (mapping.queue_id(t.get("id")), mapping.queue_record(t))),
                ("agent", agents, lambda a: (mapping.agent_id(a.get("id")),
                                             mapping.agent_record(a, queues_of.get(_key(a), [])))),
                ("script", canned, lambda c: (f"cr{mapping.number(c.get('id'))}", mapping.script_record(c)))):
            for item in items:
                try:
                    record_id, data = make(item)
                except DAMAGED as exc:
                    _skipped(entity, item, type(exc).__name__)
                    continue
                if data is None or record_id is None:
                    _skipped(entity, item, "no id or a required field missing")
                    continue
                changes.append(upsert(entity, record_id, data))
        channels = {_key(i): mapping.channel_of(i.get("channel_type"), i.get("medium"))
                    for i in inboxes if mapping.number(i.get("id")) is not None}
        return changes, channels

    def _team_members(self, team: dict[str, Any]) -> list[dict[str, Any]]:
        return _list(self._json("GET", self._account(f"/teams/{mapping.number(team['id'])}/team_members")))

    def _list_page(self, page: int) -> list[dict[str, Any]]:
        answer = self._json("GET", self._account("/conversations"),
                            params={"status": "all", "assignee_type": "all", "page": page})
        data = answer.get("data") if isinstance(answer, dict) else None
        items = data.get("payload") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise MalformedResponse("Chatwoot's conversation list has no 'data.payload' list")
        return [item for item in items if isinstance(item, dict)]

    def _snapshot_page(self, state: dict[str, Any], pages: int, changes: list[dict[str, Any]]) -> ChangeBatch:
        first = state["page"]
        found = self._parallel([partial(self._list_page, n) for n in range(first, first + pages)])
        conversations: list[dict[str, Any]] = []
        done = False
        for items in found:
            conversations.extend(items)
            if len(items) < LIST_PAGE:
                done = True
                break
        high_water = max([state["hw"]] + [_activity(c) for c in conversations])
        changes.extend(self._compose(conversations, state["channels"], since=None))
        state = {**state, "page": first + pages, "hw": high_water}
        if done:
            state = {**state, "phase": "follow"}
            state.pop("page", None)
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)

    def _follow(self, state: dict[str, Any], changes: list[dict[str, Any]]) -> ChangeBatch:
        """From the top of the list (or the page a scan stopped at) down to the high-water mark
        less the overlap, at most `follow_pages` pages a pull."""
        high_water = state["hw"]
        threshold = high_water - OVERLAP
        seen: dict[str, int] = dict(state["seen"])
        resume = state.get("resume")
        first = resume["page"] if resume else 1
        newest = max(high_water, resume["top"]) if resume else high_water
        moved: list[dict[str, Any]] = []
        read: list[list[dict[str, Any]]] = []
        more = False
        page = first
        while True:
            items = self._list_page(page)
            read.append(items)
            for item in items:
                activity = _activity(item)
                if activity < threshold:
                    continue
                newest = max(newest, activity)
                if seen.get(_key(item)) != mapping.version_of(item):
                    moved.append(item)
            oldest = min((_activity(i) for i in items), default=0.0)
            if len(items) < LIST_PAGE or oldest < threshold:
                break
            if len(read) >= self.follow_pages:
                more = True
                break
            page += 1
        unique = {_key(c): c for c in moved}
        changes.extend(self._compose(list(unique.values()), state["channels"], since=threshold))
        for key, item in unique.items():
            seen[key] = mapping.version_of(item)
        if more:
            state = {**state, "seen": _seen_while_scanning(seen, read[-2:], threshold, newest),
                     "resume": {"page": page, "top": newest}}
        else:
            # The scan reached the mark: it moves. Versions are remembered only inside the window
            # the next pull re-reads (a small map).
            low = int((newest - OVERLAP) * 1_000_000)
            state = {**state, "hw": newest, "seen": {k: v for k, v in seen.items() if v >= low}}
            state.pop("resume", None)
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=more)

    def _compose(self, conversations: list[dict[str, Any]], channels: dict[str, str], *,
                 since: float | None) -> list[dict[str, Any]]:
        """Customers, conversations and their messages (all of them when `since` is None, else
        those created at or after `since`). A record that cannot be read is logged and skipped."""
        valid: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        for item in conversations:
            try:
                data = mapping.conversation_record(item, channels)
            except DAMAGED as exc:
                _skipped("conversation", item, type(exc).__name__)
                continue
            if data is None:
                _skipped("conversation", item, "no id or no contact")
                continue
            valid.append((mapping.number(item["id"]) or 0, item, data))
        threads = self._parallel([partial(self._messages, number, since) for number, _, _ in valid])
        changes: list[dict[str, Any]] = []
        customers: dict[str, dict[str, Any]] = {}
        for (number, item, data), messages in zip(valid, threads, strict=True):
            cid = str(number)
            if messages is None:   # gone between the list and its messages (deleted, or out of reach)
                changes.append({"entity": "conversation", "op": "delete", "id": cid})
                continue
            customer = self._customer_of(item)
            if customer is not None:
                customers[data["customer_id"]] = customer
            changes.append(upsert("conversation", cid, data))
            changes.extend(self._message_changes(messages, cid))
        # Customers first: a conversation names one.
        return [upsert("customer", k, v) for k, v in customers.items()] + changes

    @staticmethod
    def _customer_of(conversation: dict[str, Any]) -> dict[str, Any] | None:
        meta = conversation.get("meta")
        sender = meta.get("sender") if isinstance(meta, dict) else None
        if not isinstance(sender, dict):
            return None
        try:
            return mapping.customer_record(sender)
        except DAMAGED as exc:
            _skipped("contact", sender, type(exc).__name__)
            return None

    @staticmethod
    def _message_changes(messages: list[dict[str, Any]], cid: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for message in messages:
            try:
                record = mapping.message_record(message, cid)
                activity = record is None and mapping.is_activity(message)
            except DAMAGED as exc:
                _skipped("message", message, type(exc).__name__, cid)
                continue
            if record is None:
                if not activity:
                    _skipped("message", message, "no id, type or creation time", cid)
                continue
            found.append(upsert("message", _key(message), record))
        return found

    def _messages(self, conversation_id: int, since: float | None) -> list[dict[str, Any]] | None:
        """The conversation's messages, oldest first: all (since None) or those from `since` on.
        None when the conversation is gone. At most MAX_MESSAGE_PAGES pages, and only while each
        page reaches further back than the one before (a server ignoring `before=` ends it)."""
        path = self._account(f"/conversations/{conversation_id}/messages")
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {}
        lowest: int | None = None
        for pages in range(1, MAX_MESSAGE_PAGES + 1):
            try:
                answer = self._json("GET", path, params=params or None)
            except Rejected as exc:
                if exc.status == 404:
                    return None
                raise
            page = answer.get("payload") if isinstance(answer, dict) else None
            if not isinstance(page, list):
                raise MalformedResponse("Chatwoot's message list has no 'payload' list")
            page = [m for m in page if isinstance(m, dict)]
            found = page + found
            ids = [n for n in (mapping.number(m.get("id")) for m in page) if n is not None]
            if len(page) < MESSAGE_PAGE or not ids:
                break
            if lowest is not None and min(ids) >= lowest:
                log.warning("Chatwoot sent conversation %s's messages before %s again; stopped there",
                            conversation_id, lowest)
                break
            lowest = min(ids)
            if since is not None and min(_created(m) for m in page) < since:
                break
            if pages == MAX_MESSAGE_PAGES:
                log.warning("conversation %s has more than %s messages; the older ones were not read",
                            conversation_id, MAX_MESSAGE_PAGES * MESSAGE_PAGE)
                break
            params = {"before": lowest}
        if since is not None:
            found = [m for m in found if _created(m) >= since]
        unique = {mapping.number(m.get("id")): m for m in found}
        return [unique[k] for k in sorted(k for k in unique if k is not None)]

    def _conversation_now(self, conversation_id: str) -> dict[str, Any] | None:
        number = _conversation_number(conversation_id)
        try:
            answer = self._json("GET", self._account(f"/conversations/{number}"))
        except Rejected as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(answer, dict):
            raise MalformedResponse("Chatwoot did not describe the conversation")
        try:
            data = mapping.conversation_record(answer, {})
        except DAMAGED:
            data = None
        if data is None:
            raise MalformedResponse("Chatwoot's conversation could not be read")
        return {"id": str(number), **data}

    # -- writing ----------------------------------------------------------------------------------
    def post_message(self, conversation_id: str, kind: str, body: str, idempotency_key: str, *,
                     resend_since: str | None = None) -> dict[str, Any]:
        """A reply (outgoing) or note (private). After an attempt whose answer was lost
        (`resend_since`), our own message with this text is looked for and adopted first."""
        return self.send_with_attachments(conversation_id, kind, body, idempotency_key, files=[],
                                          resend_since=resend_since)

    # -- files ------------------------------------------------------------------------------------
    def max_attachment_bytes(self) -> int:
        return MAX_ATTACHMENT_BYTES

    def send_with_attachments(self, conversation_id: str, kind: str, body: str, key: str, *,
                              files: list[OutgoingFile], body_html: str | None = None,
                              progress: Progress | None = None,
                              resend_since: str | None = None) -> dict[str, Any]:
        """A message with files: `multipart/form-data` with `content`, `message_type`, `private` and
        each file as `attachments[]` (streamed from its staged copy). Chatwoot's messages are
        Markdown, so an HTML reply goes as Markdown (bold, italic, links, lists kept)."""
        number = _conversation_number(conversation_id)
        check_sizes(files, MAX_ATTACHMENT_BYTES)
        text = html_to_markdown(body_html) if body_html else body
        if resend_since is not None:
            earlier = self._find_my_message(number, kind, text, resend_since, files=files)
            if earlier is not None:
                log.info("an earlier attempt of %s reached Chatwoot (message %s)", key, earlier["id"])
                return self._with_files({**earlier, "idempotency_key": key}, files)
        path = self._account(f"/conversations/{number}/messages")
        fields = {"content": text, "message_type": "outgoing", "private": kind == "note"}
        if files:
            if self._pacer is not None:
                self._pacer.wait()
            boundary, parts = _multipart(fields, files)
            response = send_body(self.http, "POST", path, UploadBody(parts, progress),
                                 content_type=f"multipart/form-data; boundary={boundary}")
            self._note_clock(response)
            answer = self.http.json(response)
        else:
            answer = self._json("POST", path, body=fields)
        try:
            record = mapping.message_record(answer, str(number)) if isinstance(answer, dict) else None
        except DAMAGED:
            record = None
        if record is None:
            raise MalformedResponse("Chatwoot did not describe the message it created")
        return self._with_files({"id": _key(answer), **record, "idempotency_key": key}, files)

    @staticmethod
    def _with_files(message: dict[str, Any], files: list[OutgoingFile]) -> dict[str, Any]:
        stored = with_our_hashes(list(message.get("attachments") or ()), files)
        return {**message, "attachments": stored} if stored else message

    def download_attachment(self, attachment: Attachment, conversation_id: str, message_id: str,
                            dest: BinaryIO, progress: Progress | None = None) -> None:
        """The file's `data_url` (read from its message: the record does not keep addresses, which
        Chatwoot signs and may change), streamed to `dest`."""
        number, mid = _conversation_number(conversation_id), mapping.number(message_id)
        if mid is None:
            raise Rejected(f"{message_id[:40]!r} is not a Chatwoot message", 404)
        answer = self._json("GET", self._account(f"/conversations/{number}/messages"), params={"after": mid - 1})
        page = answer.get("payload") if isinstance(answer, dict) else None
        message = next((m for m in page or () if isinstance(m, dict) and mapping.number(m.get("id")) == mid), None)
        url = mapping.data_url(message, attachment.id) if message is not None else ""
        if not url:
            raise Rejected("the file is no longer on Chatwoot", 404)
        cap = self.http.max_body
        if attachment.size > cap:
            raise Rejected(f"the file is larger than {cap // (1024 * 1024)} MB and is not downloaded", 413)
        sink = Sink(dest, attachment.size, cap, progress)
        copy_stream(self.http, open_url(self.http, url), sink)
        sink.verify(attachment.sha256)

    def _find_my_message(self, conversation_id: int, kind: str, body: str, since: str, *,
                         files: list[OutgoingFile] | None = None) -> dict[str, Any] | None:
        """This agent's newest message of this kind, text and files (names and sizes) created since
        the first attempt began (`since`, our clock) less a small margin, on Chatwoot's clock: the
        same text sent on purpose minutes before is not mistaken for it."""
        wanted_files = sorted((f.name, f.size) for f in files or ())
        try:
            started = parse_iso(since).timestamp()
        except (TypeError, ValueError, OverflowError) as exc:
            raise Rejected("the time of the earlier attempt to send this message cannot be read", 422) from exc
        if self.clock_skew is None:
            self._json("GET", "/api/v1/profile")   # a cheap answer whose Date tells Chatwoot's clock
        cutoff = _resend_cutoff(started, self.clock_skew)
        messages = self._messages(conversation_id, cutoff)
        if messages is None:
            raise Rejected("the conversation is no longer on Chatwoot", 404)
        me = self._my_number()
        for message in reversed(messages):   # newest first: a resend is the latest of its kind
            try:
                if not (mapping.number(message.get("message_type")) == mapping.OUTGOING
                        and (message.get("private") is True) == (kind == "note")
                        and mapping.number(message.get("sender_id")) == me
                        and same_text(_text(message.get("content")), body)
                        and mapping.file_names(message) == wanted_files):
                    continue
                record = mapping.message_record(message, str(conversation_id))
            except DAMAGED:
                continue
            if record is not None:
                return {"id": _key(message), **record}
        return None

    def transfer(self, conversation_id: str, *, kind: str, queue_id: str | None, assignee_id: str | None,
                 note: str, key: str, resend_since: str | None = None) -> list[Record]:
        """A hand-off: the note as a private note (looked for first, like a reply), then the
        conversation given to the team (unassigned, for the team to take) or to the agent."""
        number = _conversation_number(conversation_id)
        message = self.post_message(conversation_id, "note", note, key, resend_since=resend_since)
        path = self._account(f"/conversations/{number}/assignments")
        team = mapping.chatwoot_id(queue_id, "t")
        if team is not None:
            self._json("POST", path, body={"team_id": team})
            if assignee_id is None:
                self._json("POST", path, body={"assignee_id": 0})   # no such user: unassigned
        agent = mapping.chatwoot_id(assignee_id, "u")
        if agent is not None:
            self._json("POST", path, body={"assignee_id": agent})
        found = [Record("message", str(message["id"]),
                        {**message, "event": kind if kind in ("transfer", "escalate") else "transfer",
                         "event_target": queue_id or ""})]
        current = self._conversation_now(conversation_id)
        if current is not None:   # None: moved where this account cannot see it (the pull removes it)
            found.append(Record("conversation", str(number), current))
        return found

    def patch_conversation(self, conversation_id: str, fields: dict[str, Any],
                           if_match: int | None) -> dict[str, Any]:
        """Chatwoot has no If-Match: the conversation is read first, and a version other than the
        one the engine saw is a conflict (the engine compares field by field and comes back)."""
        number = _conversation_number(conversation_id)
        calls = _conversation_update(fields)
        current = self._conversation_now(conversation_id)
        if current is None:
            raise Rejected("the conversation is no longer visible to this account", 404)
        if if_match is not None and current.get("version") != if_match:
            raise VersionConflict("the conversation changed on Chatwoot meanwhile", current)
        base = self._account(f"/conversations/{number}")
        for name, suffix, body in calls:
            if name == "priority" and current.get("priority") == fields["priority"]:
                continue   # "medium" and none are both our normal: do not turn one into the other
            if name in current and current.get(name) == fields[name] and name != "tags":
                continue
            self._json("POST", base + suffix, body=body)
        after = self._conversation_now(conversation_id)
        if after is None:
            raise Rejected("the conversation is no longer visible to this account", 404)
        refused = [name for name in ("status", "priority", "assignee_id", "queue_id")
                   if name in fields and after.get(name) != fields[name]
                   and not (name == "status" and fields[name] in ("new", "closed"))]
        if refused:
            raise PermissionDenied(f"Chatwoot did not change {', '.join(refused)}")
        return after


def _conversation_update(fields: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Our fields as Chatwoot calls: (field, path suffix, body). Refused before anything is sent."""
    calls: list[tuple[str, str, dict[str, Any]]] = []
    for name, value in fields.items():
        if name == "status":
            if not isinstance(value, str) or value not in mapping.STATUS_TO_CHATWOOT:
                raise Rejected(f"Chatwoot has no status like {value!r}", 422)
            calls.append((name, "/toggle_status", {"status": mapping.STATUS_TO_CHATWOOT[value]}))
        elif name == "priority":
            if not isinstance(value, str) or value not in mapping.PRIORITY_TO_CHATWOOT:
                raise Rejected(f"Chatwoot has no priority like {value!r}", 422)
            calls.append((name, "/toggle_priority", {"priority": mapping.PRIORITY_TO_CHATWOOT[value]}))
        elif name == "assignee_id":
            agent = mapping.chatwoot_id(value, "u") if value else 0
            if agent is None:
                raise Rejected(f"{value!r} is not a Chatwoot agent", 422)
            calls.append((name, "/assignments", {"assignee_id": agent}))   # 0: nobody, unassigned
        elif name == "queue_id":
            team = mapping.chatwoot_id(value, "t") if value else 0
            if team is None:
                raise Rejected(f"{value!r} is not a Chatwoot team", 422)
            calls.append((name, "/assignments", {"team_id": team}))
        elif name == "tags":
            if value is not None and not isinstance(value, (list, tuple)):
                raise Rejected("tags must be a list", 422)
            labels = [str(tag) for tag in value or ()]
            calls.append((name, "/labels", {"labels": labels}))
        elif name == "disposition":
            continue   # Chatwoot has no wrap-up codes: the status change goes through, the code stays local
        else:
            raise Rejected(f"Chatwoot cannot store {name!r} on a conversation", 422)
    return calls


def _conversation_number(conversation_id: Any) -> int:
    number = mapping.number(conversation_id)
    if number is None:
        raise Rejected(f"{str(conversation_id)[:40]!r} is not a Chatwoot conversation", 404)
    return number


def _resend_cutoff(started: float, skew: float | None) -> float:
    """The first attempt's start on Chatwoot's clock, less the margin a write of ours may lag by
    (Chatwoot's whole-second times, the Date header's, the request's way there)."""
    if skew is None:
        return started - UNKNOWN_SKEW_MARGIN
    return started + skew - RESEND_MARGIN


def _skew_from(date_header: str | None, now: float) -> float | None:
    """Chatwoot's clock less ours; a Date more than MAX_SKEW off is not believed."""
    return skew_from(date_header, now, MAX_SKEW)


def _form_value(text: str) -> str:
    """A form field's name or file name inside its quotes (as browsers write them: UTF-8, with
    quotes and line breaks escaped)."""
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _multipart(fields: dict[str, Any], files: list[OutgoingFile]) -> tuple[str, list[bytes | FilePart]]:
    """A multipart/form-data body: the fields, then each file as `attachments[]`."""
    boundary = f"agentdesktop-{secrets.token_hex(16)}"
    parts: list[bytes | FilePart] = []
    for name, value in fields.items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{text}\r\n'.encode())
    for item in files:
        parts += [(f'--{boundary}\r\nContent-Disposition: form-data; name="attachments[]"; '
                   f'filename="{_form_value(item.name)}"\r\n'
                   f"Content-Type: {item.content_type or 'application/octet-stream'}\r\n\r\n").encode(),
                  FilePart(item), b"\r\n"]
    parts.append(f"--{boundary}--\r\n".encode())
    return boundary, parts


def _key(item: dict[str, Any]) -> str:
    """A record's id as the feed keys it ("None" for one without: it is skipped where it matters)."""
    return str(mapping.number(item.get("id")))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _activity(conversation: dict[str, Any]) -> float:
    return mapping.seconds(conversation.get("last_activity_at")) or 0.0


def _created(message: dict[str, Any]) -> float:
    return mapping.seconds(message.get("created_at")) or 0.0


def _skipped(entity: str, item: Any, reason: str, conversation_id: str | None = None) -> None:
    """A record that cannot be read: its id and why, never its contents (names, e-mails, text)."""
    record_id = mapping.number(item.get("id")) if isinstance(item, dict) else None
    where = f" in conversation {conversation_id}" if conversation_id else ""
    log.warning("skipped a Chatwoot %s (id %s)%s it could not read: %s", entity, record_id, where, reason)


def _seen_while_scanning(seen: dict[str, int], boundary: list[list[dict[str, Any]]], threshold: float,
                         newest: float) -> dict[str, int]:
    """What a scan that goes on with the next pull remembers: the versions near the newest (the
    next scan's overlap reads them again), those of the last two pages read (the next pull starts
    on the last one again, and the list may shift by a few), and the old window's below them."""
    near_top = int((newest - OVERLAP) * 1_000_000)
    low = int(threshold * 1_000_000)
    versions = {_key(item): mapping.version_of(item) for items in boundary for item in items}
    ceiling = max(versions.values(), default=low)
    kept = {k: v for k, v in seen.items() if v >= near_top or low <= v <= ceiling}
    return {**kept, **versions}


def _list(answer: Any, key: str | None = None) -> list[dict[str, Any]]:
    items = answer.get(key) if key and isinstance(answer, dict) else answer
    if not isinstance(items, list):
        raise MalformedResponse("Chatwoot's answer is not the list it should be")
    return [item for item in items if isinstance(item, dict)]


def _number_field(value: Any, *, low: float = 0.0) -> float | None:
    """A cursor's number: finite and not below `low`, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= low else None


def _page_field(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10_000_000 else None


def _read_cursor(cursor: str | None, account_id: int | None) -> dict[str, Any] | None:
    """The cursor's state, checked and normalised; None for a first sync. One this adapter cannot
    read (another adapter's, another account's, an older version's, a damaged one) expires: the
    engine resyncs from scratch."""
    if not cursor:
        return None
    expired = CursorExpired("the saved sync position is not one this Chatwoot account can continue from")
    try:
        state = json.loads(cursor)
    except (ValueError, RecursionError):
        raise expired from None
    if (not isinstance(state, dict) or state.get("v") != CURSOR_VERSION
            or state.get("phase") not in ("snapshot", "follow") or state.get("account") != account_id):
        raise expired
    high_water = _number_field(state.get("hw"))
    roster_at = _number_field(state.get("roster_at", 0))
    channels, seen = state.get("channels"), state.get("seen", {})
    if (high_water is None or high_water > mapping.LATEST_SECONDS or roster_at is None
            or not isinstance(channels, dict) or not all(isinstance(v, str) for v in channels.values())
            or not isinstance(seen, dict)
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in seen.values())):
        raise expired
    state = {**state, "hw": high_water, "roster_at": roster_at, "seen": seen}
    if state["phase"] == "snapshot" and _page_field(state.get("page")) is None:
        raise expired
    resume = state.get("resume")
    if resume is not None:
        top = _number_field(resume.get("top")) if isinstance(resume, dict) else None
        if top is None or _page_field(resume.get("page")) is None:
            raise expired
        state["resume"] = {"page": resume["page"], "top": top}
    return state
