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
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
from .protocols import Record

log = logging.getLogger(__name__)

API = "/api/v2"
EXPORT_RATE = 10.0          # requests a minute to each incremental export (Zendesk's limit on most plans)
RATE_ENV = "AGENT_DESKTOP_ZENDESK_EXPORT_RATE"   # tests and Enterprise plans (high-volume add-on) raise it
PACE_WAIT = 2.0             # a pull waits this long for a token; longer, and it says "busy" with the wait
KNOWLEDGE_EVERY = 600.0     # seconds between refreshes of macros and Help Center articles
RESEND_MARGIN = timedelta(minutes=10)   # the client's clock against Zendesk's, when looking for our write
EVENTS_HOLD_BACK = 60       # seconds: the event export's start_time must lie at least this far back
DELETED_MARGIN = 60         # seconds of overlap when asking which tickets were deleted since
COMMENTS_PAGE = 100
EXPORTS = ("users", "tickets", "events", "deleted")


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


def _rate_from_env() -> float:
    try:
        return float(os.environ.get(RATE_ENV, "")) or EXPORT_RATE
    except ValueError:
        return EXPORT_RATE


class ZendeskBackend:
    capabilities = frozenset({Capability.CORE, Capability.HANDOFF})
    idempotency_keys = False   # see post_message: it looks for its own comment before writing again

    def __init__(self, base_url: str, *, export_rate: float | None = None, pace_wait: float = PACE_WAIT,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 **http_options: Any) -> None:
        self.http = HttpClient(base_url, **http_options)
        self.base_url = self.http.base_url
        rate = export_rate if export_rate is not None else _rate_from_env()
        self.buckets = {name: TokenBucket(rate, clock) for name in EXPORTS}
        self.pace_wait = pace_wait
        self._sleep = sleep
        self._me: dict[str, Any] | None = None
        self._me_id: int | None = None

    # -- plumbing ----------------------------------------------------------------------------------
    def _json(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        response = self.http.request(method, API + path, params=params, json_body=body)
        if not response.content:
            return None
        answer = self.http.json(response)
        if not isinstance(answer, dict):
            raise MalformedResponse("Zendesk's answer is not a JSON object")
        return answer

    def _pace(self, exports: tuple[str, ...]) -> None:
        """Wait for a token of each export about to be asked (briefly), or say how long to wait."""
        wait = max(self.buckets[name].wait() for name in exports)
        if wait > self.pace_wait:
            raise ServerBusy(f"Zendesk allows {self.buckets[exports[0]].rate:g} export requests a minute; "
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
        if token is None:
            self.http.authorization = None

    def sign_in(self, username: str, password: str) -> SignIn:
        """`username` is the agent's e-mail address, `password` an API token (Admin Center → Apps and
        integrations → Zendesk API): Zendesk's basic auth as `email/token:api_token`."""
        pair = base64.b64encode(f"{username}/token:{password}".encode()).decode("ascii")
        self.http.authorization = f"Basic {pair}"
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
        self._me, self._me_id = agent, int(user["id"])
        return SignIn(token="", agent=agent)

    # -- the feed -----------------------------------------------------------------------------------
    def changes(self, cursor: str | None, limit: int = 500) -> ChangeBatch:
        state = _read_cursor(cursor)
        if state is None:
            return self._start()
        if state["phase"] == "live":
            return self._live(state)
        return self._snapshot(state)

    def _start(self) -> ChangeBatch:
        """Queues, the signed-in agent, macros and articles; the exports start after this."""
        queues = self._groups()
        changes = [_upsert("queue", str(g["id"]), data) for g in queues if (data := mapping.queue_record(g))]
        queue_ids = [c["id"] for c in changes]
        if self._me:
            me = self._me
            changes.append(_upsert("agent", me["id"], {"username": me["username"], "name": me["name"],
                                                       "role": "agent", "version": 1, "queue_ids": queue_ids,
                                                       "state": "offline"}))
        changes.extend(self._knowledge())
        now = int(time.time())
        state = {"v": 1, "phase": "users", "users": None, "tickets": None, "events": 0,
                 "deleted": now - DELETED_MARGIN, "knowledge": now, "queues": queue_ids,
                 "staff": [self._me_id] if self._me_id is not None else []}
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
                    changes.append(_upsert("agent", f"u{uid}", data))
            else:
                staff.discard(uid)
                data = mapping.customer_record(user)
                if data is not None:
                    changes.append(_upsert("customer", f"u{uid}", data))
        state["staff"] = sorted(staff)
        if answer.get("after_cursor"):
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
            changes.append(_upsert("conversation", str(tid), data))
        if answer.get("after_cursor"):
            state["tickets"] = answer["after_cursor"]
        return bool(answer.get("end_of_stream", True))

    def _events_page(self, state: dict[str, Any], changes: list[dict[str, Any]]) -> bool:
        # Zendesk wants start_time at least a minute back: the last minute is read again (comments
        # are stored by id, so nothing doubles) and a comment still being committed is not missed.
        start = min(int(state.get("events") or 0), int(time.time()) - EVENTS_HOLD_BACK)
        answer = self._export("events", "/incremental/ticket_events",
                              {"start_time": max(start, 0), "include": "comment_events"})
        staff = set(state.get("staff") or ())
        events = _list(answer, "ticket_events")
        for event in events:
            tid = mapping.number(event.get("ticket_id"))
            for child in event.get("child_events") or ():
                if not isinstance(child, dict) or child.get("event_type", child.get("type")) != "Comment":
                    continue
                cid = mapping.number(child.get("id"))
                if tid is None or cid is None or not isinstance(child.get("created_at"), str):
                    log.warning("skipped a Zendesk comment event without a ticket, id or time")
                    continue
                changes.append(_upsert("message", str(cid), mapping.message_record(child, str(tid), staff)))
        end = mapping.number(answer.get("end_time"))
        if events and end is not None and end >= start:
            state["events"] = end
        # A full page ends at a second that may hold more: the next page starts at that second.
        return bool(answer.get("end_of_stream", True))

    def _deleted(self, state: dict[str, Any], changes: list[dict[str, Any]]) -> None:
        """Tickets deleted since the last look (newest first; the first page is enough per pull)."""
        self.buckets["deleted"].take()
        since = int(state.get("deleted") or 0)
        answer = self._json("GET", "/deleted_tickets", params={"sort_by": "deleted_at", "sort_order": "desc"})
        newest = since
        for item in _list(answer, "deleted_tickets"):
            tid = mapping.number(item.get("id"))
            when = mapping.version_of(item.get("deleted_at"))
            if tid is None or when is None or when < since:
                continue
            newest = max(newest, when)
            changes.append({"entity": "conversation", "op": "delete", "id": str(tid)})
        state["deleted"] = max(since, newest - DELETED_MARGIN)

    def _groups(self) -> list[dict[str, Any]]:
        answer = self._json("GET", "/groups/assignable")
        return _list(answer, "groups")

    def _knowledge(self) -> list[dict[str, Any]]:
        """Active macros as scripts, published Help Center articles as FAQ articles."""
        changes: list[dict[str, Any]] = []
        for macro in _list(self._json("GET", "/macros/active"), "macros"):
            data = mapping.script_record(macro)
            if data is not None:
                changes.append(_upsert("script", f"m{macro['id']}", data))
        for article in self._articles():
            data = mapping.faq_record(article)
            if data is not None:
                changes.append(_upsert("faq_article", f"a{article['id']}", data))
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

    def _written_comment(self, answer: Any, conversation_id: str, kind: str, body: str,
                         key: str) -> dict[str, Any]:
        audit = answer.get("audit") if isinstance(answer, dict) else None
        events = audit.get("events") if isinstance(audit, dict) else None
        comment = next((e for e in events or () if isinstance(e, dict) and e.get("type") == "Comment"), None)
        if comment is None or mapping.number(comment.get("id")) is None:
            raise MalformedResponse("Zendesk did not say which comment it created")
        me = self._me or {}
        created = audit.get("created_at") if isinstance(audit, dict) else None
        message = {"id": str(comment["id"]), "conversation_id": str(conversation_id), "kind": kind,
                   "direction": "out", "body": body,
                   "created_at": created if isinstance(created, str) else now_iso(), "version": 1, "author_id": me.get("id"), "author_name": me.get("name", ""),
                   "idempotency_key": key}
        ticket = answer.get("ticket")
        conversation = mapping.conversation_record(ticket) if isinstance(ticket, dict) else None
        if conversation is not None:
            message["conversation"] = {"id": str(conversation_id), **conversation}
        return message

    def _find_my_comment(self, ticket_id: str, public: bool, body: str, since: str) -> dict[str, Any] | None:
        cutoff = parse_iso(since) - RESEND_MARGIN
        answer = self._json("GET", f"/tickets/{_ticket_number(ticket_id)}/comments",
                            params={"sort": "-created_at", "page[size]": COMMENTS_PAGE})
        staff = {self._me_id} if self._me_id is not None else set()
        for comment in _list(answer, "comments"):
            created = comment.get("created_at")
            if (mapping.number(comment.get("author_id")) != self._me_id or bool(comment.get("public")) != public
                    or not isinstance(created, str) or parse_iso(created) < cutoff):
                continue
            text = comment.get("plain_body") or comment.get("body") or ""
            if mapping.same_text(str(text), body) and mapping.number(comment.get("id")) is not None:
                data = mapping.message_record(comment, str(ticket_id), staff, (self._me or {}).get("name", ""))
                return {"id": str(comment["id"]), **data, "body": body}
        return None

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


def _upsert(entity: str, record_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"entity": entity, "op": "upsert", "id": record_id, "data": data}


def _list(answer: Any, key: str) -> list[dict[str, Any]]:
    if not isinstance(answer, dict) or not isinstance(answer.get(key), list):
        raise MalformedResponse(f"Zendesk's answer has no '{key}' list")
    items = answer[key]
    kept = [item for item in items if isinstance(item, dict)]
    if len(kept) != len(items):
        log.warning("skipped %d Zendesk %s that are not objects", len(items) - len(kept), key)
    return kept


def _read_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        state = json.loads(cursor)
    except ValueError:
        state = None
    if not isinstance(state, dict) or state.get("v") != 1 or state.get("phase") not in (
            "users", "tickets", "events", "live"):
        # another adapter's cursor, or a damaged one: the engine resyncs from scratch
        raise CursorExpired("the sync position is not one this Zendesk adapter wrote; syncing everything again")
    return state
