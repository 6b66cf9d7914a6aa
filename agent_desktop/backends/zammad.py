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
  Hard-deleted tickets leave no trace in Zammad: a rolling sweep of the ticket index (`GET
  /tickets`, id order) compares each page's id range with the ids the feed delivered (a compact
  bitmap in the cursor) and confirms every missing one with `GET /tickets/{id}` before deleting
  it, so a page that shifted under the sweep never deletes a ticket that still exists.
- **Exactly once.** Before sending again after an unknown outcome (`resend_since`), the adapter
  reads the ticket's articles for its newest own one with the same text, created since the first
  attempt (by Zammad's clock, estimated from its `Date` header), and adopts it.
- **No If-Match.** A change reads the ticket first and refuses with VersionConflict when its
  `updated_at` moved since the version the engine holds.

Mapping: `zammad_mapping.py` and docs/backends/zammad.md.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import time
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, BinaryIO

from ..domain.attachments import Attachment
from ..domain.timeutil import parse_iso, to_iso, utcnow
from . import zammad_mapping as mapping
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
from .vendor_kit import VendorClock, WorkerPool, html_to_text, same_text, upsert
from .vendor_transfer import (
    Sink,
    UploadBody,
    check_sizes,
    copy_stream,
    json_with_files,
    open_download,
    send_body,
    with_our_hashes,
)

log = logging.getLogger(__name__)

API = "/api/v1"
PAGE = 100                       # the largest page GET /tickets gives (search allows 200)
OVERLAP = timedelta(minutes=2)   # re-read before the high-water mark: commits that landed late
# Looking for our own earlier write: created at or after the first attempt began, by Zammad's clock
# (ours plus the skew its `Date` header shows), less this slack (the header's 1 s grain, latency).
RESEND_SLACK = timedelta(seconds=30)
RESEND_MARGIN_BLIND = timedelta(minutes=5)   # when no answer carried a readable `Date` header
SWEEP_PAGES = 10                 # index pages (1,000 tickets) the deletion sweep reads per round
SWEEP_EVERY_PULL_MAX = 1000      # up to this many tickets a sweep round runs every pull (a whole sweep)
SWEEP_GAP = 60.0                 # on larger helpdesks, seconds between sweep rounds
CONFIRM_MAX = 40                 # missing tickets confirmed (GET /tickets/{id}) per pull
SUSPECTS_MAX = 2000              # missing tickets waiting for confirmation, at most (the rest: next sweep)
ADOPT_MAX = 50                   # tickets listed but never delivered (e.g. a group newly granted) per pull
KNOWLEDGE_INTERVAL = 300.0       # text modules, knowledge base and groups are read again this often
PENDING_FOR = {"pending": timedelta(days=1), "resolved": timedelta(days=3)}   # Zammad's pending_time
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{32,}$")
CURSOR_VERSION = 2               # 1: `known` as [low, high] runs (read and converted)
BLOCK = 4096                     # ticket ids per block of the cursor's bitmap
EPOCH = "1970-01-01T00:00:00.000Z"
MAX_FILE_BYTES = 10 * 1000 * 1000        # per file
# Zammad's nginx takes 50 MB a request (client_max_body_size 50M); the files travel in base64,
# a third bigger, so together they may be three quarters of that.
MAX_REQUEST_BYTES = 50 * 1000 * 1000
MAX_FILES_BYTES = MAX_REQUEST_BYTES * 3 // 4 - 1_000_000   # room for the body and the JSON around it


class ZammadBackend:
    capabilities = frozenset({Capability.CORE, Capability.HANDOFF, Capability.ATTACHMENTS})
    idempotency_keys = False   # see post_message: it looks for its own write before writing again

    def __init__(self, base_url: str, *, workers: int = 4, **http_options: Any) -> None:
        self.http = HttpClient(base_url, **http_options)
        self.base_url = self.http.base_url
        self.workers = workers
        self._me: dict[str, Any] | None = None
        self._vocabulary: mapping.Vocabulary | None = None
        self._organizations: dict[int, dict[str, Any] | None] = {}
        self._groups: list[dict[str, Any]] | None = None
        self._pool = WorkerPool(workers, "zammad")
        self._clock = VendorClock()            # Zammad's clock against ours (from `Date`)
        self._scheme: str | None = None        # "token" or "basic": what signed in last time

    # -- plumbing ----------------------------------------------------------------------------------
    def _json(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        response = self.http.request(method, API + path, params=params, json_body=body)
        self._note_clock(response.headers.get("Date"))
        if not response.content:
            return None
        return self.http.json(response)

    def _note_clock(self, header: str | None) -> None:
        self._clock.note(header)

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
        """The calls side by side on this adapter's own pool. Never called from inside a pooled
        call, so the pool cannot wait on itself."""
        return self._pool.run(calls)

    # -- signing in ------------------------------------------------------------------------------
    def set_token(self, token: str | None) -> None:
        """Zammad gives no session token: `sign_in` sets the credentials and returns an empty
        token. None forgets them (signing out); "" (what sign_in returned) changes nothing; any
        other text is taken as a Zammad access token."""
        if token is None:
            self.http.authorization = None
        elif token:
            self.http.authorization = f"Token token={token}"
            self._scheme = "token"

    def sign_in(self, username: str, password: str) -> SignIn:
        """`password` is a Zammad access token (Profile → Token Access) or the account's password.
        The app does not tell which: a secret shaped like a token (32+ letters, digits, '-' or '_',
        no spaces) is tried as one first, else as a password; on 401 the other form is tried once
        (a password manager's long password looks like a token), and the one that worked is tried
        first next time."""
        headers = {
            "token": f"Token token={password}",
            "basic": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii"),
        }
        first = self._scheme or ("token" if TOKEN_SHAPE.match(password) else "basic")
        order = [first, "basic" if first == "token" else "token"]
        for attempt, scheme in enumerate(order):
            self.http.authorization = headers[scheme]
            try:
                user = self._signed_in_user()
            except AuthRequired:
                if attempt == len(order) - 1:
                    self.http.authorization = None
                    raise
                continue
            self._scheme = scheme
            return self._become(user, username)
        raise AuthRequired("please sign in again")   # not reached: the loop returns or raises

    def _signed_in_user(self) -> dict[str, Any]:
        try:
            user = self._json("GET", "/users/me", params={"expand": "true"})
        except Rejected as exc:
            if exc.status in (404, 405):
                raise UnsupportedVersion("this address has no Zammad REST API (/api/v1/)") from exc
            raise
        if not isinstance(user, dict) or "id" not in user:
            raise MalformedResponse("Zammad did not describe the signed-in user")
        return user

    def _become(self, user: dict[str, Any], username: str) -> SignIn:
        if not mapping.is_agent(user):
            raise PermissionDenied("this Zammad account is not an agent (it needs the Agent role)")
        try:
            uid = mapping.number(user["id"])
        except mapping.BadRecord as exc:
            raise MalformedResponse(f"Zammad described the signed-in user with an unreadable id: {exc}") from exc
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
        try:
            if state is None:
                return self._start()
            page_size = max(1, min(PAGE, int(limit)))
            if state["phase"] == "snapshot":
                return self._snapshot_page(state, page_size)
            return self._follow(state, page_size)
        except (TypeError, AttributeError, KeyError, ValueError) as exc:
            # An answer of a shape nothing above foresaw: the pull says so (and tries again later).
            log.exception("a Zammad answer could not be read")
            raise MalformedResponse(f"an answer from Zammad could not be read ({type(exc).__name__})") from exc

    def _start(self) -> ChangeBatch:
        """Queues, the agent, scripts and FAQ, and where `updated_at` stands now: the snapshot is
        followed from there, so nothing that happens during the first sync is missed."""
        newest = self._search_updated(EPOCH, page=1, per_page=20, order="desc")
        # The newest readable time (a malformed record's is skipped); none: the log reads from 1970.
        high_water = next((t["updated_at"] for t in newest if mapping.iso(t.get("updated_at"))), EPOCH)
        self._vocabulary = None
        self._vocab()
        state: dict[str, Any] = {"v": CURSOR_VERSION, "phase": "snapshot", "page": 1, "hw": high_water,
                                 "seen": {}, "known": {}, "count": 0}
        changes = self._knowledge(state)
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)

    def _knowledge(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        """Queues, the signed-in agent, text modules (scripts) and knowledge-base answers (FAQ),
        with deletions of those gone since the last read. One that cannot be read now keeps what
        the cache has (no deletions) and never stops the pull."""
        changes: list[dict[str, Any]] = []
        groups = self._group_list(refresh=True)
        queue_ids: list[str] = []
        for group in groups:
            try:
                changes.append(upsert("queue", str(mapping.number(group["id"])), mapping.queue_record(group)))
                queue_ids.append(str(mapping.number(group["id"])))
            except (mapping.BadRecord, KeyError) as exc:
                log.warning("skipped a Zammad group: %s", exc)
        if self._me:
            me = self._me
            changes.append(upsert("agent", me["id"], {"username": me["username"], "name": me["name"], "role": "agent",
                                                       "version": 1, "queue_ids": queue_ids, "state": "offline"}))
        for entity, found, key in (("script", self._scripts(), "scripts"), ("faq_article", self._faq(), "faqs")):
            if found is None:
                continue
            changes.extend(upsert(entity, rid, data) for rid, data in found.items())
            changes.extend({"entity": entity, "op": "delete", "id": rid}
                           for rid in state.get(key, []) if rid not in found)
            state[key] = sorted(found)
        state["kn"] = time.time()
        return changes

    def _scripts(self) -> dict[str, dict[str, Any]] | None:
        """Active text modules as shared scripts; None when they cannot be read now."""
        try:
            modules = self._all("/text_modules", {"expand": "true"})
        except PermissionDenied:
            return {}
        except (Rejected, MalformedResponse) as exc:
            log.warning("Zammad's text modules could not be read: %s", exc)
            return None
        scripts: dict[str, dict[str, Any]] = {}
        for module in modules:
            try:
                data = mapping.script_record(module)
                if data is not None:
                    scripts[f"tm{mapping.number(module.get('id'))}"] = data
            except (mapping.BadRecord, TypeError, AttributeError) as exc:
                log.warning("skipped a Zammad text module: %s", exc)
        return scripts

    def _faq(self) -> dict[str, dict[str, Any]] | None:
        """Knowledge-base answers: the structure, then the contents of every answer in one more
        call. {} when there is none for this agent; None when it cannot be read now."""
        try:
            assets = self._json("POST", "/knowledge_bases/init", body={})
            if not isinstance(assets, dict):
                return {}
            translations = _dict(assets.get("KnowledgeBaseAnswerTranslation"))
            ids = sorted({int(t["content_id"]) for t in translations.values()
                          if isinstance(t, dict) and isinstance(t.get("content_id"), int)})
            if ids:
                more = self._json("POST", "/knowledge_bases/init", body={"answer_translation_content_ids": ids})
                for key, value in _dict(more).items():
                    if isinstance(value, dict):
                        assets[key] = {**_dict(assets.get(key)), **value}
            return mapping.faq_records(assets, self.base_url)
        except PermissionDenied as exc:
            # No knowledge base, or this agent may not read it: the FAQ panel stays empty.
            log.info("no FAQ from Zammad's knowledge base: %s", exc)
            return {}
        except Rejected as exc:
            log.info("no FAQ from Zammad's knowledge base: %s", exc)
            return {}
        except (MalformedResponse, TypeError, AttributeError, ValueError) as exc:   # BadRecord is a ValueError
            log.warning("Zammad's knowledge base could not be read; the FAQ stays as it was: %s", exc)
            return None

    def _snapshot_page(self, state: dict[str, Any], page_size: int) -> ChangeBatch:
        page = int(state["page"])
        # GET /tickets is ordered by id; pages are counted in the page size the first page used.
        size = int(state.setdefault("size", page_size))
        tickets = self._list("GET", "/tickets", params={"expand": "true", "page": page, "per_page": size})
        known = IdSet.read(state.get("known"))
        changes = self._compose(tickets, known)
        state = {**state, "known": known.dump(), "count": int(state.get("count", 0)) + len(tickets)}
        if len(tickets) < size:
            # The snapshot was the first sweep: the next one starts from the top.
            total = state["count"]
            state = {k: v for k, v in state.items() if k not in ("page", "size", "count")}
            state.update(phase="log", sw=_new_round(total), sus=[])
            return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)
        state["page"] = page + 1
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
        known = IdSet.read(state.get("known"))
        changes = self._compose(fresh, known)
        newest = high_water
        for ticket in tickets:
            stamp = mapping.iso(ticket.get("updated_at"))
            if stamp is not None and parse_iso(stamp) > parse_iso(newest):
                newest = stamp
            if _ticket_id(ticket) is not None and isinstance(stamp, str):
                seen[str(_ticket_id(ticket))] = stamp
        floor = parse_iso(newest) - OVERLAP
        seen = {tid: stamp for tid, stamp in seen.items() if mapping.iso(stamp) and parse_iso(stamp) >= floor}
        full = len(tickets) >= page_size
        moved = parse_iso(newest) > parse_iso(high_water)
        state = {**state, "hw": newest, "seen": seen, "page": 1 if (moved or not full) else page + 1}
        if not full:
            changes.extend(self._sweep(state, known))
            if time.time() - float(state.get("kn", 0)) >= KNOWLEDGE_INTERVAL:
                changes.extend(self._knowledge(state))
        state["known"] = known.dump()
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=full)

    # -- deletions: the sweep ---------------------------------------------------------------------
    def _sweep(self, state: dict[str, Any], known: IdSet) -> list[dict[str, Any]]:
        """Deletions Zammad keeps no record of (deleted, or moved to a group this agent cannot
        read). A round reads up to SWEEP_PAGES pages of `GET /tickets` (id order) on from where
        the last one stopped; a delivered id inside a page's id range that the page lacks is only
        a suspect (a deletion elsewhere may have shifted the pages), deleted once `GET
        /tickets/{id}` says it is gone. A listed ticket never delivered (a group newly granted
        leaves its `updated_at` alone) is delivered now."""
        sweep = _round_of(state.get("sw"))
        suspects = [tid for tid in state.get("sus") or [] if isinstance(tid, int) and tid in known]
        changes: list[dict[str, Any]] = []
        large = sweep["total"] > SWEEP_EVERY_PULL_MAX
        if not large or time.time() - sweep["at"] >= SWEEP_GAP:
            missing, unknown = self._sweep_round(sweep, known)
            suspects = list(dict.fromkeys([*suspects, *missing]))[:SUSPECTS_MAX]
            if unknown:
                log.info("the sweep found %s Zammad tickets never delivered; delivering them", len(unknown))
                changes.extend(self._compose(unknown, known))
        now, later = suspects[:CONFIRM_MAX], suspects[CONFIRM_MAX:]
        gone = [tid for tid, away in zip(now, self._parallel([partial(self._gone, tid) for tid in now]),
                                          strict=True) if away]
        known.discard(gone)
        state["sw"], state["sus"] = sweep, later
        changes.extend({"entity": "conversation", "op": "delete", "id": str(tid)} for tid in gone)
        return changes

    def _sweep_round(self, sweep: dict[str, Any], known: IdSet) -> tuple[list[int], list[dict[str, Any]]]:
        """Reads the next pages of the index; returns the delivered ids they lack (suspects) and
        the live tickets they list that were never delivered (at most ADOPT_MAX)."""
        vocabulary = self._vocab()
        missing: list[int] = []
        unknown: list[dict[str, Any]] = []
        for _ in range(SWEEP_PAGES):
            tickets = self._list("GET", "/tickets", params={"expand": "true", "page": sweep["page"], "per_page": PAGE})
            listed = {tid: t for t in tickets if (tid := _ticket_id(t)) is not None}
            short = len(tickets) < PAGE
            high = None if short else max(listed, default=sweep["after"])
            missing.extend(tid for tid in known.between(sweep["after"], high) if tid not in listed)
            unknown.extend(t for tid, t in sorted(listed.items())
                           if tid > sweep["after"] and tid not in known and vocabulary.status_of(t) is not None)
            sweep["seen"] += len(tickets)
            if short:   # the round is done: the next starts from the top
                sweep.update(_new_round(sweep["seen"]))
                break
            sweep["page"] += 1
            sweep["after"] = max(sweep["after"], high or 0)
        sweep["at"] = time.time()
        return missing, unknown[:ADOPT_MAX]

    def _gone(self, tid: int) -> bool:
        """Is this ticket gone for this agent (deleted, out of sight, merged away, removed)?"""
        try:
            ticket = self._json("GET", f"/tickets/{tid}", params={"expand": "true"})
        except Rejected as exc:
            if exc.status in (403, 404):
                return True
            log.warning("could not tell whether Zammad ticket %s still exists: %s", tid, exc)
            return False
        return isinstance(ticket, dict) and self._vocab().status_of(ticket) is None

    def _compose(self, tickets: list[dict[str, Any]], known: IdSet) -> list[dict[str, Any]]:
        """People, conversations and messages for these tickets: each ticket's articles and tags,
        and the customers and owners, fetched side by side. Merged-away and removed tickets are
        deletions, first: their articles now live in the ticket they joined. `known` (the ids
        the feed delivered, for the sweep) gains the live ones (a malformed one too: the cache
        may hold its last good state) and loses the deleted ones."""
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
                known.discard([tid])
            else:
                live.append(ticket)
                known.add([tid])
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
                known.discard([int(rid)])
                continue
            articles, tags = found
            try:
                data = mapping.conversation_record(ticket, articles, tags, vocabulary)
            except (mapping.BadRecord, TypeError, ValueError, AttributeError) as exc:
                log.warning("skipped Zammad ticket %s: %s", rid, exc)
                continue
            changes.append(upsert("conversation", rid, data))
            for article in articles:
                if not mapping.is_shown(article):
                    continue
                try:
                    changes.append(upsert("message", str(mapping.number(article.get("id"))),
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
                    changes.append(upsert("customer", f"u{uid}", {"name": f"#{uid}", "tier": "standard", "version": 1}))
                continue
            try:
                if people[uid]:
                    org = self._organization(mapping.number(user["organization_id"])) \
                        if user.get("organization_id") else None
                    changes.append(upsert("customer", f"u{uid}", mapping.customer_record(user, org)))
                if mapping.is_agent(user) and uid != self._my_number():
                    changes.append(upsert("agent", f"u{uid}", mapping.agent_record(user, queue_ids)))
            except (mapping.BadRecord, KeyError, TypeError) as exc:
                log.warning("skipped Zammad user %s: %s", uid, exc)
        return changes

    def _ticket(self, ticket_id: str) -> dict[str, Any]:
        ticket = self._json("GET", f"/tickets/{_ticket_number(ticket_id)}", params={"expand": "true"})
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
        except (mapping.BadRecord, TypeError, AttributeError) as exc:
            raise MalformedResponse(f"Zammad's ticket {ticket_id} could not be read: {exc}") from exc

    # -- writing ----------------------------------------------------------------------------------
    def post_message(self, conversation_id: str, kind: str, body: str, idempotency_key: str, *,
                     resend_since: str | None = None) -> dict[str, Any]:
        """A reply or an internal note (`POST /ticket_articles`). After an attempt whose answer
        was lost (`resend_since`), our own article with this text is looked for and adopted first."""
        return self.send_with_attachments(conversation_id, kind, body, idempotency_key, files=[],
                                          resend_since=resend_since)

    # -- files ------------------------------------------------------------------------------------
    def max_attachment_bytes(self) -> int:
        return MAX_FILE_BYTES

    def send_with_attachments(self, conversation_id: str, kind: str, body: str, key: str, *,
                              files: list[OutgoingFile], body_html: str | None = None,
                              progress: Progress | None = None,
                              resend_since: str | None = None) -> dict[str, Any]:
        """An article with files (`attachments: [{filename, data, mime-type}]`, base64 streamed from
        the staged copies) and/or HTML (`content_type: text/html`: Zammad keeps one body, so the HTML
        is the message and `body` only its text). Looked for before resending, files included."""
        number = _ticket_number(conversation_id)
        check_sizes(files, MAX_FILE_BYTES, max_total=MAX_FILES_BYTES)
        if resend_since is not None:
            cutoff = self._resend_cutoff(resend_since)
            earlier = self._mine(self._articles(number), kind, body, created_after=cutoff, files=files,
                                 body_html=body_html or "")
            if earlier is not None:
                log.info("an earlier attempt of %s reached Zammad (article %s)", key, earlier["id"])
                return self._with_files({**self._message(earlier, conversation_id, ""), "idempotency_key": key},
                                        files)
        html = body_html or ""
        article: dict[str, Any] = {"ticket_id": number, "body": html or body,
                                   "content_type": "text/html" if html else "text/plain",
                                   "internal": kind == "note", "sender": "Agent"}
        article.update(self._reply_route(conversation_id) if kind != "note" else {"type": "note"})
        if files:
            parts = json_with_files(article, "attachments", files,
                                    lambda item: {"filename": item.name, "mime-type": item.content_type}, "data")
            response = send_body(self.http, "POST", API + "/ticket_articles", UploadBody(parts, progress),
                                 content_type="application/json")
            self._note_clock(response.headers.get("Date"))
            created = self.http.json(response)
        else:
            created = self._json("POST", "/ticket_articles", body=article)
        if not isinstance(created, dict) or "id" not in created:
            raise MalformedResponse("Zammad did not say which article it created")
        return self._with_files(self._message(created, conversation_id, key), files)

    @staticmethod
    def _with_files(message: dict[str, Any], files: list[OutgoingFile]) -> dict[str, Any]:
        stored = with_our_hashes(list(message.get("attachments") or ()), files)
        return {**message, "attachments": stored} if stored else message

    def download_attachment(self, attachment: Attachment, conversation_id: str, message_id: str,
                            dest: BinaryIO, progress: Progress | None = None) -> None:
        """`GET /ticket_attachment/{ticket}/{article}/{id}`: the bytes, streamed to `dest`."""
        path = (f"{API}/ticket_attachment/{_ticket_number(conversation_id)}/{_number_of(message_id, 'article')}/"
                f"{_number_of(attachment.id, 'attachment')}")
        cap = self.http.max_body
        if attachment.size > cap:
            raise Rejected(f"the file is larger than {cap // (1024 * 1024)} MB and is not downloaded", 413)
        sink = Sink(dest, attachment.size, cap, progress)
        copy_stream(self.http, open_download(self.http, path), sink)
        sink.verify(attachment.sha256)

    def _message(self, article: dict[str, Any], conversation_id: str, key: str) -> dict[str, Any]:
        try:
            data = mapping.message_record(article, str(conversation_id))
            article_id = str(mapping.number(article["id"]))
        except mapping.BadRecord as exc:
            raise MalformedResponse(f"Zammad's article could not be read: {exc}") from exc
        me = self._me or {}
        return {"id": article_id, **data, "direction": "out",
                "author_id": me.get("id", data.get("author_id")), "author_name": me.get("name", data["author_name"]),
                "idempotency_key": key}

    def _reply_route(self, conversation_id: str) -> dict[str, Any]:
        """How a reply reaches the customer: an e-mail to their address on e-mail tickets, an SMS to
        their mobile on SMS tickets, else an article of the ticket's own kind (phone, web)."""
        ticket = self._ticket(conversation_id)
        kind = str(ticket.get("create_article_type") or "").lower()
        customer_id = _safe_int(ticket.get("customer_id"))
        if kind in ("email", "sms") and customer_id:
            customer = self._json("GET", f"/users/{customer_id}", params={"expand": "true"})
            address = customer.get("email" if kind == "email" else "mobile") if isinstance(customer, dict) else None
            if address:
                route = {"type": kind, "to": str(address)}
                if kind == "email":
                    route["subject"] = str(ticket.get("title") or "")
                return route
        return {"type": kind if kind in ("phone", "web") else "web"}

    def _articles(self, number: int) -> list[dict[str, Any]]:
        return self._list("GET", f"/ticket_articles/by_ticket/{number}", params={"expand": "true"})

    def _resend_cutoff(self, since: str) -> datetime:
        """When the first attempt began, by Zammad's clock, less a slack: our own article is not
        older. Without a `Date` header to tell the clocks apart, a wider margin."""
        cutoff = self._clock.resend_cutoff(since, slack=RESEND_SLACK.total_seconds(),
                                           blind=RESEND_MARGIN_BLIND.total_seconds())
        return datetime.fromtimestamp(cutoff, UTC)

    def _mine(self, articles: list[dict[str, Any]], kind: str, body: str, *,
              created_after: datetime | None = None, above_id: int | None = None,
              files: list[OutgoingFile] | None = None, body_html: str = "") -> dict[str, Any] | None:
        """The NEWEST article by this agent of this kind, text (the HTML's, as text, when sent as
        HTML) and files (names and sizes), created at or after `created_after` and with an id above
        `above_id`: an identical one the agent wrote on purpose earlier is older, so it is never
        taken for this attempt."""
        me = self._my_number()
        text = html_to_text(body_html) if body_html else body
        wanted_files = sorted((f.name, f.size) for f in files or ())
        for article in sorted(articles, key=lambda a: _safe_int(a.get("id")), reverse=True):
            created = mapping.iso(article.get("created_at"))
            if (created is None or _safe_int(article.get("created_by_id")) != me
                    or bool(article.get("internal")) != (kind == "note")
                    or not same_text(mapping.article_body(article), text)
                    or mapping.file_names(article) != wanted_files):
                continue
            if above_id is not None and _safe_int(article.get("id")) <= above_id:
                continue
            if created_after is not None and parse_iso(created) < created_after:
                continue
            return article
        return None

    def transfer(self, conversation_id: str, *, kind: str, queue_id: str | None, assignee_id: str | None,
                 note: str, key: str, resend_since: str | None = None) -> list[Record]:
        """A hand-off in one request: `PUT /tickets/{id}` with the new group or owner and the note
        as an internal article (Zammad applies both under one lock, or neither). After a lost
        answer, finding our note means the move happened too."""
        number = _ticket_number(conversation_id)
        update: dict[str, Any] = {"article": {"body": note, "type": "note", "internal": True, "sender": "Agent",
                                              "content_type": "text/plain"}}
        if queue_id:
            update["group_id"] = _number_of(queue_id, "group")
            update["owner_id"] = mapping.SYSTEM_USER_ID   # unassigned: for the group to take
        if assignee_id:
            update["owner_id"] = _user_number(assignee_id)
        if resend_since:
            articles = self._articles_unless_gone(number, key)
            if articles is None:
                return []
            earlier = self._mine(articles, "note", note, created_after=self._resend_cutoff(resend_since))
        else:
            articles, earlier = self._articles(number), None
        if earlier is None:
            # The note is ours only if it is newer than every article before the PUT.
            highest = max((_safe_int(a.get("id")) for a in articles), default=0)
            self._json("PUT", f"/tickets/{number}", body=update)
            try:
                earlier = self._mine(self._articles(number), "note", note, above_id=highest)
            except Rejected:   # moved where this agent cannot read it
                earlier = None
        else:
            log.info("an earlier hand-off %s reached Zammad (article %s)", key, earlier.get("id"))
        found: list[Record] = []
        if earlier is not None:
            message = self._message(earlier, conversation_id, key)
            found.append(Record("message", message["id"], {
                **message, "event": kind if kind in ("transfer", "escalate") else "transfer",
                "event_target": queue_id or ""}))
        current = self._conversation_now(conversation_id)
        if current is not None:   # None: moved where this agent cannot see it (the pull removes it)
            found.append(Record("conversation", conversation_id, current))
        return found

    def _articles_unless_gone(self, number: int, key: str) -> list[dict[str, Any]] | None:
        """The ticket's articles; None when the ticket itself is gone from this agent's sight
        (404 or 403 on `GET /tickets/{id}`): an earlier attempt moved it away. Anything else is
        raised, so a note whose first attempt never arrived is not silently dropped."""
        try:
            return self._articles(number)
        except Rejected as exc:
            if exc.status not in (403, 404):
                raise
            try:
                self._json("GET", f"/tickets/{number}", params={"expand": "true"})
            except Rejected as again:
                if again.status in (403, 404):
                    log.info("hand-off %s: the ticket is no longer visible (%s); taking it as done", key, again)
                    return None
                raise
            raise   # the ticket is there, only its articles are refused: not done

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
            self._json("PUT", f"/tickets/{_ticket_number(conversation_id)}", body=update)
        if tags is not None:
            self._set_tags(_ticket_number(conversation_id), current.get("tags") or [], tags)
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
                    update["group_id"] = _number_of(value, "group")
                elif name == "subject":
                    update["title"] = str(value)
                elif name == "tags":
                    tags = [str(t) for t in value or []]
                elif name == "disposition":
                    continue   # Zammad has no wrap-up codes: the status change goes through, the code stays local
                else:
                    raise Rejected(f"Zammad cannot store {name!r} on a ticket", 422)
            except (ValueError, TypeError) as exc:
                raise Rejected(f"Zammad cannot take {name} {value!r:.60}: {exc}", 422) from exc
        return update, tags

    def _set_tags(self, ticket_id: int, before: list[str], after: list[str]) -> None:
        for tag in after:
            if tag not in before:
                self._json("POST", "/tags/add", body={"object": "Ticket", "o_id": ticket_id, "item": tag})
        for tag in before:
            if tag not in after:
                self._json("DELETE", "/tags/remove", body={"object": "Ticket", "o_id": ticket_id, "item": tag})


# -- helpers ------------------------------------------------------------------------------------------
def _ticket_id(ticket: dict[str, Any]) -> int | None:
    try:
        return mapping.number(ticket.get("id"))
    except mapping.BadRecord:
        return None


def _safe_int(value: Any) -> int:
    try:
        return mapping.number(value)
    except mapping.BadRecord:
        return 0


def _number_of(value: Any, what: str) -> int:
    """One of our ids for a Zammad record ("123"): ASCII digits only, or Rejected."""
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise Rejected(f"{text[:40]!r} is not a Zammad {what} id", 400)
    return int(text)


def _ticket_number(conversation_id: Any) -> int:
    return _number_of(conversation_id, "ticket")


def _user_number(value: Any) -> int:
    """Our agent id ("u12") as Zammad's user id."""
    text = str(value)
    return _number_of(text[1:] if text.startswith("u") else text, "user")


def _dict(value: Any) -> dict[str, Any]:
    """Zammad's id-keyed assets as a dict; {} for anything else (a list where an object belongs)."""
    return value if isinstance(value, dict) else {}


class IdSet:
    """Ticket ids the feed delivered: a bitmap in blocks of BLOCK ids, each kept in the cursor as
    base64 of its zlib-compressed bytes, so a run of consecutive ids (or any regular pattern, such
    as every third ticket) takes a few bytes per block. A page touches one or two blocks, and only
    those are encoded again, so a first sync stays linear."""

    def __init__(self, encoded: dict[str, str] | None = None) -> None:
        self._encoded = dict(encoded or {})
        self._open: dict[int, bytearray] = {}

    @classmethod
    def read(cls, value: Any) -> IdSet:
        """The cursor's form; version 1's list of [low, high] runs is converted."""
        if isinstance(value, list):
            found = cls()
            try:
                found.add(tid for low, high in value for tid in range(int(low), int(high) + 1))
            except (TypeError, ValueError) as exc:
                raise CursorExpired("the sync position is not one this Zammad adapter wrote; "
                                    "syncing everything again") from exc
            return found
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and k.isascii() and k.isdigit() and isinstance(v, str) for k, v in value.items()):
            raise CursorExpired("the sync position is not one this Zammad adapter wrote; syncing everything again")
        return cls(value)

    def _block(self, index: int, create: bool = False) -> bytearray | None:
        block = self._open.get(index)
        if block is None:
            text = self._encoded.get(str(index))
            if text is not None:
                try:
                    block = bytearray(zlib.decompress(base64.b64decode(text, validate=True)))
                except (binascii.Error, zlib.error, ValueError) as exc:
                    raise CursorExpired("the sync position is damaged; syncing everything again") from exc
                if len(block) != BLOCK // 8:
                    raise CursorExpired("the sync position is damaged; syncing everything again")
            elif create:
                block = bytearray(BLOCK // 8)
            else:
                return None
            self._open[index] = block
        return block

    def add(self, ids: Iterable[int]) -> None:
        for tid in ids:
            if tid >= 0:
                block = self._block(tid // BLOCK, create=True)
                assert block is not None
                bit = tid % BLOCK
                block[bit >> 3] |= 1 << (bit & 7)

    def discard(self, ids: Iterable[int]) -> None:
        for tid in ids:
            block = self._block(tid // BLOCK) if tid >= 0 else None
            if block is not None:
                bit = tid % BLOCK
                block[bit >> 3] &= ~(1 << (bit & 7)) & 0xFF

    def __contains__(self, tid: object) -> bool:
        if not isinstance(tid, int) or tid < 0:
            return False
        block = self._block(tid // BLOCK)
        bit = tid % BLOCK
        return block is not None and bool(block[bit >> 3] & (1 << (bit & 7)))

    def between(self, low: int, high: int | None) -> list[int]:
        """The ids in (low, high]; high None: no upper end."""
        indexes = {int(k) for k in self._encoded} | set(self._open)
        found: list[int] = []
        for index in sorted(i for i in indexes if i >= low // BLOCK and (high is None or i <= high // BLOCK)):
            block = self._block(index)
            assert block is not None
            base = index * BLOCK
            for offset, byte in enumerate(block):
                if byte:
                    found.extend(tid for bit in range(8) if byte & (1 << bit)
                                 and low < (tid := base + offset * 8 + bit) and (high is None or tid <= high))
        return found

    def dump(self) -> dict[str, str]:
        """The cursor's form: the blocks touched are encoded again, empty ones dropped."""
        for index, block in self._open.items():
            if any(block):
                self._encoded[str(index)] = base64.b64encode(zlib.compress(bytes(block), 9)).decode("ascii")
            else:
                self._encoded.pop(str(index), None)
        self._open = {}
        return dict(sorted(self._encoded.items(), key=lambda item: int(item[0])))


def _new_round(total: int) -> dict[str, Any]:
    """A sweep round from the top; `total`: how many tickets the last whole round listed."""
    return {"page": 1, "after": 0, "seen": 0, "total": int(total), "at": 0.0}


def _round_of(value: Any) -> dict[str, Any]:
    found = _new_round(0)
    if isinstance(value, dict):
        for key in ("page", "after", "seen", "total"):
            if isinstance(value.get(key), int) and not isinstance(value.get(key), bool) and value[key] >= 0:
                found[key] = value[key]
        if isinstance(value.get("at"), (int, float)):
            found["at"] = float(value["at"])
    found["page"] = max(1, found["page"])
    return found


def _read_cursor(cursor: str | None) -> dict[str, Any] | None:
    """None for no cursor (a first sync); CursorExpired for one this adapter cannot read.
    Version 1 (`known` as runs of ids) is read and written back as version 2."""
    if not cursor:
        return None
    try:
        state = json.loads(cursor)
    except ValueError:
        state = None
    if (not isinstance(state, dict) or state.get("v") not in (1, CURSOR_VERSION)
            or state.get("phase") not in ("snapshot", "log") or not isinstance(state.get("hw"), str)
            or mapping.iso(state.get("hw")) is None or not isinstance(state.get("known"), (list, dict))
            or not all(isinstance(state.get(k, 1), int) and not isinstance(state.get(k, 1), bool)
                       and state.get(k, 1) >= 0 for k in ("page", "size", "count"))
            or not isinstance(state.get("seen", {}), dict)):
        raise CursorExpired("the sync position is not one this Zammad adapter wrote; syncing everything again")
    if state["v"] == 1:
        state.update(v=CURSOR_VERSION, known=IdSet.read(state["known"]).dump())
    return state


__all__ = ["ZammadBackend"]
