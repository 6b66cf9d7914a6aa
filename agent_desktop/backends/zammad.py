"""Adapter for Zammad, through its REST API v1 (`/api/v1/`).

Zammad publishes no OpenAPI document (its maintainers declined one: zammad-documentation #74 and
#269), so this adapter follows docs.zammad.org's "REST API" pages and Zammad's source
(tickets_controller.rb, ticket_articles_controller.rb, concerns/can_search.rb). Zammad has no
change feed and no idempotency keys, so the adapter makes both:

- **The feed.** The first sync pages `GET /tickets?expand=true` (Zammad orders it by id), then
  follows `GET /tickets/search` with a `condition` on `ticket.updated_at` ("after (absolute)"),
  sorted by `updated_at` ascending. Without a free-text `query` Zammad answers a search from its
  database, not Elasticsearch (CanSearch#search), so it works on every installation and sees a
  change as soon as it commits. Each pull re-reads an overlap window before the high-water mark and
  drops what it already saw (same id and `updated_at`), so a change committed late is not lost.
  Hard-deleted tickets leave no trace in Zammad: a sweep of the ticket ids (`GET /tickets`) finds
  them (every pull on helpdesks up to SWEEP_EVERY_PULL_MAX tickets, else every SWEEP_INTERVAL).
- **Exactly once.** Before sending again after an unknown outcome (`resend_since`), the adapter
  reads the ticket's articles for its own with the same text and adopts it.
- **No If-Match.** A change reads the ticket first and refuses with VersionConflict when its
  `updated_at` moved since the version the engine holds.

Mapping: `zammad_mapping.py` and docs/backends/zammad.md.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from typing import Any

from ..domain.timeutil import now_iso, parse_iso, to_iso, utcnow
from . import zammad_mapping as mapping
from .base import (
    BackendError,
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

API = "/api/v1"
PAGE = 100                       # the largest page GET /tickets gives (search allows 200)
OVERLAP = timedelta(minutes=2)   # re-read before the high-water mark: commits that landed late
RESEND_MARGIN = timedelta(minutes=10)   # the client's clock against Zammad's, looking for our write
SWEEP_EVERY_PULL_MAX = 1000      # up to this many tickets (10 requests), deletions are swept every pull
SWEEP_INTERVAL = 600.0           # seconds between sweeps on larger helpdesks
KNOWLEDGE_INTERVAL = 300.0       # text modules, knowledge base and groups are read again this often
PENDING_FOR = {"pending": timedelta(days=1), "resolved": timedelta(days=3)}   # Zammad's pending_time
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{32,}$")
CURSOR_VERSION = 1
EPOCH = "1970-01-01T00:00:00.000Z"


class ZammadBackend:
    capabilities = frozenset({Capability.CORE, Capability.HANDOFF})
    idempotency_keys = False   # see post_message: it looks for its own write before writing again

    def __init__(self, base_url: str, *, workers: int = 4, **http_options: Any) -> None:
        self.http = HttpClient(base_url, **http_options)
        self.base_url = self.http.base_url
        self.workers = workers
        self._me: dict[str, Any] | None = None
        self._vocabulary: mapping.Vocabulary | None = None
        self._organizations: dict[int, dict[str, Any] | None] = {}
        self._groups: list[dict[str, Any]] | None = None

    # -- plumbing ----------------------------------------------------------------------------------
    def _json(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        response = self.http.request(method, API + path, params=params, json_body=body)
        if not response.content:
            return None
        return self.http.json(response)

    def _list(self, method: str, path: str, **kwargs: Any) -> list[dict[str, Any]]:
        answer = self._json(method, path, **kwargs)
        if not isinstance(answer, list):
            raise MalformedResponse(f"Zammad's answer to {path} is not a list")
        return [item for item in answer if isinstance(item, dict)]

    def _all(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a paged index (page / per_page), until a short page."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            items = self._list("GET", path, params={**(params or {}), "page": page, "per_page": PAGE})
            found.extend(items)
            if len(items) < PAGE:
                return found
            page += 1

    def _parallel(self, calls: list[Callable[[], Any]]) -> list[Any]:
        if len(calls) <= 1 or self.workers <= 1:
            return [call() for call in calls]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(calls)), thread_name_prefix="zammad") as pool:
            return list(pool.map(lambda call: call(), calls))

    # -- signing in ------------------------------------------------------------------------------
    def set_token(self, token: str | None) -> None:
        if token is None:
            self.http.authorization = None

    def sign_in(self, username: str, password: str) -> SignIn:
        """`password` is a Zammad access token (Profile → Token Access) or the account's password.
        A token is recognised by its shape (32+ letters, digits, '-' or '_', no spaces)."""
        if TOKEN_SHAPE.match(password):
            self.http.authorization = f"Token token={password}"
        else:
            pair = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
            self.http.authorization = f"Basic {pair}"
        try:
            user = self._json("GET", "/users/me", params={"expand": "true"})
        except Rejected as exc:
            if exc.status in (404, 405):
                raise UnsupportedVersion("this address has no Zammad REST API (/api/v1/)") from exc
            raise
        if not isinstance(user, dict) or "id" not in user:
            raise MalformedResponse("Zammad did not describe the signed-in user")
        if not mapping.is_agent(user):
            raise PermissionDenied("this Zammad account is not an agent (it needs the Agent role)")
        uid = mapping.number(user["id"])
        login = str(user.get("login") or username)
        self._me = {"id": f"u{uid}", "number": uid, "username": login, "name": mapping.full_name(user) or login,
                    "role": "agent", "backend": "zammad"}
        return SignIn(token="", agent={k: v for k, v in self._me.items() if k != "number"})

    def _my_number(self) -> int | None:
        return (self._me or {}).get("number")

    # -- the helpdesk's vocabulary ---------------------------------------------------------------
    def _vocab(self) -> mapping.Vocabulary:
        if self._vocabulary is None:
            states, priorities = self._parallel([
                lambda: self._all("/ticket_states", {"expand": "true"}),
                lambda: self._all("/ticket_priorities", {"expand": "true"}),
            ])
            self._vocabulary = mapping.Vocabulary.read(states, priorities)
        return self._vocabulary

    def _group_list(self, refresh: bool = False) -> list[dict[str, Any]]:
        if self._groups is None or refresh:
            self._groups = [g for g in self._all("/groups", {"expand": "true"}) if g.get("active", True)]
        return self._groups

    def _organization(self, oid: int) -> dict[str, Any] | None:
        if oid not in self._organizations:   # organisations rarely change: read once per run
            try:
                found = self._json("GET", f"/organizations/{oid}", params={"expand": "true"})
            except Rejected:
                found = None
            self._organizations[oid] = found if isinstance(found, dict) else None
        return self._organizations[oid]

    # -- the feed -----------------------------------------------------------------------------------
    def changes(self, cursor: str | None, limit: int = 500) -> ChangeBatch:
        state = _read_cursor(cursor)
        if state is None:
            return self._start()
        page_size = max(1, min(PAGE, int(limit)))
        if state["phase"] == "snapshot":
            return self._snapshot_page(state, page_size)
        return self._follow(state, page_size)

    def _start(self) -> ChangeBatch:
        """Queues, the agent, scripts and FAQ, and where `updated_at` stands now: the snapshot is
        followed from there, so nothing that happens during the first sync is missed."""
        newest = self._search_updated(EPOCH, page=1, per_page=20, order="desc")
        # The newest readable time (a malformed record's is skipped); none: the log reads from 1970.
        high_water = next((t["updated_at"] for t in newest if mapping.iso(t.get("updated_at"))), EPOCH)
        self._vocabulary = None
        self._vocab()
        state: dict[str, Any] = {"v": CURSOR_VERSION, "phase": "snapshot", "page": 1, "hw": high_water,
                                 "seen": {}, "known": []}
        changes = self._knowledge(state)
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)

    def _knowledge(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        """Queues, the signed-in agent, text modules (scripts) and knowledge-base answers (FAQ),
        with deletions of those gone since the last read."""
        changes: list[dict[str, Any]] = []
        groups = self._group_list(refresh=True)
        queue_ids: list[str] = []
        for group in groups:
            try:
                changes.append(_upsert("queue", str(mapping.number(group["id"])), mapping.queue_record(group)))
                queue_ids.append(str(mapping.number(group["id"])))
            except (mapping.BadRecord, KeyError) as exc:
                log.warning("skipped a Zammad group: %s", exc)
        if self._me:
            me = self._me
            changes.append(_upsert("agent", me["id"], {"username": me["username"], "name": me["name"], "role": "agent",
                                                       "version": 1, "queue_ids": queue_ids, "state": "offline"}))
        scripts: dict[str, dict[str, Any]] = {}
        try:
            modules = self._all("/text_modules", {"expand": "true"})
        except PermissionDenied:
            modules = []
        for module in modules:
            try:
                data = mapping.script_record(module)
                if data is not None:
                    scripts[f"tm{mapping.number(module.get('id'))}"] = data
            except mapping.BadRecord as exc:
                log.warning("skipped a Zammad text module: %s", exc)
        faqs = self._faq()
        for entity, found, key in (("script", scripts, "scripts"), ("faq_article", faqs, "faqs")):
            changes.extend(_upsert(entity, rid, data) for rid, data in found.items())
            changes.extend({"entity": entity, "op": "delete", "id": rid}
                           for rid in state.get(key, []) if rid not in found)
            state[key] = sorted(found)
        state["kn"] = time.time()
        return changes

    def _faq(self) -> dict[str, dict[str, Any]]:
        """Knowledge-base answers: the structure, then the contents of every answer in one more call."""
        try:
            assets = self._json("POST", "/knowledge_bases/init", body={})
            if not isinstance(assets, dict):
                return {}
            ids = sorted({int(t["content_id"]) for t in (assets.get("KnowledgeBaseAnswerTranslation") or {}).values()
                          if isinstance(t, dict) and isinstance(t.get("content_id"), int)})
            if ids:
                more = self._json("POST", "/knowledge_bases/init", body={"answer_translation_content_ids": ids})
                if isinstance(more, dict):
                    for key, value in more.items():
                        if isinstance(value, dict):
                            assets.setdefault(key, {}).update(value)
            return mapping.faq_records(assets, self.base_url)
        except (PermissionDenied, mapping.BadRecord) as exc:
            # No knowledge base, or this agent may not read it: the FAQ panel stays empty.
            log.info("no FAQ from Zammad's knowledge base: %s", exc)
            return {}
        except Rejected as exc:
            log.info("no FAQ from Zammad's knowledge base: %s", exc)
            return {}

    def _snapshot_page(self, state: dict[str, Any], page_size: int) -> ChangeBatch:
        page = int(state["page"])
        # GET /tickets is ordered by id; pages are counted in the page size the first page used.
        size = int(state.setdefault("size", page_size))
        tickets = self._list("GET", "/tickets", params={"expand": "true", "page": page, "per_page": size})
        changes = self._compose(tickets)
        known = _ranges_add(state["known"], _ids_of(tickets))
        if len(tickets) < size:
            state = {k: v for k, v in state.items() if k not in ("page", "size")}
            state.update(phase="log", known=known, swept=time.time())
            return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)
        state = {**state, "page": page + 1, "known": known}
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)

    def _search_updated(self, after: str, *, page: int, per_page: int, order: str = "asc") -> list[dict[str, Any]]:
        return self._list("GET", "/tickets/search", params={
            "condition[ticket.updated_at][operator]": "after (absolute)",
            "condition[ticket.updated_at][value]": after,
            "sort_by": "updated_at", "order_by": order, "expand": "true", "page": page, "per_page": per_page})

    def _follow(self, state: dict[str, Any], page_size: int) -> ChangeBatch:
        high_water = str(state["hw"])
        anchor = to_iso(parse_iso(high_water) - OVERLAP)
        page = int(state.get("page", 1))
        tickets = self._search_updated(anchor, page=page, per_page=page_size)
        seen: dict[str, str] = dict(state.get("seen") or {})
        fresh = [t for t in tickets if _ticket_id(t) is not None and seen.get(str(_ticket_id(t))) != t.get("updated_at")]
        changes = self._compose(fresh)
        newest = high_water
        for ticket in tickets:
            stamp = mapping.iso(ticket.get("updated_at"))
            if stamp is not None and parse_iso(stamp) > parse_iso(newest):
                newest = stamp
            if _ticket_id(ticket) is not None and isinstance(stamp, str):
                seen[str(_ticket_id(ticket))] = stamp
        floor = parse_iso(newest) - OVERLAP
        seen = {tid: stamp for tid, stamp in seen.items() if mapping.iso(stamp) and parse_iso(stamp) >= floor}
        known = _ranges_add(state.get("known") or [], _ids_of(fresh))
        gone = {int(c["id"]) for c in changes if c["entity"] == "conversation" and c["op"] == "delete"}
        known = _ranges_remove(known, gone)
        full = len(tickets) >= page_size
        moved = parse_iso(newest) > parse_iso(high_water)
        state = {**state, "hw": newest, "seen": seen, "known": known, "page": 1 if (moved or not full) else page + 1}
        if not full:
            changes.extend(self._sweep_if_due(state))
            if time.time() - float(state.get("kn", 0)) >= KNOWLEDGE_INTERVAL:
                changes.extend(self._knowledge(state))
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=full)

    def _sweep_if_due(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        """Deletions: ids this cache holds that Zammad no longer lists (deleted, or moved to a
        group this agent cannot read). Zammad keeps no record of a deleted ticket."""
        known = state.get("known") or []
        count = sum(b - a + 1 for a, b in known)
        if count > SWEEP_EVERY_PULL_MAX and time.time() - float(state.get("swept", 0)) < SWEEP_INTERVAL:
            return []
        present: set[int] = set()
        for ticket in self._all("/tickets"):
            tid = _ticket_id(ticket)
            if tid is not None:
                present.add(tid)
        gone = [tid for tid in _ranges_iter(known) if tid not in present]
        state["known"] = _ranges_remove(known, set(gone))
        state["swept"] = time.time()
        return [{"entity": "conversation", "op": "delete", "id": str(tid)} for tid in gone]

    def _compose(self, tickets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """People, conversations and messages for these tickets: each ticket's articles and tags,
        and the customers and owners, fetched side by side. Merged-away and removed tickets are
        deletions, first: their articles now live in the ticket they joined."""
        vocabulary = self._vocab()
        live: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for ticket in tickets:
            tid = _ticket_id(ticket)
            if tid is None:
                log.warning("skipped a Zammad ticket without an id")
                continue
            if vocabulary.status_of(ticket) is None:
                changes.append({"entity": "conversation", "op": "delete", "id": str(tid)})
            else:
                live.append(ticket)
        details = self._parallel([partial(self._ticket_details, t) for t in live])
        people: dict[int, bool] = {}
        for ticket in live:
            for key, is_customer in (("customer_id", True), ("owner_id", False)):
                try:
                    uid = mapping.number(ticket.get(key))
                except mapping.BadRecord:
                    continue
                if uid != mapping.SYSTEM_USER_ID:
                    people[uid] = people.get(uid, False) or is_customer
        changes.extend(self._people(people))
        for ticket, found in zip(live, details, strict=True):
            rid = str(mapping.number(ticket["id"]))
            if found is None:
                changes.append({"entity": "conversation", "op": "delete", "id": rid})
                continue
            articles, tags = found
            try:
                data = mapping.conversation_record(ticket, articles, tags, vocabulary)
            except (mapping.BadRecord, TypeError, ValueError, AttributeError) as exc:
                log.warning("skipped Zammad ticket %s: %s", rid, exc)
                continue
            changes.append(_upsert("conversation", rid, data))
            for article in articles:
                if not mapping.is_shown(article):
                    continue
                try:
                    changes.append(_upsert("message", str(mapping.number(article.get("id"))),
                                           mapping.message_record(article, rid)))
                except (mapping.BadRecord, TypeError, ValueError) as exc:
                    log.warning("skipped an article of Zammad ticket %s: %s", rid, exc)
        return changes

    def _ticket_details(self, ticket: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]] | None:
        """The ticket's articles (oldest first) and tags; None when it went away meanwhile."""
        tid = _ticket_id(ticket)
        try:
            articles = self._list("GET", f"/ticket_articles/by_ticket/{tid}", params={"expand": "true"})
        except Rejected as exc:
            if exc.status in (403, 404):   # deleted, or moved out of this agent's groups since listed
                return None
            raise
        articles.sort(key=lambda a: (str(a.get("created_at") or ""), _safe_int(a.get("id"))))
        answer = self._json("GET", "/tags", params={"object": "Ticket", "o_id": tid})
        listed = answer.get("tags") if isinstance(answer, dict) else None
        tags = [str(t) for t in listed if isinstance(t, str)] if isinstance(listed, list) else []
        return articles, tags

    def _people(self, people: dict[int, bool]) -> list[dict[str, Any]]:
        """Customers (and owners, as agents) of these tickets, read side by side."""
        def read(uid: int) -> dict[str, Any] | None:
            try:
                found = self._json("GET", f"/users/{uid}", params={"expand": "true"})
            except Rejected:
                return None   # gone, or not visible to this agent: the conversation still lands
            return found if isinstance(found, dict) else None

        users = self._parallel([partial(read, uid) for uid in sorted(people)])
        changes: list[dict[str, Any]] = []
        queue_ids = [str(g.get("id")) for g in self._group_list()]
        for uid, user in zip(sorted(people), users, strict=True):
            if user is None:
                if people[uid]:
                    changes.append(_upsert("customer", f"u{uid}", {"name": f"#{uid}", "tier": "standard", "version": 1}))
                continue
            try:
                if people[uid]:
                    org = self._organization(mapping.number(user["organization_id"])) \
                        if user.get("organization_id") else None
                    changes.append(_upsert("customer", f"u{uid}", mapping.customer_record(user, org)))
                if mapping.is_agent(user) and uid != self._my_number():
                    changes.append(_upsert("agent", f"u{uid}", mapping.agent_record(user, queue_ids)))
            except (mapping.BadRecord, KeyError, TypeError) as exc:
                log.warning("skipped Zammad user %s: %s", uid, exc)
        return changes

    def _ticket(self, ticket_id: str) -> dict[str, Any]:
        ticket = self._json("GET", f"/tickets/{int(ticket_id)}", params={"expand": "true"})
        if not isinstance(ticket, dict):
            raise MalformedResponse("Zammad did not describe the ticket")
        return ticket

    def _conversation_now(self, ticket_id: str, ticket: dict[str, Any] | None = None) -> dict[str, Any] | None:
        try:
            ticket = ticket or self._ticket(ticket_id)
        except PermissionDenied:
            return None
        except Rejected as exc:
            if exc.status == 404:
                return None
            raise
        found = self._ticket_details(ticket) if self._vocab().status_of(ticket) is not None else None
        if found is None:
            return None
        articles, tags = found
        try:
            return {"id": str(ticket_id), **mapping.conversation_record(ticket, articles, tags, self._vocab())}
        except mapping.BadRecord as exc:
            raise MalformedResponse(f"Zammad's ticket {ticket_id} could not be read: {exc}") from exc

    # -- writing ----------------------------------------------------------------------------------
    def post_message(self, conversation_id: str, kind: str, body: str, idempotency_key: str, *,
                     resend_since: str | None = None) -> dict[str, Any]:
        """A reply or an internal note (`POST /ticket_articles`). After an attempt whose answer
        was lost (`resend_since`), our own article with this text is looked for and adopted first."""
        if resend_since is not None:
            earlier = self._find_my_article(conversation_id, kind, body, resend_since)
            if earlier is not None:
                log.info("an earlier attempt of %s reached Zammad (article %s)", idempotency_key, earlier["id"])
                return {**earlier, "idempotency_key": idempotency_key}
        article = {"ticket_id": int(conversation_id), "body": body, "content_type": "text/plain",
                   "internal": kind == "note", "sender": "Agent"}
        article.update(self._reply_route(conversation_id) if kind != "note" else {"type": "note"})
        created = self._json("POST", "/ticket_articles", body=article)
        if not isinstance(created, dict) or "id" not in created:
            raise MalformedResponse("Zammad did not say which article it created")
        return self._message(created, conversation_id, idempotency_key)

    def _message(self, article: dict[str, Any], conversation_id: str, key: str) -> dict[str, Any]:
        try:
            data = mapping.message_record(article, str(conversation_id))
        except mapping.BadRecord as exc:
            raise MalformedResponse(f"Zammad's article could not be read: {exc}") from exc
        me = self._me or {}
        return {"id": str(mapping.number(article["id"])), **data, "direction": "out",
                "author_id": me.get("id", data.get("author_id")), "author_name": me.get("name", data["author_name"]),
                "idempotency_key": key}

    def _reply_route(self, conversation_id: str) -> dict[str, Any]:
        """How a reply reaches the customer: an e-mail to their address on e-mail tickets, an SMS to
        their mobile on SMS tickets, else an article of the ticket's own kind (phone, web)."""
        ticket = self._ticket(conversation_id)
        kind = str(ticket.get("create_article_type") or "").lower()
        if kind in ("email", "sms") and ticket.get("customer_id"):
            customer = self._json("GET", f"/users/{mapping.number(ticket['customer_id'])}", params={"expand": "true"})
            address = (customer or {}).get("email" if kind == "email" else "mobile") if isinstance(customer, dict) else None
            if address:
                route = {"type": kind, "to": str(address)}
                if kind == "email":
                    route["subject"] = str(ticket.get("title") or "")
                return route
        return {"type": kind if kind in ("phone", "web") else "web"}

    def _find_my_article(self, ticket_id: str, kind: str, body: str, since: str) -> dict[str, Any] | None:
        cutoff = parse_iso(since) - RESEND_MARGIN
        me = self._my_number()
        articles = self._list("GET", f"/ticket_articles/by_ticket/{int(ticket_id)}", params={"expand": "true"})
        for article in sorted(articles, key=lambda a: _safe_int(a.get("id"))):
            created = mapping.iso(article.get("created_at"))
            if (created and parse_iso(created) >= cutoff and _safe_int(article.get("created_by_id")) == me
                    and bool(article.get("internal")) == (kind == "note")
                    and mapping.same_text(mapping.article_body(article), body)):
                return self._message(article, ticket_id, "")
        return None

    def transfer(self, conversation_id: str, *, kind: str, queue_id: str | None, assignee_id: str | None,
                 note: str, key: str, resend_since: str | None = None) -> list[Record]:
        """A hand-off in one request: `PUT /tickets/{id}` with the new group or owner and the note
        as an internal article (Zammad applies both under one lock, or neither). After a lost
        answer, finding our note means the move happened too."""
        try:
            earlier = self._find_my_article(conversation_id, "note", note, resend_since) if resend_since else None
        except (PermissionDenied, Rejected) as exc:
            # The ticket is out of this agent's sight: the earlier attempt moved it (the pull removes it).
            log.info("hand-off %s: the ticket is no longer visible (%s); taking it as done", key, exc)
            return []
        if earlier is None:
            update: dict[str, Any] = {"article": {"body": note, "type": "note", "internal": True, "sender": "Agent",
                                                  "content_type": "text/plain"}}
            if queue_id:
                update["group_id"] = int(queue_id)
                update["owner_id"] = mapping.SYSTEM_USER_ID   # unassigned: for the group to take
            if assignee_id:
                update["owner_id"] = _user_number(assignee_id)
            self._json("PUT", f"/tickets/{int(conversation_id)}", body=update)
            try:
                earlier = self._find_my_article(conversation_id, "note", note, now_iso())
            except Rejected:   # moved where this agent cannot read it
                earlier = None
        else:
            log.info("an earlier hand-off %s reached Zammad (article %s)", key, earlier["id"])
        found: list[Record] = []
        if earlier is not None:
            found.append(Record("message", str(earlier["id"]), {
                **earlier, "idempotency_key": key, "event": kind if kind in ("transfer", "escalate") else "transfer",
                "event_target": queue_id or ""}))
        current = self._conversation_now(conversation_id)
        if current is not None:   # None: moved where this agent cannot see it (the pull removes it)
            found.append(Record("conversation", conversation_id, current))
        return found

    def patch_conversation(self, conversation_id: str, fields: dict[str, Any],
                           if_match: int | None) -> dict[str, Any]:
        """Zammad has no If-Match: the ticket is read first, and a version other than the one the
        engine holds is a conflict (the engine compares per field and sends again)."""
        ticket = self._ticket(conversation_id)
        current = self._conversation_now(conversation_id, ticket)
        if current is None:
            raise Rejected("the ticket is no longer visible to this account", 404)
        if if_match is not None and current["version"] != if_match:
            raise VersionConflict("the ticket changed on the server meanwhile", current)
        update, tags = self._ticket_update(fields)
        if update:
            self._json("PUT", f"/tickets/{int(conversation_id)}", body=update)
        if tags is not None:
            self._set_tags(int(conversation_id), current.get("tags") or [], tags)
        after = self._conversation_now(conversation_id)
        if after is None:
            raise Rejected("the ticket is no longer visible to this account", 404)
        refused = [name for name in ("status", "priority", "assignee_id", "queue_id", "subject")
                   if name in fields and after.get(name) != fields[name]
                   and not (name == "priority" and fields[name] == "urgent" and after.get(name) == "high")]
        if refused:
            raise PermissionDenied(f"Zammad did not change {', '.join(refused)}")
        return after

    def _ticket_update(self, fields: dict[str, Any]) -> tuple[dict[str, Any], list[str] | None]:
        vocabulary = self._vocab()
        update: dict[str, Any] = {}
        tags: list[str] | None = None
        for name, value in fields.items():
            try:
                if name == "status":
                    update["state_id"] = vocabulary.state_for(str(value))
                    if value in PENDING_FOR:   # Zammad's pending states want a time to act on
                        update["pending_time"] = to_iso(utcnow() + PENDING_FOR[value])
                elif name == "priority":
                    update["priority_id"] = vocabulary.priority_for(str(value))
                elif name == "assignee_id":
                    update["owner_id"] = _user_number(value) if value else mapping.SYSTEM_USER_ID
                elif name == "queue_id":
                    update["group_id"] = int(value)
                elif name == "subject":
                    update["title"] = str(value)
                elif name == "tags":
                    tags = [str(t) for t in value or []]
                elif name == "disposition":
                    continue   # Zammad has no wrap-up codes: the status change goes through, the code stays local
                else:
                    raise Rejected(f"Zammad cannot store {name!r} on a ticket", 422)
            except (ValueError, TypeError) as exc:
                raise Rejected(f"Zammad cannot take {name} {value!r}: {exc}", 422) from exc
        return update, tags

    def _set_tags(self, ticket_id: int, before: list[str], after: list[str]) -> None:
        for tag in after:
            if tag not in before:
                self._json("POST", "/tags/add", body={"object": "Ticket", "o_id": ticket_id, "item": tag})
        for tag in before:
            if tag not in after:
                self._json("DELETE", "/tags/remove", body={"object": "Ticket", "o_id": ticket_id, "item": tag})


