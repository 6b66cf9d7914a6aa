"""Adapter for Zendesk Support, through its REST API v2 (`/api/v2/`).

Zendesk has no change feed of our kind and no idempotency keys for comments, so this adapter
makes both:

- **The feed** is Zendesk's incremental exports: the cursor-based ticket and user exports
  (`/api/v2/incremental/tickets/cursor`, `/api/v2/incremental/users/cursor`) bring every ticket or
  user changed since the last cursor, and the ticket event export with the `comment_events`
  sideload (`/api/v2/incremental/ticket_events`) brings the new comments of every ticket in one
  stream, instead of one request per ticket. A first sync pages each export from the beginning;
  later pulls ask each once from where it stopped. Deleted tickets come from the ticket export
  (status "deleted") and from `/api/v2/deleted_tickets`; a ticket merged into another (closed with
  Zendesk's `closed_by_merge` tag) leaves the cache, and Zendesk's merge note on the ticket it
  joined carries its last comment.
- **Pacing**: Zendesk allows 10 requests a minute to each incremental export on most plans. A
  token bucket per export keeps the adapter under that; when a pull would have to wait longer than
  a moment it raises ServerBusy with the wait instead, and a 429 is honoured with its Retry-After.
- **Exactly once**: Zendesk honours `Idempotency-Key` only when a ticket is created, so before a
  comment goes out again after an unknown outcome (`resend_since`) the adapter looks at the
  ticket's newest comments for its own with the same text and adopts it.
- **Conflicts**: field changes go with `safe_update` and the ticket's `updated_at` as
  `updated_stamp`; Zendesk's 409 becomes a VersionConflict with the ticket as it is now.

**Two paths**: the incremental exports are "Allowed for: Admins". For a plain agent (role
`agent` at sign-in, or an export answering 403) the feed follows the Search Export API instead
(`/api/v2/search/export?filter[type]=ticket&query=updated>=…`, "Allowed for: Agents"): tickets
updated since the high-water mark less an overlap window, skipped when their id and `updated_at`
were already brought; comments per moved ticket (`/api/v2/tickets/{id}/comments`), their people by
`/api/v2/users/show_many`. The path is kept in the cursor (`mode`), so a pull does not probe.

Mapping: `zendesk_mapping.py` and docs/backends/zendesk.md.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

from ..domain.attachments import Attachment
from ..domain.timeutil import now_iso, parse_iso
from . import zendesk_mapping as mapping
from .base import (
    AuthRequired,
    Capability,
    ChangeBatch,
    CursorExpired,
    MalformedResponse,
    PermissionDenied,
    Rejected,
    ServerBusy,
    SignIn,
    UnsupportedVersion,
    VersionConflict,
)
from .http import HttpClient
from .protocols import OutgoingFile, Progress, Record
from .vendor_kit import VendorClock, WorkerPool, html_to_text, same_text, upsert
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

API = "/api/v2"
EXPORT_RATE = 10.0          # requests a minute to each incremental export (Zendesk's limit on most plans)
RATE_ENV = "AGENT_DESKTOP_ZENDESK_EXPORT_RATE"   # tests and Enterprise plans (high-volume add-on) raise it
PACE_WAIT = 2.0             # a pull waits this long for a token; longer, and it says "busy" with the wait
KNOWLEDGE_EVERY = 600.0     # seconds between refreshes of macros and Help Center articles
RESEND_SLACK = 30.0         # seconds before the first attempt (in Zendesk's clock) our comment may carry
RESEND_BLIND = 120.0        # the same, when no answer told Zendesk's clock (no Date header yet)
EVENTS_HOLD_BACK = 60       # seconds: the event export's start_time must lie at least this far back
DELETED_MARGIN = 60         # seconds of overlap when asking which tickets were deleted since
DELETED_PAGES = 5           # pages of /deleted_tickets one pull reads at most (10 requests a minute)
DELETED_PER_PAGE = 100      # Zendesk's most per page
COMMENTS_PAGE = 100
EXPORTS = ("users", "tickets", "events", "deleted")
SEARCH_RATE = 100.0         # requests a minute to the search export (per account, Zendesk's limit)
SEARCH_RATE_ENV = "AGENT_DESKTOP_ZENDESK_SEARCH_RATE"
API_RATE = 200.0            # the account's overall limit on the smallest plan (Team): comments, users
API_RATE_ENV = "AGENT_DESKTOP_ZENDESK_API_RATE"
SEARCH_PAGE = 100           # Zendesk recommends 100 results a page for the search export
OVERLAP = 300.0             # seconds re-read below the high-water mark: search indexing lag, clock skew
EPOCH = "1970-01-01T00:00:00Z"
USERS_AT_ONCE = 100         # /users/show_many takes up to 100 ids
ADMIN_PHASES = ("users", "tickets", "events", "live")
AGENT_PHASES = ("search", "follow")
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024   # Zendesk's limit per file


class TokenBucket:
    """`rate` requests a minute, in bursts of up to `rate`. Thread-safe; the clock is injectable."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = max(rate, 0.001)
        self.capacity = max(1.0, self.rate)
        self.clock = clock
        self._tokens = self.capacity
        self._at = clock()
        self._blocked_until = 0.0
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self.clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate / 60.0)
        self._at = now

    def wait(self) -> float:
        """Seconds until a token is free (0: one is free now)."""
        with self._lock:
            self._refill()
            blocked = max(0.0, self._blocked_until - self.clock())
            short = 0.0 if self._tokens >= 1 else (1 - self._tokens) * 60.0 / self.rate
            return max(blocked, short)

    def take(self) -> None:
        with self._lock:
            self._refill()
            self._tokens -= 1

    def block(self, seconds: float) -> None:
        """Zendesk said 429: nothing goes out for `seconds` (its Retry-After)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self.clock() + seconds)
            self._tokens = min(self._tokens, 0.0)


def _rate_from_env(name: str = RATE_ENV, default: float = EXPORT_RATE) -> float:
    try:
        return float(os.environ.get(name, "")) or default
    except ValueError:
        return default


class ZendeskBackend:
    capabilities = frozenset({Capability.CORE, Capability.ATTACHMENTS, Capability.HANDOFF})
    idempotency_keys = False   # see post_message: it looks for its own comment before writing again

    def __init__(self, base_url: str, *, export_rate: float | None = None, search_rate: float | None = None,
                 api_rate: float | None = None, pace_wait: float = PACE_WAIT, workers: int = 4,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 **http_options: Any) -> None:
        self.http = HttpClient(base_url, **http_options)
        self.base_url = self.http.base_url
        rate = export_rate if export_rate is not None else _rate_from_env()
        self.buckets = {name: TokenBucket(rate, clock) for name in EXPORTS}
        # The agent path: the search export's own limit, and the account's overall one for the
        # per-ticket comment lists and user look-ups (a burst may overdraw it: the next pull waits).
        self.buckets["search"] = TokenBucket(
            search_rate if search_rate is not None else _rate_from_env(SEARCH_RATE_ENV, SEARCH_RATE), clock)
        self.buckets["api"] = TokenBucket(
            api_rate if api_rate is not None else _rate_from_env(API_RATE_ENV, API_RATE), clock)
        self.workers = workers
        self.pace_wait = pace_wait
        self._sleep = sleep
        self._me: dict[str, Any] | None = None
        self._me_id: int | None = None
        self._email: str | None = None          # the signed-in address (not a secret), for set_token
        self._clock = VendorClock()              # Zendesk's clock against ours (from Date headers)
        self._pool = WorkerPool(workers, "zendesk")
        # Outbox key → (the files, the upload token): a retry in this session reuses the uploads.
        self._uploads: dict[str, tuple[tuple[tuple[str, str, int], ...], str]] = {}

    # -- plumbing ----------------------------------------------------------------------------------
    def _json(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        response = self.http.request(method, API + path, params=params, json_body=body)
        self._note_clock(response.headers.get("Date"))
        if not response.content:
            return None
        answer = self.http.json(response)
        if not isinstance(answer, dict):
            raise MalformedResponse("Zendesk's answer is not a JSON object")
        return answer

    def _note_clock(self, date: str | None) -> None:
        """Marks kept in Zendesk's time (deletions since, comments since) start from its clock."""
        self._clock.note(date)

    def server_now(self) -> float:
        """Zendesk's time now, in Unix seconds, as far as its answers told (ours before any)."""
        return self._clock.now()

    def _pace(self, exports: tuple[str, ...]) -> None:
        """Wait for a token of each export about to be asked (briefly), or say how long to wait."""
        wait, name = max((self.buckets[name].wait(), name) for name in exports)
        if wait > self.pace_wait:
            what = "API" if name == "api" else f"{name} export"
            raise ServerBusy(f"Zendesk allows {self.buckets[name].rate:g} {what} requests a minute; "
                             f"the next pull can go in {wait:.0f} s", wait)
        if wait > 0:
            self._sleep(wait)

    def _export(self, name: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        self.buckets[name].take()
        try:
            return self._json("GET", path, params=params)
        except ServerBusy as exc:
            if exc.retry_after is not None:
                self.buckets[name].block(exc.retry_after)
            raise
        except PermissionDenied as exc:
            raise PermissionDenied("Zendesk's incremental exports need an administrator account; ask your "
                                   "Zendesk administrator for that role (or an admin's API token)") from exc

    # -- signing in ------------------------------------------------------------------------------
    def set_token(self, token: str | None) -> None:
        """None signs out. Zendesk has no session token (sign_in returns ""): its credential is the
        e-mail address with an API token, so a token given here replaces the API token of the
        address signed in; before any sign-in there is no address to pair it with."""
        if token is None:
            self.http.authorization = None
        elif not token:
            return   # the empty token sign_in returned: the credential already set stays
        elif self._email is None:
            raise AuthRequired("Zendesk needs the agent's e-mail address with the API token; sign in first")
        else:
            self._authorize(self._email, token)

    def _authorize(self, email: str, api_token: str) -> None:
        pair = base64.b64encode(f"{email}/token:{api_token}".encode()).decode("ascii")
        self.http.authorization = f"Basic {pair}"

    def sign_in(self, username: str, password: str) -> SignIn:
        """`username` is the agent's e-mail address, `password` an API token (Admin Center → Apps and
        integrations → Zendesk API): Zendesk's basic auth as `email/token:api_token`."""
        self._authorize(username, password)
        try:
            answer = self._json("GET", "/users/me")
        except Rejected as exc:
            if exc.status == 404:
                raise UnsupportedVersion("this address has no Zendesk Support API (/api/v2/); type your "
                                         "https://SUBDOMAIN.zendesk.com address") from exc
            raise
        user = answer.get("user") if isinstance(answer, dict) else None
        if not isinstance(user, dict):
            raise MalformedResponse("Zendesk did not describe the signed-in user")
        # A wrong token is "anonymous" on some accounts: a user with no id, not a 401.
        if mapping.number(user.get("id")) is None:
            raise AuthRequired("Zendesk did not accept this e-mail address and API token")
        if not mapping.is_staff(user):
            raise PermissionDenied("this Zendesk account is an end user; an agent account is needed")
        agent = {"id": f"u{user['id']}", "username": str(user.get("email") or username),
                 "name": str(user.get("name") or username), "role": "agent", "backend": "zendesk",
                 "backend_version": "v2", "zendesk_role": str(user.get("role"))}
        self._me, self._me_id, self._email = agent, mapping.number(user["id"]), username
        return SignIn(token="", agent=agent)

    # -- the feed -----------------------------------------------------------------------------------
    def changes(self, cursor: str | None, limit: int = 500) -> ChangeBatch:
        batch = self._changes(cursor, limit)
        _preview_newest_reply(batch.changes)
        return batch

    def _changes(self, cursor: str | None, limit: int) -> ChangeBatch:
        state = _read_cursor(cursor)
        if state is None:
            return self._start()
        if state.get("mode", "admin") == "admin":
            if self._is_plain_agent():
                return self._to_agent_path(state)
            try:
                if state["phase"] == "live":
                    return self._live(state)
                return self._snapshot(state)
            except PermissionDenied:
                log.info("Zendesk refused its incremental exports (not an admin): following the search export")
                return self._to_agent_path(state)
        if state["phase"] == "search":
            return self._agent_snapshot(state, limit)
        return self._agent_follow(state, limit)

    def _is_plain_agent(self) -> bool:
        return self._me is not None and self._me.get("zendesk_role") == "agent"

    def _to_agent_path(self, state: dict[str, Any]) -> ChangeBatch:
        """From the admin exports to the search export: a full pass (what was brought stays, upserts
        are idempotent), then following from its high-water mark."""
        agent = {k: v for k, v in state.items() if k in ("v", "deleted", "knowledge", "queues", "staff")}
        agent.update({"mode": "agent", "phase": "search", "after": None, "hw": 0, "seen": {},
                      "started": int(self.server_now())})
        return ChangeBatch(changes=[], cursor=json.dumps(agent), has_more=True)

    def _start(self) -> ChangeBatch:
        """Queues, the signed-in agent, macros and articles; the exports start after this."""
        queues = self._groups()
        changes = [upsert("queue", str(g["id"]), data) for g in queues if (data := mapping.queue_record(g))]
        queue_ids = [c["id"] for c in changes]
        if self._me:
            me = self._me
            changes.append(upsert("agent", me["id"], {"username": me["username"], "name": me["name"],
                                                       "role": "agent", "version": 1, "queue_ids": queue_ids,
                                                       "state": "offline"}))
        changes.extend(self._knowledge())
        # Deletions are asked from Zendesk's "now" (the answers' Date so far), not this machine's.
        state = {"v": 1, "mode": "admin", "phase": "users", "users": None, "tickets": None, "events": 0,
                 "deleted": int(self.server_now()) - DELETED_MARGIN, "knowledge": int(time.time()),
                 "queues": queue_ids,
                 "staff": [self._me_id] if self._me_id is not None else []}
        if self._is_plain_agent():   # /users/me said "agent": the exports would only answer 403
            return ChangeBatch(changes=changes, cursor=self._to_agent_path(state).cursor, has_more=True)
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)

    def _snapshot(self, state: dict[str, Any]) -> ChangeBatch:
        """One page of the first sync: users, then tickets, then comments, each to its end."""
        phase = state["phase"]
        changes: list[dict[str, Any]] = []
        self._pace((phase,))
        if phase == "users":
            done = self._users_page(state, changes)
            next_phase = "tickets"
        elif phase == "tickets":
            done = self._tickets_page(state, changes)
            next_phase = "events"
        else:
            done = self._events_page(state, changes)
            next_phase = "live"
        if done:
            state = {**state, "phase": next_phase}
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)

    def _live(self, state: dict[str, Any]) -> ChangeBatch:
        """A later pull: each export once from where it stopped (more pages: has_more)."""
        self._pace(("users", "tickets", "events"))
        state = dict(state)
        changes: list[dict[str, Any]] = []
        users_done = self._users_page(state, changes)
        tickets_done = self._tickets_page(state, changes)
        events_done = self._events_page(state, changes)
        if self.buckets["deleted"].wait() == 0:   # its own limit: when spent, the next pull asks
            self._deleted(state, changes)
        if time.time() - float(state.get("knowledge") or 0) > KNOWLEDGE_EVERY:
            changes.extend(self._knowledge())
            state["knowledge"] = int(time.time())
        return ChangeBatch(changes=changes, cursor=json.dumps(state),
                           has_more=not (users_done and tickets_done and events_done))

    def _users_page(self, state: dict[str, Any], changes: list[dict[str, Any]]) -> bool:
        params: dict[str, Any] = {"start_time": 0, "per_page": 1000}
        if state.get("users"):
            params["cursor"] = state["users"]
        answer = self._export("users", "/incremental/users/cursor", params)
        staff = set(state.get("staff") or ())
        for user in _list(answer, "users"):
            uid = mapping.number(user.get("id"))
            if uid is None:
                log.warning("skipped a Zendesk user without an id")
                continue
            if mapping.is_staff(user):
                staff.add(uid)
                data = mapping.agent_record(user, [])
                if data is not None and uid != self._me_id:
                    changes.append(upsert("agent", f"u{uid}", data))
            else:
                staff.discard(uid)
                data = mapping.customer_record(user)
                if data is not None:
                    changes.append(upsert("customer", f"u{uid}", data))
        state["staff"] = sorted(staff)
        if _text(answer.get("after_cursor")):
            state["users"] = answer["after_cursor"]
        return bool(answer.get("end_of_stream", True))

    def _tickets_page(self, state: dict[str, Any], changes: list[dict[str, Any]]) -> bool:
        params: dict[str, Any] = {"start_time": 0}
        if state.get("tickets"):
            params["cursor"] = state["tickets"]
        answer = self._export("tickets", "/incremental/tickets/cursor", params)
        for ticket in _list(answer, "tickets"):
            tid = mapping.number(ticket.get("id"))
            if tid is None:
                log.warning("skipped a Zendesk ticket without an id")
                continue
            if ticket.get("status") == "deleted" or mapping.is_merged_away(ticket):
                changes.append({"entity": "conversation", "op": "delete", "id": str(tid)})
                continue
            data = mapping.conversation_record(ticket)
            if data is None:
                log.warning("skipped Zendesk ticket %s: unreadable status, requester or time", tid)
                continue
            changes.append(upsert("conversation", str(tid), data))
        if _text(answer.get("after_cursor")):
            state["tickets"] = answer["after_cursor"]
        return bool(answer.get("end_of_stream", True))

    def _events_page(self, state: dict[str, Any], changes: list[dict[str, Any]]) -> bool:
        # Zendesk wants start_time at least a minute back: the last minute is read again (comments
        # are stored by id, so nothing doubles) and a comment still being committed is not missed.
        start = min(int(state.get("events") or 0), int(self.server_now()) - EVENTS_HOLD_BACK)
        answer = self._export("events", "/incremental/ticket_events",
                              {"start_time": max(start, 0), "include": "comment_events"})
        staff = set(state.get("staff") or ())
        events = _list(answer, "ticket_events")
        for event in events:
            tid = mapping.number(event.get("ticket_id"))
            children = event.get("child_events")
            if children is None:
                continue
            if not isinstance(children, list):
                log.warning("skipped Zendesk ticket event %s: its child_events are not a list", _id_of(event))
                continue
            for child in children:
                if not isinstance(child, dict) or child.get("event_type", child.get("type")) != "Comment":
                    continue
                cid = mapping.number(child.get("id"))
                data = mapping.message_record(child, str(tid), staff) if tid is not None and cid is not None else None
                if data is None:
                    log.warning("skipped Zendesk comment event %s (ticket event %s): no ticket, id or readable time",
                                _id_of(child), _id_of(event))
                    continue
                changes.append(upsert("message", str(cid), data))
        end = mapping.number(answer.get("end_time"))
        if events and end is not None and end >= start:
            state["events"] = end
        # A full page ends at a second that may hold more: the next page starts at that second.
        return bool(answer.get("end_of_stream", True))

    def _deleted(self, state: dict[str, Any], changes: list[dict[str, Any]]) -> None:
        """Tickets deleted since the mark (Zendesk's clock), newest first, page after page while the
        page still reaches the mark: a bulk delete (a spam purge) spans many. At most DELETED_PAGES
        a pull (and while the export's bucket has tokens); an unfinished sweep goes on next pull
        from its last page read again (restored tickets shift the list back), the mark moving only
        when a sweep is done."""
        if state.get("deleted") is False:
            return   # this agent may not list deleted tickets: only a 404 on fetching one tells
        since = int(state.get("deleted") or 0)
        sweep = state.get("deleted_sweep") or {}
        first = page = int(sweep.get("page") or 1)
        newest = max(since, int(sweep.get("newest") or 0))
        for _step in range(DELETED_PAGES):
            if page != first and self.buckets["deleted"].wait() > 0:
                break
            self.buckets["deleted"].take()
            try:
                answer = self._json("GET", "/deleted_tickets", params={
                    "sort_by": "deleted_at", "sort_order": "desc", "per_page": DELETED_PER_PAGE, "page": page})
            except PermissionDenied:
                if state.get("mode") != "agent":
                    raise
                log.info("this Zendesk agent may not list deleted tickets; a deleted ticket leaves when it 404s")
                state["deleted"] = False
                state.pop("deleted_sweep", None)
                return
            items = _list(answer, "deleted_tickets")
            reached_mark = False
            for item in items:
                tid = mapping.number(item.get("id"))
                when = mapping.version_of(item.get("deleted_at"))
                if tid is None or when is None:
                    log.warning("skipped a deleted Zendesk ticket %s: no id or readable deleted_at", _id_of(item))
                    continue
                if when < since:
                    reached_mark = True
                    continue
                newest = max(newest, when)
                changes.append({"entity": "conversation", "op": "delete", "id": str(tid)})
            if reached_mark or not items or not _text(answer.get("next_page")):
                state.pop("deleted_sweep", None)
                state["deleted"] = max(since, newest - DELETED_MARGIN)
                return
            page += 1
        # Not done: the next pull reads on, from the last page read (at least one page further on).
        state["deleted_sweep"] = {"page": max(first + 1, page - 1), "newest": newest}

    # -- the agent path: the search export --------------------------------------------------------------
    def _search(self, since: str, after: str | None, size: int) -> dict[str, Any]:
        self.buckets["search"].take()
        params: dict[str, Any] = {"query": f"updated>={since}", "filter[type]": "ticket", "page[size]": size}
        if after:
            params["page[after]"] = after
        try:
            answer = self._json("GET", "/search/export", params=params)
        except ServerBusy as exc:
            if exc.retry_after is not None:
                self.buckets["search"].block(exc.retry_after)
            raise
        if not isinstance(answer, dict) or not isinstance(answer.get("meta"), dict):
            raise MalformedResponse("Zendesk's search export answer has no 'meta'")
        return answer

    def _agent_snapshot(self, state: dict[str, Any], limit: int) -> ChangeBatch:
        """One page of the first sync: every ticket the agent may see (updated since 1970), in
        Zendesk's created_at order, with its comments and people."""
        self._pace(("search", "api"))
        answer = self._search(EPOCH, state.get("after"), _page_size(limit))
        tickets = _list(answer, "results")
        changes = self._compose(tickets, state, since=None)
        newest = max([int(state.get("hw") or 0)] + [mapping.version_of(t.get("updated_at")) or 0 for t in tickets])
        # Tickets changed near the pass's start are re-read by the first follow: remember them.
        floor = int(state.get("started") or 0) - 2 * OVERLAP
        seen = dict(state.get("seen") or {})
        seen.update({str(tid): v for t in tickets if (tid := mapping.number(t.get("id"))) is not None
                     and (v := mapping.version_of(t.get("updated_at"))) is not None and v >= floor})
        state = {**state, "hw": newest, "seen": seen}
        meta = answer["meta"]
        if meta.get("has_more") and _text(meta.get("after_cursor")):
            state["after"] = meta["after_cursor"]
        else:
            # Follow from the newest ticket seen, but no later than the pass began (a ticket changed
            # during the pass, on a page already read, is read again).
            state.update({"phase": "follow", "after": None,
                          "hw": min(newest, int(state.get("started") or newest)) or newest})
            state.pop("started", None)
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)

    def _agent_follow(self, state: dict[str, Any], limit: int) -> ChangeBatch:
        """A later pull: tickets updated since the mark less the overlap (one search page; more
        pages: has_more, the same query going on), those already brought skipped."""
        self._pace(("search", "api"))
        state = dict(state)
        high_water = int(state.get("hw") or 0)
        since = state.get("since") or _iso(high_water - OVERLAP)
        answer = self._search(since, state.get("after"), _page_size(limit))
        seen: dict[str, int] = {k: int(v) for k, v in (state.get("seen") or {}).items()}
        moved = [t for t in _list(answer, "results")
                 if seen.get(str(t.get("id"))) != mapping.version_of(t.get("updated_at"))]
        threshold = mapping.version_of(since) or 0
        changes = self._compose(moved, state, since=threshold)
        newest = max([high_water] + [mapping.version_of(t.get("updated_at")) or 0 for t in moved])
        for ticket in moved:
            version = mapping.version_of(ticket.get("updated_at"))
            tid = mapping.number(ticket.get("id"))
            if version is not None and tid is not None:
                seen[str(tid)] = version
        meta = answer["meta"]
        more = bool(meta.get("has_more") and _text(meta.get("after_cursor")))
        if more:   # the same query goes on; the mark moves when the pass is done
            state.update({"since": since, "after": meta["after_cursor"], "seen": seen,
                          "pending_hw": max(newest, int(state.get("pending_hw") or 0))})
        else:
            newest = max(newest, int(state.pop("pending_hw", 0) or 0))
            floor = newest - OVERLAP   # remember versions only inside the window the next pull re-reads
            state.update({"hw": newest, "after": None,
                          "seen": {k: v for k, v in seen.items() if v >= floor}})
            state.pop("since", None)
            if self.buckets["deleted"].wait() == 0:
                self._deleted(state, changes)
            if time.time() - float(state.get("knowledge") or 0) > KNOWLEDGE_EVERY:
                changes.extend(self._knowledge())
                state["knowledge"] = int(time.time())
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=more)

    def _compose(self, tickets: list[dict[str, Any]], state: dict[str, Any], *,
                 since: int | None) -> list[dict[str, Any]]:
        """People, conversations and their comments (all, or those from `since` on) for these
        tickets; a ticket gone when its comments are asked (404) leaves the cache."""
        changes: list[dict[str, Any]] = []
        valid: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        for ticket in tickets:
            tid = mapping.number(ticket.get("id"))
            if tid is None:
                log.warning("skipped a Zendesk ticket without an id")
            elif ticket.get("status") == "deleted" or mapping.is_merged_away(ticket):
                changes.append({"entity": "conversation", "op": "delete", "id": str(tid)})
            elif (data := mapping.conversation_record(ticket)) is None:
                log.warning("skipped Zendesk ticket %s: unreadable status, requester or time", tid)
            else:
                valid.append((tid, ticket, data))
        threads = self._parallel([partial(self._comments_of, tid, since) for tid, _t, _d in valid])
        people: set[int] = set()
        for (_tid, ticket, _data), comments in zip(valid, threads, strict=True):
            for key in ("requester_id", "assignee_id"):
                if (uid := mapping.number(ticket.get(key))) is not None:
                    people.add(uid)
            for comment in comments or ():
                if (uid := mapping.number(comment.get("author_id"))) is not None:
                    people.add(uid)
        changes.extend(self._people(sorted(people), state))
        staff = set(state.get("staff") or ())
        for (tid, _ticket, data), comments in zip(valid, threads, strict=True):
            if comments is None:
                changes.append({"entity": "conversation", "op": "delete", "id": str(tid)})
                continue
            changes.append(upsert("conversation", str(tid), data))
            for comment in comments:
                message = mapping.message_record(comment, str(tid), staff)
                if mapping.number(comment.get("id")) is None or message is None:
                    log.warning("skipped comment %s of Zendesk ticket %s: no id or readable time", _id_of(comment), tid)
                    continue
                changes.append(upsert("message", str(comment["id"]), message))
        return changes

    def _parallel(self, calls: list[Callable[[], Any]]) -> list[Any]:
        return self._pool.run(calls)

    def close(self) -> None:
        """Ends the worker threads now (else when the adapter is collected, or at exit)."""
        self._pool.close()

    def _comments_of(self, ticket_id: int, since: int | None) -> list[dict[str, Any]] | None:
        """The ticket's comments, newest first, back to `since` (all when None); None: it is gone."""
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {"sort": "-created_at", "page[size]": COMMENTS_PAGE}
        for _page in range(100):
            self.buckets["api"].take()
            try:
                answer = self._json("GET", f"/tickets/{ticket_id}/comments", params=params)
            except PermissionDenied:
                return None   # moved out of this agent's view (another group): it leaves the cache
            except Rejected as exc:
                if exc.status == 404:
                    return None
                raise
            page = _list(answer, "comments")
            found.extend(page)
            meta = answer.get("meta") if isinstance(answer.get("meta"), dict) else {}
            oldest = min((mapping.version_of(c.get("created_at")) or 0 for c in page), default=0)
            if not (meta.get("has_more") and _text(meta.get("after_cursor"))) or (since is not None and oldest < since):
                break
            params = {**params, "page[after]": meta["after_cursor"]}
        return found

    def _people(self, ids: list[int], state: dict[str, Any]) -> list[dict[str, Any]]:
        """These users as customers or agents (100 a request); staff ids kept in the cursor."""
        changes: list[dict[str, Any]] = []
        staff = set(state.get("staff") or ())
        for start in range(0, len(ids), USERS_AT_ONCE):
            chunk = ids[start:start + USERS_AT_ONCE]
            self.buckets["api"].take()
            answer = self._json("GET", "/users/show_many", params={"ids": ",".join(str(i) for i in chunk)})
            for user in _list(answer, "users"):
                uid = mapping.number(user.get("id"))
                if uid is None:
                    log.warning("skipped a Zendesk user without an id")
                elif mapping.is_staff(user):
                    staff.add(uid)
                    if uid != self._me_id and (data := mapping.agent_record(user, [])) is not None:
                        changes.append(upsert("agent", f"u{uid}", data))
                else:
                    staff.discard(uid)
                    if (data := mapping.customer_record(user)) is not None:
                        changes.append(upsert("customer", f"u{uid}", data))
        state["staff"] = sorted(staff)
        return changes

    def _groups(self) -> list[dict[str, Any]]:
        answer = self._json("GET", "/groups/assignable")
        return _list(answer, "groups")

    def _knowledge(self) -> list[dict[str, Any]]:
        """Active macros as scripts, published Help Center articles as FAQ articles."""
        changes: list[dict[str, Any]] = []
        for macro in _list(self._json("GET", "/macros/active"), "macros"):
            data = mapping.script_record(macro)
            if data is not None:
                changes.append(upsert("script", f"m{macro['id']}", data))
        for article in self._articles():
            data = mapping.faq_record(article)
            if data is not None:
                changes.append(upsert("faq_article", f"a{article['id']}", data))
        return changes

    def _articles(self) -> list[dict[str, Any]]:
        """The Help Center's articles; none when it is off or this account may not read it."""
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {"per_page": 100}
        for _page in range(20):
            try:
                answer = self._json("GET", "/help_center/articles", params=params)
            except (Rejected, MalformedResponse) as exc:
                log.info("no Help Center articles: %s", exc)
                return found
            found.extend(_list(answer, "articles"))
            following = answer.get("next_page")
            if not isinstance(following, str) or not following:
                break
            params = {k: v[0] for k, v in parse_qs(urlsplit(following).query).items()}
        return found

    # -- writing ----------------------------------------------------------------------------------
    def post_message(self, conversation_id: str, kind: str, body: str, idempotency_key: str, *,
                     resend_since: str | None = None) -> dict[str, Any]:
        """A public (reply) or private (note) comment. After an attempt whose answer was lost
        (`resend_since`), our own comment with this text is looked for and adopted first."""
        public = kind != "note"
        if resend_since is not None:
            earlier = self._find_my_comment(conversation_id, public, body, resend_since)
            if earlier is not None:
                log.info("an earlier attempt of %s reached Zendesk (comment %s)", idempotency_key, earlier["id"])
                return {**earlier, "idempotency_key": idempotency_key}
        answer = self._json("PUT", f"/tickets/{_ticket_number(conversation_id)}",
                            body={"ticket": {"comment": {"body": body, "public": public}}})
        return self._written_comment(answer, conversation_id, kind, body, idempotency_key)

    # -- files ------------------------------------------------------------------------------------
    def max_attachment_bytes(self) -> int:
        return MAX_ATTACHMENT_BYTES

    def send_with_attachments(self, conversation_id: str, kind: str, body: str, key: str, *,
                              files: list[OutgoingFile], body_html: str | None = None,
                              progress: Progress | None = None,
                              resend_since: str | None = None) -> dict[str, Any]:
        """Each file uploaded (`POST /uploads`, its bytes streamed; the first answer's token carries
        the rest), then the comment with `uploads: [token]` and `html_body`. After a lost answer our
        comment with this text and these files is adopted; uploads already made by this adapter for
        `key` are reused (one Zendesk never attached expires on its own after three days)."""
        public = kind != "note"
        check_sizes(files, MAX_ATTACHMENT_BYTES)
        # Zendesk refuses a comment without text: files alone are sent with their names as the text.
        body = body or html_to_text(body_html or "") or ", ".join(f.name for f in files)
        if resend_since is not None:
            earlier = self._find_my_comment(conversation_id, public, body, resend_since, files=files,
                                            body_html=body_html or "")
            if earlier is not None:
                log.info("an earlier attempt of %s reached Zendesk (comment %s)", key, earlier["id"])
                return self._with_files({**earlier, "idempotency_key": key}, files)
        comment: dict[str, Any] = {"body": body, "public": public}
        if body_html:
            comment["html_body"] = body_html
        if files:
            comment["uploads"] = [self._upload(key, files, progress)]
        answer = self._json("PUT", f"/tickets/{_ticket_number(conversation_id)}", body={"ticket": {"comment": comment}})
        self._uploads.pop(key, None)
        return self._with_files(self._written_comment(answer, conversation_id, kind, body, key), files)

    def _upload(self, key: str, files: list[OutgoingFile], progress: Progress | None) -> str:
        signature = tuple((f.sha256, f.name, f.size) for f in files)
        kept = self._uploads.get(key)
        if kept is not None and kept[0] == signature:
            return kept[1]
        total, done, token = sum(f.size for f in files), 0, None
        for item in files:
            def told(sent: int, _all: int, before: int = done) -> None:
                if progress is not None:
                    progress(before + sent, total)

            params = {"filename": item.name, **({"token": token} if token else {})}
            response = send_body(self.http, "POST", API + "/uploads", UploadBody([FilePart(item)], told),
                                 content_type=item.content_type or "application/octet-stream", params=params)
            self._note_clock(response.headers.get("Date"))
            upload = self.http.json(response)
            upload = upload.get("upload") if isinstance(upload, dict) else None
            found = upload.get("token") if isinstance(upload, dict) else None
            if not isinstance(found, str) or not found:
                raise MalformedResponse("Zendesk did not give an upload token")
            token = found
            done += item.size
        assert token is not None
        self._uploads[key] = (signature, token)
        return token

    @staticmethod
    def _with_files(message: dict[str, Any], files: list[OutgoingFile]) -> dict[str, Any]:
        stored = with_our_hashes(list(message.get("attachments") or ()), files)
        return {**message, "attachments": stored} if stored else message

    def download_attachment(self, attachment: Attachment, conversation_id: str, message_id: str,
                            dest: BinaryIO, progress: Progress | None = None) -> None:
        """The attachment's `content_url` (from `GET /attachments/{id}`), streamed to `dest`."""
        answer = self._json("GET", f"/attachments/{_number_of(attachment.id, 'attachment')}")
        described = answer.get("attachment") if isinstance(answer, dict) else None
        url = described.get("content_url") if isinstance(described, dict) else None
        if not isinstance(url, str) or not url:
            raise MalformedResponse("Zendesk did not say where the file is")
        cap = self.http.max_body
        if attachment.size > cap:
            raise Rejected(f"the file is larger than {cap // (1024 * 1024)} MB and is not downloaded", 413)
        sink = Sink(dest, attachment.size, cap, progress)
        copy_stream(self.http, open_url(self.http, url), sink)
        sink.verify(attachment.sha256)

    def _written_comment(self, answer: Any, conversation_id: str, kind: str, body: str,
                         key: str) -> dict[str, Any]:
        audit = answer.get("audit") if isinstance(answer, dict) else None
        events = audit.get("events") if isinstance(audit, dict) else None
        events = events if isinstance(events, list) else []
        comment = next((e for e in events if isinstance(e, dict) and e.get("type") == "Comment"), None)
        if comment is None or mapping.number(comment.get("id")) is None:
            raise MalformedResponse("Zendesk did not say which comment it created")
        me = self._me or {}
        created = mapping.iso(audit.get("created_at")) if isinstance(audit, dict) else None
        message = {"id": str(comment["id"]), "conversation_id": str(conversation_id), "kind": kind,
                   "direction": "out", "body": body, "created_at": created or now_iso(), "version": 1,
                   "author_id": me.get("id"), "author_name": me.get("name", ""), "idempotency_key": key,
                   **mapping.files_and_html(comment)}
        ticket = answer.get("ticket")
        conversation = mapping.conversation_record(ticket) if isinstance(ticket, dict) else None
        if conversation is not None:
            message["conversation"] = {"id": str(conversation_id), **conversation}
        return message

    def _find_my_comment(self, ticket_id: str, public: bool, body: str, since: str, *,
                         files: list[OutgoingFile] | None = None, body_html: str = "") -> dict[str, Any] | None:
        """Our newest comment of this kind, text (the HTML's as text, when sent as HTML) and files
        (names and sizes) created at or after the first attempt began (`since`, our clock, moved
        into Zendesk's by the skew its Date headers showed, less a little slack): an identical
        comment the agent sent on purpose before stays theirs."""
        wanted_files = sorted((f.name, f.size) for f in files or ())
        cutoff = self._resend_cutoff(since)
        answer = self._json("GET", f"/tickets/{_ticket_number(ticket_id)}/comments",
                            params={"sort": "-created_at", "page[size]": COMMENTS_PAGE})
        staff = {self._me_id} if self._me_id is not None else set()
        best: tuple[float, dict[str, Any]] | None = None
        for comment in _list(answer, "comments"):
            created = mapping.iso(comment.get("created_at"))
            if created is None:
                log.warning("skipped comment %s of Zendesk ticket %s: unreadable created_at", _id_of(comment), ticket_id)
                continue
            at = parse_iso(created).timestamp()
            if (mapping.number(comment.get("author_id")) != self._me_id or bool(comment.get("public")) != public
                    or at < cutoff or mapping.number(comment.get("id")) is None
                    or mapping.file_names(comment) != wanted_files
                    or not (mapping.comment_says(comment, body) or (body_html and same_text(
                        html_to_text(str(comment.get("html_body") or "")), html_to_text(body_html))))):
                continue
            if best is None or at > best[0]:
                best = (at, comment)
        if best is None:
            return None
        comment = best[1]
        data = mapping.message_record(comment, str(ticket_id), staff, (self._me or {}).get("name", "")) or {}
        return {"id": str(comment["id"]), **data, "body": body}

    def _resend_cutoff(self, since: str) -> float:
        return self._clock.resend_cutoff(since, slack=RESEND_SLACK, blind=RESEND_BLIND)

    def transfer(self, conversation_id: str, *, kind: str, queue_id: str | None, assignee_id: str | None,
                 note: str, key: str, resend_since: str | None = None) -> list[Record]:
        """A hand-off in one update: the private note and the new group (or assignee) together, so
        Zendesk applies both or neither. After a lost answer, our note found means it all landed."""
        message: dict[str, Any] | None = None
        if resend_since is not None:
            message = self._find_my_comment(conversation_id, False, note, resend_since)
        if message is None:
            update: dict[str, Any] = {"comment": {"body": note, "public": False}}
            if queue_id:
                update["group_id"] = _number_of(queue_id, "queue")
            if assignee_id:
                update["assignee_id"] = _number_of(assignee_id, "agent")
            answer = self._json("PUT", f"/tickets/{_ticket_number(conversation_id)}", body={"ticket": update})
            message = self._written_comment(answer, conversation_id, "note", note, key)
        conversation = message.pop("conversation", None) or self._conversation_now(conversation_id)
        found = [Record("message", str(message["id"]),
                        {**message, "idempotency_key": key,
                         "event": kind if kind in ("transfer", "escalate") else "transfer",
                         "event_target": queue_id or ""})]
        if conversation is not None:
            found.append(Record("conversation", conversation_id, conversation))
        return found

    def _conversation_now(self, ticket_id: str) -> dict[str, Any] | None:
        try:
            answer = self._json("GET", f"/tickets/{_ticket_number(ticket_id)}")
        except Rejected as exc:
            if exc.status == 404:
                return None
            raise
        ticket = answer.get("ticket") if isinstance(answer, dict) else None
        data = mapping.conversation_record(ticket) if isinstance(ticket, dict) else None
        return {"id": str(ticket_id), **data} if data is not None else None

    def patch_conversation(self, conversation_id: str, fields: dict[str, Any],
                           if_match: int | None) -> dict[str, Any]:
        update = _ticket_update(fields)
        if if_match is not None:
            update.update({"safe_update": True, "updated_stamp": mapping.stamp_of(if_match)})
        try:
            answer = self._json("PUT", f"/tickets/{_ticket_number(conversation_id)}", body={"ticket": update})
        except Rejected as exc:
            if exc.status != 409:
                raise
            raise VersionConflict("the ticket changed in Zendesk meanwhile",
                                  self._conversation_now(conversation_id)) from exc
        ticket = answer.get("ticket") if isinstance(answer, dict) else None
        data = mapping.conversation_record(ticket) if isinstance(ticket, dict) else None
        if data is None:
            raise MalformedResponse("Zendesk's answer did not hold the updated ticket")
        return {"id": str(conversation_id), **data}


