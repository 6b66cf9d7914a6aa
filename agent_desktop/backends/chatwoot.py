"""Adapter for Chatwoot, through its Application API (`/api/v1/accounts/{account}/…`).

Chatwoot has no change feed and no idempotency keys, so this adapter makes both:

- **The feed** follows the conversation list, which Chatwoot orders newest activity first
  (`last_activity_at`, moved by every message, the activity messages Chatwoot writes for a status,
  priority, label or assignment change included). The first sync pages through every conversation
  the agent may see (25 a page, Chatwoot's size); later pulls read from the top until they reach
  conversations older than the high-water mark less an overlap window, and skip those whose
  version (updated_at) is one they already brought. Messages are fetched only for conversations
  whose activity moved: their newest page, and pages further back (`before=`) while those are new too.
- **Exactly once**: after an attempt whose answer was lost (`resend_since`), the conversation's
  newest messages are searched for this agent's message with the same text before sending again
  (Chatwoot's API takes no client id for a message).

A 429 from Chatwoot (Rack::Attack) carries no Retry-After: `ServerBusy(retry_after=None)` lets the
engine back off; the adapter also paces itself below Chatwoot's default limit. Mapping:
`chatwoot_mapping.py` and docs/backends/chatwoot.md.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

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
from .protocols import Record

log = logging.getLogger(__name__)

LIST_PAGE = 25                 # Chatwoot's conversations per page (not settable)
MESSAGE_PAGE = 20              # messages per page, newest first then `before=` further back
OVERLAP = 120.0                # seconds re-read below the high-water mark (clock skew, late commits)
ROSTER_EVERY = 300.0           # seconds between refreshes of teams, agents and canned responses
MAX_FOLLOW_PAGES = 40          # list pages one incremental pull reads before saying "more"
RESEND_MARGIN = timedelta(minutes=10)   # our clock against Chatwoot's, when looking for our write
REQUESTS_PER_SECOND = 40.0     # Chatwoot's Rack::Attack default is 3,000 a minute per address
ACCOUNT_IN_URL = re.compile(r"/app/accounts/(\d+)")
CURSOR_VERSION = 1


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
    capabilities = frozenset({Capability.CORE, Capability.HANDOFF})
    idempotency_keys = False   # see post_message: it looks for its own message before sending again

    def __init__(self, base_url: str, *, workers: int = 4, requests_per_second: float = REQUESTS_PER_SECOND,
                 **http_options: Any) -> None:
        parts = urlsplit(base_url.strip())
        found = ACCOUNT_IN_URL.search(parts.path or "")
        self.account_id: int | None = int(found.group(1)) if found else None
        # The browser's address (…/app/accounts/3/dashboard) names the account; the API lives at the root.
        self.http = HttpClient(f"{parts.scheme}://{parts.netloc}", **http_options)
        self.base_url = self.http.base_url
        self.workers = workers
        self._pacer = _Pacer(requests_per_second) if requests_per_second > 0 else None
        self._me: dict[str, Any] | None = None

    # -- plumbing ----------------------------------------------------------------------------------
    def _json(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        if self._pacer is not None:
            self._pacer.wait()
        response = self.http.request(method, path, params=params, json_body=body)
        if not response.content:
            return None
        return self.http.json(response)

    def _account(self, path: str) -> str:
        if self.account_id is None:
            raise AuthRequired("please sign in first")
        return f"/api/v1/accounts/{self.account_id}{path}"

    def _parallel(self, calls: list[Callable[[], Any]]) -> list[Any]:
        if len(calls) <= 1 or self.workers <= 1:
            return [call() for call in calls]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(calls)), thread_name_prefix="chatwoot") as pool:
            return list(pool.map(lambda call: call(), calls))

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
        accounts = [a for a in profile.get("accounts") or () if isinstance(a, dict)]
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
        name = str(profile.get("available_name") or profile.get("name") or username)
        agent = {"id": mapping.agent_id(profile["id"]), "username": str(profile.get("email") or username),
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
        if time.time() - float(state.get("roster_at", 0)) > ROSTER_EVERY:
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
                queues_of.setdefault(str(person.get("id")), []).append(mapping.queue_id(team["id"]) or "")
        changes: list[dict[str, Any]] = []
        for entity, items, make in (
                ("queue", teams, lambda t: (mapping.queue_id(t.get("id")), mapping.queue_record(t))),
                ("agent", agents, lambda a: (mapping.agent_id(a.get("id")),
                                             mapping.agent_record(a, queues_of.get(str(a.get("id")), [])))),
                ("script", canned, lambda c: (f"cr{mapping.number(c.get('id'))}", mapping.script_record(c)))):
            for item in items:
                record_id, data = make(item)
                if data is None or record_id is None:
                    log.warning("skipped a Chatwoot %s it could not read: %.200r", entity, item)
                    continue
                changes.append(_upsert(entity, record_id, data))
        channels = {str(i.get("id")): mapping.channel_of(i.get("channel_type"), i.get("medium"))
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
        first = int(state["page"])
        found = self._parallel([partial(self._list_page, n) for n in range(first, first + pages)])
        conversations: list[dict[str, Any]] = []
        done = False
        for items in found:
            conversations.extend(items)
            if len(items) < LIST_PAGE:
                done = True
                break
        high_water = max([float(state["hw"])] + [mapping.seconds(c.get("last_activity_at")) or 0.0
                                                  for c in conversations])
        changes.extend(self._compose(conversations, state["channels"], since=None))
        state = {**state, "page": first + pages, "hw": high_water}
        if done:
            state = {**state, "phase": "follow"}
            state.pop("page", None)
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)

    def _follow(self, state: dict[str, Any], changes: list[dict[str, Any]]) -> ChangeBatch:
        """From the top of the list down to the high-water mark less the overlap."""
        high_water = float(state["hw"])
        threshold = high_water - OVERLAP
        seen: dict[str, int] = dict(state.get("seen") or {})
        moved: list[dict[str, Any]] = []
        newest = high_water
        more = False
        page = 1
        while True:
            items = self._list_page(page)
            for item in items:
                activity = mapping.seconds(item.get("last_activity_at")) or 0.0
                if activity < threshold:
                    continue
                newest = max(newest, activity)
                key = str(item.get("id"))
                if seen.get(key) != mapping.version_of(item):
                    moved.append(item)
            oldest = min((mapping.seconds(i.get("last_activity_at")) or 0.0 for i in items), default=0.0)
            if len(items) < LIST_PAGE or oldest < threshold:
                break
            if page >= MAX_FOLLOW_PAGES:
                more = True   # the next pull goes on from the top: what it re-reads is skipped by `seen`
                break
            page += 1
        unique = {str(c.get("id")): c for c in moved}
        changes.extend(self._compose(list(unique.values()), state["channels"], since=threshold))
        # Remember versions only inside the window the next pull re-reads (a small map).
        next_threshold = newest - OVERLAP
        seen = {k: v for k, v in seen.items() if v >= int(next_threshold * 1_000_000)}
        for key, item in unique.items():
            seen[key] = mapping.version_of(item)
        state = {**state, "hw": newest, "seen": seen}
        if more:
            state["hw"] = high_water   # not drained: keep the old mark until the scan reaches it
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=more)

    def _compose(self, conversations: list[dict[str, Any]], channels: dict[str, str], *,
                 since: float | None) -> list[dict[str, Any]]:
        """Customers, conversations and their messages (all of them when `since` is None, else
        those created at or after `since`)."""
        valid: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for item in conversations:
            data = mapping.conversation_record(item, channels)
            if data is None:
                log.warning("skipped a Chatwoot conversation it could not read: %.300r", item)
                continue
            valid.append((item, data))
        threads = self._parallel([partial(self._messages, int(item["id"]), since) for item, _ in valid])
        changes: list[dict[str, Any]] = []
        customers: dict[str, dict[str, Any]] = {}
        for (item, data), messages in zip(valid, threads, strict=True):
            cid = str(mapping.number(item["id"]))
            if messages is None:   # gone between the list and its messages (deleted, or out of reach)
                changes.append({"entity": "conversation", "op": "delete", "id": cid})
                continue
            sender = (item.get("meta") or {}).get("sender") or {}
            customer = mapping.customer_record(sender) if isinstance(sender, dict) else None
            if customer is not None:
                customers[data["customer_id"]] = customer
            changes.append(_upsert("conversation", cid, data))
            for message in messages:
                record = mapping.message_record(message, cid)
                if record is None:
                    if not mapping.is_activity(message):
                        log.warning("skipped a Chatwoot message it could not read: %.300r", message)
                    continue
                changes.append(_upsert("message", str(mapping.number(message["id"])), record))
        # Customers first: a conversation names one.
        return [_upsert("customer", k, v) for k, v in customers.items()] + changes

    def _messages(self, conversation_id: int, since: float | None) -> list[dict[str, Any]] | None:
        """The conversation's messages, oldest first: all (since None) or those from `since` on.
        None when the conversation is gone."""
        path = self._account(f"/conversations/{conversation_id}/messages")
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {}
        while True:
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
            if since is not None:
                oldest = min((mapping.seconds(m.get("created_at")) or 0.0) for m in page)
                if oldest < since:
                    break
            params = {"before": min(ids)}
        if since is not None:
            found = [m for m in found if (mapping.seconds(m.get("created_at")) or 0.0) >= since]
        unique = {mapping.number(m.get("id")): m for m in found}
        return [unique[k] for k in sorted(k for k in unique if k is not None)]

    def _conversation_now(self, conversation_id: str) -> dict[str, Any] | None:
        try:
            answer = self._json("GET", self._account(f"/conversations/{int(conversation_id)}"))
        except Rejected as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(answer, dict):
            raise MalformedResponse("Chatwoot did not describe the conversation")
        data = mapping.conversation_record(answer, {})
        if data is None:
            raise MalformedResponse("Chatwoot's conversation could not be read")
        return {"id": str(conversation_id), **data}

    # -- writing ----------------------------------------------------------------------------------
    def post_message(self, conversation_id: str, kind: str, body: str, idempotency_key: str, *,
                     resend_since: str | None = None) -> dict[str, Any]:
        """A reply (outgoing) or note (private). After an attempt whose answer was lost
        (`resend_since`), our own message with this text is looked for and adopted first."""
        if resend_since is not None:
            earlier = self._find_my_message(conversation_id, kind, body, resend_since)
            if earlier is not None:
                log.info("an earlier attempt of %s reached Chatwoot (message %s)", idempotency_key, earlier["id"])
                return {**earlier, "idempotency_key": idempotency_key}
        answer = self._json("POST", self._account(f"/conversations/{int(conversation_id)}/messages"),
                            body={"content": body, "message_type": "outgoing", "private": kind == "note"})
        record = mapping.message_record(answer, str(conversation_id)) if isinstance(answer, dict) else None
        if record is None:
            raise MalformedResponse("Chatwoot did not describe the message it created")
        return {"id": str(mapping.number(answer["id"])), **record, "idempotency_key": idempotency_key}

    def _find_my_message(self, conversation_id: str, kind: str, body: str, since: str) -> dict[str, Any] | None:
        cutoff = (parse_iso(since) - RESEND_MARGIN).timestamp()
        messages = self._messages(int(conversation_id), cutoff)
        if messages is None:
            raise Rejected("the conversation is no longer on Chatwoot", 404)
        me = self._my_number()
        for message in messages:
            if (mapping.number(message.get("message_type")) == mapping.OUTGOING
                    and (message.get("private") is True) == (kind == "note")
                    and mapping.number(message.get("sender_id")) == me
                    and mapping.same_text(str(message.get("content") or ""), body)):
                record = mapping.message_record(message, str(conversation_id))
                if record is not None:
                    return {"id": str(mapping.number(message["id"])), **record}
        return None

    def transfer(self, conversation_id: str, *, kind: str, queue_id: str | None, assignee_id: str | None,
                 note: str, key: str, resend_since: str | None = None) -> list[Record]:
        """A hand-off: the note as a private note (looked for first, like a reply), then the
        conversation given to the team (unassigned, for the team to take) or to the agent."""
        message = self.post_message(conversation_id, "note", note, key, resend_since=resend_since)
        path = self._account(f"/conversations/{int(conversation_id)}/assignments")
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
            found.append(Record("conversation", conversation_id, current))
        return found

    def patch_conversation(self, conversation_id: str, fields: dict[str, Any],
                           if_match: int | None) -> dict[str, Any]:
        """Chatwoot has no If-Match: the conversation is read first, and a version other than the
        one the engine saw is a conflict (the engine compares field by field and comes back)."""
        calls = _conversation_update(fields)
        current = self._conversation_now(conversation_id)
        if current is None:
            raise Rejected("the conversation is no longer visible to this account", 404)
        if if_match is not None and current.get("version") != if_match:
            raise VersionConflict("the conversation changed on Chatwoot meanwhile", current)
        base = self._account(f"/conversations/{int(conversation_id)}")
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
            if value not in mapping.STATUS_TO_CHATWOOT:
                raise Rejected(f"Chatwoot has no status like {value!r}", 422)
            calls.append((name, "/toggle_status", {"status": mapping.STATUS_TO_CHATWOOT[value]}))
        elif name == "priority":
            if value not in mapping.PRIORITY_TO_CHATWOOT:
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
            labels = [str(tag) for tag in value or ()]
            calls.append((name, "/labels", {"labels": labels}))
        elif name == "disposition":
            continue   # Chatwoot has no wrap-up codes: the status change goes through, the code stays local
        else:
            raise Rejected(f"Chatwoot cannot store {name!r} on a conversation", 422)
    return calls


def _upsert(entity: str, record_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"entity": entity, "op": "upsert", "id": record_id, "data": data}


def _list(answer: Any, key: str | None = None) -> list[dict[str, Any]]:
    items = answer.get(key) if key and isinstance(answer, dict) else answer
    if not isinstance(items, list):
        raise MalformedResponse("Chatwoot's answer is not the list it should be")
    return [item for item in items if isinstance(item, dict)]


def _read_cursor(cursor: str | None, account_id: int | None) -> dict[str, Any] | None:
    """The cursor's state; None for a first sync. One this adapter cannot read (another adapter's,
    another account's, an older version's, a damaged one) expires: the engine resyncs from scratch."""
    if not cursor:
        return None
    try:
        state = json.loads(cursor)
    except ValueError:
        state = None
    if (not isinstance(state, dict) or state.get("v") != CURSOR_VERSION
            or state.get("phase") not in ("snapshot", "follow") or state.get("account") != account_id
            or not isinstance(state.get("channels"), dict) or not isinstance(state.get("hw"), (int, float))):
        raise CursorExpired("the saved sync position is not one this Chatwoot account can continue from")
    return state