# -- helpers ------------------------------------------------------------------------------------------
def _upsert(entity: str, record_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"entity": entity, "op": "upsert", "id": record_id, "data": data}


def _ticket_id(ticket: dict[str, Any]) -> int | None:
    try:
        return mapping.number(ticket.get("id"))
    except mapping.BadRecord:
        return None


def _ids_of(tickets: list[dict[str, Any]]) -> list[int]:
    return [tid for tid in map(_ticket_id, tickets) if tid is not None]


def _safe_int(value: Any) -> int:
    try:
        return mapping.number(value)
    except mapping.BadRecord:
        return 0


def _user_number(value: Any) -> int:
    text = str(value)
    return int(text[1:] if text.startswith("u") else text)


def _ranges_iter(ranges: list[list[int]]) -> Iterable[int]:
    for low, high in ranges:
        yield from range(low, high + 1)


def _ranges_of(ids: Iterable[int]) -> list[list[int]]:
    """Ticket ids as [low, high] runs: the cursor stays small (ids are mostly consecutive)."""
    runs: list[list[int]] = []
    for tid in sorted(set(ids)):
        if runs and tid == runs[-1][1] + 1:
            runs[-1][1] = tid
        else:
            runs.append([tid, tid])
    return runs


def _ranges_add(ranges: list[list[int]], ids: Iterable[int]) -> list[list[int]]:
    return _ranges_of([*_ranges_iter(ranges), *ids])


def _ranges_remove(ranges: list[list[int]], ids: set[int]) -> list[list[int]]:
    if not ids:
        return ranges
    return _ranges_of(tid for tid in _ranges_iter(ranges) if tid not in ids)


def _read_cursor(cursor: str | None) -> dict[str, Any] | None:
    """None for no cursor (a first sync); CursorExpired for one this adapter cannot read."""
    if not cursor:
        return None
    try:
        state = json.loads(cursor)
    except ValueError:
        state = None
    if (not isinstance(state, dict) or state.get("v") != CURSOR_VERSION
            or state.get("phase") not in ("snapshot", "log") or not isinstance(state.get("hw"), str)
            or mapping.iso(state.get("hw")) is None or not isinstance(state.get("known"), list)):
        raise CursorExpired("the sync position is not one this Zammad adapter wrote; syncing everything again")
    return state


__all__ = ["ZammadBackend", "BackendError"]