def _ticket_update(fields: dict[str, Any]) -> dict[str, Any]:
    update: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "status":
            if value not in mapping.STATUS_TO_ZENDESK:
                raise Rejected(f"Zendesk has no status like {value!r}", 422)
            update["status"] = mapping.STATUS_TO_ZENDESK[value]
        elif name == "priority":
            if value not in mapping.PRIORITIES:
                raise Rejected(f"Zendesk has no priority like {value!r}", 422)
            update["priority"] = value
        elif name == "assignee_id":
            # Unassigning is `null` in Zendesk (its published document lists only numbers).
            update["assignee_id"] = _number_of(value, "agent") if value else None
        elif name == "queue_id":
            update["group_id"] = _number_of(value, "queue")
        elif name == "subject":
            update["subject"] = str(value)
        elif name == "tags":
            update["tags"] = [str(tag) for tag in value or ()]
        elif name == "disposition":
            continue   # Zendesk has no wrap-up codes: the status change goes through, the code stays local
        else:
            raise Rejected(f"Zendesk cannot store {name!r} on a ticket", 422)
    return update


def _ticket_number(conversation_id: str) -> int:
    number = mapping.number(conversation_id)
    if number is None:
        raise Rejected(f"{conversation_id!r} is not a Zendesk ticket number", 400)
    return number


def _number_of(value: Any, what: str) -> int:
    text = str(value)
    number = mapping.number(text[1:] if text.startswith("u") else text)
    if number is None:
        raise Rejected(f"{value!r} is not a Zendesk {what}", 400)
    return number


def _preview_newest_reply(changes: list[dict[str, Any]]) -> None:
    """A ticket carries only its first message (`description`): where the batch holds the ticket's
    newer replies too, the inbox row previews the newest, as it does on every other backend."""
    newest: dict[str, tuple[str, str]] = {}
    for change in changes:
        data = change.get("data") or {}
        if change.get("entity") == "message" and change.get("op") == "upsert" and data.get("kind") == "reply":
            key, at = str(data.get("conversation_id")), str(data.get("created_at") or "")
            if at >= newest.get(key, ("", ""))[0]:
                newest[key] = (at, str(data.get("body") or ""))
    for change in changes:
        if change.get("entity") == "conversation" and change.get("op") == "upsert" and change["id"] in newest:
            change["data"]["preview"] = newest[change["id"]][1][:300]


def _list(answer: Any, key: str) -> list[dict[str, Any]]:
    if not isinstance(answer, dict) or not isinstance(answer.get(key), list):
        raise MalformedResponse(f"Zendesk's answer has no '{key}' list")
    items = answer[key]
    kept = [item for item in items if isinstance(item, dict)]
    if len(kept) != len(items):
        log.warning("skipped %d Zendesk %s that are not objects", len(items) - len(kept), key)
    return kept


def _text(value: Any) -> bool:
    """A usable cursor or page token: a non-empty string (anything else ends the paging)."""
    return isinstance(value, str) and bool(value)


def _id_of(record: Any) -> str:
    """A record's id for a log line (never its content)."""
    found = mapping.number(record.get("id")) if isinstance(record, dict) else None
    return "without an id" if found is None else str(found)


def _page_size(limit: int) -> int:
    return max(1, min(int(limit or SEARCH_PAGE), SEARCH_PAGE))


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(max(0.0, seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _read_cursor(cursor: str | None) -> dict[str, Any] | None:
    """v1 cursors: without `mode` (written before the agent path) they are the admin path's. Every
    field is checked here, so a damaged one is CursorExpired (a fresh sync), never a crash later."""
    if not cursor:
        return None
    try:
        state = json.loads(cursor)
    except ValueError:
        state = None
    if not _cursor_is_sound(state):
        # another adapter's cursor, or a damaged one: the engine resyncs from scratch
        raise CursorExpired("the sync position is not one this Zendesk adapter wrote; syncing everything again")
    assert isinstance(state, dict)
    return state


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _seconds(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and abs(value) < 1e12


# Each optional field of the cursor and what it may hold (absent or None is always fine, except
# where the check says otherwise).
_CURSOR_FIELDS: dict[str, Callable[[Any], bool]] = {
    "users": _text, "tickets": _text, "after": _text,
    "events": _whole, "hw": _whole, "started": _whole, "pending_hw": _whole,
    "knowledge": _seconds,
    "deleted": lambda v: v is False or _whole(v),
    "since": lambda v: _text(v) and mapping.version_of(v) is not None,
    "staff": lambda v: isinstance(v, list) and all(_whole(i) for i in v),
    "queues": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    "seen": lambda v: isinstance(v, dict) and all(_whole(i) for i in v.values()),
    "deleted_sweep": lambda v: isinstance(v, dict) and _whole(v.get("page")) and v["page"] >= 1
    and _whole(v.get("newest")),
}


def _cursor_is_sound(state: Any) -> bool:
    if not isinstance(state, dict) or state.get("v") != 1:
        return False
    mode = state.get("mode", "admin")
    phases = {"admin": ADMIN_PHASES, "agent": AGENT_PHASES}.get(mode) if isinstance(mode, str) else None
    if phases is None or state.get("phase") not in phases:
        return False
    return all(state.get(name) is None or check(state[name]) for name, check in _CURSOR_FIELDS.items())
