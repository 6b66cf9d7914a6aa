"""Adapter for Best Practical's Request Tracker 5, through its REST2 API (`/REST/2.0/`).

RT has no change feed and no idempotency keys, so this adapter makes both:

- **The feed** is RT's transaction log. Every change to a ticket (a reply, a status, an owner, a
  merge) is a transaction with an increasing id, so "what changed since" is `id > high-water`
  — no clock, no `LastUpdated` rounding to the second. The first sync pages the tickets by id
  (with their transactions and message bodies fetched in bulk, a page of tickets at a time),
  then follows the log. Ids the log skipped (a transaction not yet committed, or hidden) are
  asked for again on the next few pulls, so a late commit is never lost.
- **Exactly once**: before sending again after an unknown outcome (`resend_since`), the adapter
  looks in the ticket's history for its own transaction with the same text and adopts it.

Every authenticated REST2 request costs RT a password (or token) hash check, so the adapter asks
for pages of 100 with only the fields it maps, and runs independent requests side by side.
Mapping: `rt_mapping.py` and docs/backends/rt.md.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from typing import Any, BinaryIO
from urllib.parse import quote

from ..domain.attachments import Attachment
from ..domain.timeutil import now_iso, parse_iso
from . import rt_mapping as mapping
from .base import (
    Capability,
    ChangeBatch,
    MalformedResponse,
    PermissionDenied,
    Rejected,
    SignIn,
    UnsupportedVersion,
    VersionConflict,
)
from .http import HttpClient
from .protocols import OutgoingFile, Progress, Record
from .vendor_transfer import (
    Sink,
    UploadBody,
    check_sizes,
    decode_json_field,
    json_with_files,
    open_download,
    send_body,
    with_our_hashes,
)

log = logging.getLogger(__name__)

REST = "/REST/2.0"
PAGE = 100                 # REST2's largest page
TICKETS_PER_CHUNK = 25     # a chunk's transactions fill one or two pages
HOLE_RETRIES = 3           # pulls that ask again for a transaction id the log skipped
MAX_HOLES = 100            # the newest ones: a query naming them stays a short URL
LOG_PAGES_PER_PULL = 5
RESEND_MARGIN = timedelta(minutes=10)   # the client's clock against RT's, when looking for our write
TOKEN_SHAPE = re.compile(r"^\d+-\d+-[0-9a-f]{32}$")
TICKET_FIELDS = ("Subject,Status,Priority,Queue,Owner,Requestor,Created,LastUpdated,Due,Resolved,CustomFields")
USER_FIELDS = "id,Name,RealName,EmailAddress,Organization,MobilePhone,WorkPhone,HomePhone"
TXN_FIELDS = "Type,ObjectType,ObjectId,Created,Creator,Field,NewValue"
# A MIME part's description without its content. (Not "Parent": REST2 5.0.3 fails with 500 on the
# top part, whose parent is 0.)
PART_FIELDS = "TransactionId,ContentType,Filename,ContentLength,Headers"
# What a ticket search asks for: the fields mapped, and the people and queue expanded in place.
TICKET_PARAMS = {"fields": TICKET_FIELDS, "fields[Requestor]": USER_FIELDS, "fields[Owner]": "id,Name,RealName",
                 "fields[Queue]": "Name"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024   # RT_Config.pm: Set($MaxAttachmentSize, 10*1024*1024)
MERGE_TARGET = re.compile(r"/ticket/(\d+)$")


def _sql_ids(field: str, ids: Iterable[str]) -> str:
    return "(" + " OR ".join(f"{field} = {int(i)}" for i in ids) + ")"


class RequestTrackerBackend:
    capabilities = frozenset({Capability.CORE, Capability.HANDOFF, Capability.ATTACHMENTS})
    idempotency_keys = False   # see post_message: it looks for its own write before writing again

    def __init__(self, base_url: str, *, workers: int = 4, **http_options: Any) -> None:
        self.http = HttpClient(base_url, **http_options)
        self.base_url = self.http.base_url
        self.workers = workers
        self._me: dict[str, Any] | None = None

    # -- plumbing ----------------------------------------------------------------------------------
    def _json(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None,
              headers: dict[str, str] | None = None) -> Any:
        response = self.http.request(method, REST + path, params=params, json_body=body, headers=headers)
        if not response.content:
            return None
        return self.http.json(response)

    def _collection(self, path: str, *, params: dict[str, Any], body: Any = None, after_id: int = 0,
                    key: str = "id", max_pages: int | None = None,
                    complete: Callable[[list[dict[str, Any]]], bool] | None = None,
                    ) -> tuple[list[dict[str, Any]], bool]:
        """Every item of a REST2 search, paged by id (`after_id`): a page that ACL checks thinned
        out is still followed by the next; an empty page ends it, or a short page once `complete`
        says everything asked for is there (saving a request). (items, more left)."""
        found: list[dict[str, Any]] = []
        pages = 0
        while max_pages is None or pages < max_pages:
            query = params["query"] if body is None else None
            page_params = {**params, "per_page": PAGE, "orderby": key, "order": "ASC"}
            page_body = body
            if body is not None:
                page_body = [*body, {"field": key, "operator": ">", "value": after_id}]
            elif after_id:
                page_params["query"] = f"({query}) AND {key} > {after_id}"
            answer = self._json("POST" if body is not None else "GET", path, params=page_params, body=page_body)
            items = _items(answer)
            pages += 1
            if not items:
                return found, False
            found.extend(items)
            after_id = max(int(item.get(key, 0)) for item in items)
            if len(items) < PAGE and (_last_page(answer) or (complete is not None and complete(found))):
                return found, False
        return found, True

    def _parallel(self, calls: list[Any]) -> list[Any]:
        """Run independent requests side by side (RT with several workers answers them at once)."""
        if len(calls) <= 1 or self.workers <= 1:
            return [call() for call in calls]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(calls)), thread_name_prefix="rt") as pool:
            return list(pool.map(lambda call: call(), calls))

    # -- signing in ------------------------------------------------------------------------------
    def set_token(self, token: str | None) -> None:
        if token is None:
            self.http.authorization = None

    def sign_in(self, username: str, password: str) -> SignIn:
        """`password` is the account's password, or an RT auth token (Settings → Auth Tokens)."""
        if TOKEN_SHAPE.match(password):
            self.http.authorization = f"token {password}"
        else:
            pair = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
            self.http.authorization = f"Basic {pair}"
        try:
            about = self._json("GET", "/rt")
        except Rejected as exc:
            if exc.status == 404:
                raise UnsupportedVersion("this address has no Request Tracker REST2 API (/REST/2.0/)") from exc
            raise
        version = str(about.get("Version", "")) if isinstance(about, dict) else ""
        if not version.startswith(("5.", "6.")):
            raise UnsupportedVersion(f"Request Tracker {version or '(unknown version)'} is not supported; "
                                     "version 5 or newer is needed")
        user = self._json("GET", f"/user/{quote(username, safe='')}")
        if not isinstance(user, dict) or mapping.ref_id(user) is None:
            raise MalformedResponse("Request Tracker did not describe the signed-in user")
        if str(user.get("Privileged")) not in ("1", "True", "true"):   # shown on a single user
            raise PermissionDenied("this Request Tracker account is not a staff (privileged) account")
        agent = {"id": f"u{user['id']}", "username": str(user.get("Name") or username),
                 "name": str(user.get("RealName") or user.get("Name") or username), "role": "agent",
                 "backend": "rt", "backend_version": version}
        self._me = agent
        return SignIn(token="", agent=agent)

    def _my_login(self) -> str:
        return str((self._me or {}).get("username", ""))

    # -- the feed -----------------------------------------------------------------------------------
    def changes(self, cursor: str | None, limit: int = 500) -> ChangeBatch:
        state = _read_cursor(cursor)
        if state is None:
            return self._start()
        if state["phase"] == "snapshot":
            return self._snapshot_page(state)
        return self._follow_log(state)

    def _start(self) -> ChangeBatch:
        """Queues, staff, and where the log stands now (the snapshot is followed by the log from
        here, so nothing that happens during the first sync is missed)."""
        newest = _items(self._json("GET", "/transactions", params={
            "query": "id > 0", "orderby": "id", "order": "DESC", "per_page": 1, "fields": "Type"}))
        high_water = int(newest[0]["id"]) if newest else 0
        queues, merges = self._parallel([
            lambda: _items(self._json("GET", "/queues/all", params={"per_page": PAGE, "fields": "Name,Description"})),
            lambda: self._merges(0),
        ])
        changes: list[dict[str, Any]] = []
        for queue in queues:
            data = mapping.queue_record(queue)
            if data is not None:
                changes.append(_upsert("queue", str(queue["id"]), data))
        if self._me:   # the others come with the tickets they own or answered
            me = self._me
            changes.append(_upsert("agent", me["id"], {
                "username": me["username"], "name": me["name"], "role": "agent", "version": 1,
                "queue_ids": [str(q["id"]) for q in queues], "state": "offline"}))
        state = {"v": 1, "phase": "snapshot", "after": 0, "log": high_water, "holes": {},
                 "merged": merges}
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)

    def _merges(self, after: int) -> dict[str, str]:
        """Merged ticket → the ticket it was merged into (RT keeps the merged one's history)."""
        found, _more = self._collection("/transactions", params={
            "query": "ObjectType = 'RT::Ticket' AND Type = 'AddLink' AND Field = 'MergedInto'",
            "fields": "ObjectId,NewValue"}, after_id=after)
        merges: dict[str, str] = {}
        for txn in found:
            target = MERGE_TARGET.search(str(txn.get("NewValue", "")))
            if target and target.group(1) != str(txn.get("ObjectId")):
                merges[str(txn.get("ObjectId"))] = target.group(1)
        return merges

    def _snapshot_page(self, state: dict[str, Any]) -> ChangeBatch:
        answer = self._json("GET", "/tickets", params={
            "query": f"id > {int(state['after'])}", "orderby": "id", "order": "ASC", "per_page": PAGE,
            **TICKET_PARAMS})
        tickets = _items(answer)
        if not tickets:
            state = {**state, "phase": "log"}
            state.pop("after", None)
            return ChangeBatch(changes=[], cursor=json.dumps(state), has_more=True)
        changes = self._compose(tickets, state["merged"], new_after=0)
        state = {**state, "after": max(int(t["id"]) for t in tickets)}
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=True)

    def _follow_log(self, state: dict[str, Any]) -> ChangeBatch:
        high_water = int(state["log"])
        holes: dict[str, int] = dict(state.get("holes") or {})
        query = f"id > {high_water}"
        if holes:
            query = f"({query} OR {_sql_ids('id', holes)})"
        # A short page ends the scan: rows it might have hidden come with the next pull, which
        # starts from the newest id seen (nothing is skipped by stopping early).
        txns, more = self._collection("/transactions", params={"query": query, "fields": TXN_FIELDS},
                                      max_pages=LOG_PAGES_PER_PULL, complete=lambda _found: True)
        seen = {int(t["id"]) for t in txns}
        newest = max(seen | {high_water})
        for hole in list(holes):
            holes[hole] -= 1
            if int(hole) in seen or holes[hole] <= 0:
                del holes[hole]
        for missing in sorted(set(range(high_water + 1, newest)) - seen)[-MAX_HOLES:]:
            holes[str(missing)] = HOLE_RETRIES
        merged: dict[str, str] = dict(state.get("merged") or {})
        touched: set[str] = set()
        deleted: set[str] = set()
        for txn in txns:
            kind, object_id = str(txn.get("ObjectType", "")), str(txn.get("ObjectId", ""))
            if kind != "RT::Ticket":
                continue
            if txn.get("Type") == "AddLink" and txn.get("Field") == "MergedInto":
                target = MERGE_TARGET.search(str(txn.get("NewValue", "")))
                # RT records the merge on both tickets; the one merged away names the other.
                if target and target.group(1) != object_id:
                    merged[object_id] = target.group(1)
                    deleted.add(object_id)
                    touched.add(target.group(1))
                    continue
            touched.add(merged.get(object_id, object_id))
        changes: list[dict[str, Any]] = []
        if touched:
            tickets = self._tickets_by_id(touched - deleted)
            found = {str(t["id"]) for t in tickets}
            changes.extend(self._compose(tickets, merged, new_after=high_water,
                                         rehomed={s for s, t in merged.items() if s in deleted}))
            # Not returned: deleted, merged away, or moved where this account cannot see it.
            deleted |= (touched - found)
        for ticket_id in sorted(deleted, key=int):
            changes.append({"entity": "conversation", "op": "delete", "id": ticket_id})
        state = {**state, "log": newest, "holes": holes, "merged": merged}
        return ChangeBatch(changes=changes, cursor=json.dumps(state), has_more=more)

    def _tickets_by_id(self, ids: set[str]) -> list[dict[str, Any]]:
        chunks = [sorted(ids, key=int)[i:i + PAGE] for i in range(0, len(ids), PAGE)]
        calls = [lambda chunk=chunk: _items(self._json("GET", "/tickets", params={
            "query": _sql_ids("id", chunk), "per_page": PAGE, **TICKET_PARAMS}))
            for chunk in chunks]
        return [ticket for page in self._parallel(calls) for ticket in page]

    def _compose(self, tickets: list[dict[str, Any]], merged: dict[str, str], *, new_after: int,
                 rehomed: frozenset[str] | set[str] = frozenset()) -> list[dict[str, Any]]:
        """Customers, conversations and messages for these tickets: their transactions (and those of
        tickets merged into them) in bulk, bodies only for messages newer than `new_after` (or
        re-homed by a merge) and for each ticket's last message (its preview)."""
        sources: dict[str, str] = {}   # transaction's ticket → the ticket it shows in
        for ticket in tickets:
            sources[str(ticket["id"])] = str(ticket["id"])
        for source, target in merged.items():
            if target in sources:
                sources[source] = target
        ids = sorted(sources, key=int)
        chunks = [ids[i:i + TICKETS_PER_CHUNK] for i in range(0, len(ids), TICKETS_PER_CHUNK)]
        calls = [lambda chunk=chunk: self._collection("/transactions", params={
            "query": f"ObjectType = 'RT::Ticket' AND {_sql_ids('ObjectId', chunk)}",
            "fields": TXN_FIELDS, "fields[Creator]": USER_FIELDS})[0] for chunk in chunks]
        by_ticket: dict[str, list[dict[str, Any]]] = {}
        for page in self._parallel(calls):
            for txn in page:
                by_ticket.setdefault(sources.get(str(txn.get("ObjectId")), ""), []).append(txn)
        activities: dict[str, mapping.TicketActivity] = {}
        wanted: set[int] = set()
        requestors: dict[str, set[str]] = {}
        for ticket in tickets:
            tid = str(ticket["id"])
            requestors[tid] = {mapping.ref_id(r) or "" for r in ticket.get("Requestor") or () if isinstance(r, dict)}
            act = mapping.activity(by_ticket.get(tid, []), requestors[tid], tid)
            activities[tid] = act
            if act.last_reply_id:
                wanted.add(int(act.last_reply_id))
            for txn in by_ticket.get(tid, []):
                if txn.get("Type") in mapping.MESSAGE_TYPES and (
                        int(txn["id"]) > new_after or str(txn.get("ObjectId")) in rehomed):
                    wanted.add(int(txn["id"]))
        bodies = self._bodies(wanted)
        changes: list[dict[str, Any]] = []
        staff: dict[str, dict[str, Any]] = {}
        for ticket in tickets:
            owner = ticket.get("Owner")
            if isinstance(owner, dict):
                staff[str(owner.get("id"))] = owner
            for txn in by_ticket.get(str(ticket["id"]), []):
                creator = txn.get("Creator")
                if (txn.get("Type") in mapping.MESSAGE_TYPES and isinstance(creator, dict)
                        and mapping.is_staff(creator, requestors[str(ticket["id"])])):
                    staff[str(creator.get("id"))] = creator
        for uid, user in staff.items():
            if str(user.get("Name")) not in mapping.SYSTEM_USERS:
                data = mapping.agent_record(user, [])
                if data is not None:
                    changes.append(_upsert("agent", f"u{uid}", data))
        for ticket in tickets:
            tid = str(ticket["id"])
            if str(ticket.get("Status", "")).lower() == "deleted":
                changes.append({"entity": "conversation", "op": "delete", "id": tid})
                continue
            tier = mapping.custom_field(ticket, "Tier")
            requestor_list = [r for r in ticket.get("Requestor") or () if isinstance(r, dict)]
            for person in requestor_list[:1]:
                data = mapping.customer_record(person, tier)
                if data is not None:
                    changes.append(_upsert("customer", f"u{person['id']}", data))
            if not requestor_list:
                changes.append(_upsert("customer", "u-none", {"name": "(no requestor)", "tier": "standard",
                                                              "version": 1}))
            act = activities[tid]
            last = bodies.get(int(act.last_reply_id)) if act.last_reply_id else None
            preview = last.body if last is not None else ""
            changes.append(_upsert("conversation", tid, mapping.conversation_record(ticket, act, preview)))
            for txn in by_ticket.get(tid, []):
                number = int(txn["id"])
                if number in bodies and txn.get("Type") in mapping.MESSAGE_TYPES and (
                        number > new_after or str(txn.get("ObjectId")) in rehomed):
                    data = mapping.message_record(txn, tid, bodies[number].body, requestors[tid], bodies[number])
                    changes.append(_upsert("message", str(number), data))
        return changes

    def _bodies(self, txn_ids: set[int]) -> dict[int, mapping.MessageParts]:
        """Each transaction's text, HTML and files, fetched in bulk: per chunk, every part's
        metadata (never a file's content) and, beside it, the content of the body parts only."""
        ids = sorted(txn_ids)
        chunks = [ids[i:i + PAGE] for i in range(0, len(ids), PAGE)]

        def every_transaction_in(chunk: list[int]) -> Callable[[list[dict[str, Any]]], bool]:
            asked = set(chunk)
            return lambda found: asked <= {int(mapping.ref_id(a.get("TransactionId")) or 0) for a in found}

        def metadata(chunk: list[int]) -> list[dict[str, Any]]:
            return self._collection("/attachments", params={"fields": PART_FIELDS},
                                    body=[{"field": "TransactionId", "operator": "IN", "value": chunk}],
                                    complete=every_transaction_in(chunk))[0]

        def texts(chunk: list[int]) -> list[dict[str, Any]]:
            return self._collection("/attachments", params={"fields": "TransactionId,ContentType,Content"}, body=[
                {"field": "TransactionId", "operator": "IN", "value": chunk},
                {"field": "ContentType", "operator": "IN", "value": list(mapping.BODY_TYPES)},
                {"field": "Filename", "operator": "IS", "value": "NULL"}],
                complete=every_transaction_in(chunk))[0]

        calls = [partial(fetch, chunk) for chunk in chunks for fetch in (metadata, texts)]
        parts: dict[int, list[dict[str, Any]]] = {}
        contents: dict[str, str] = {}
        for number, page in enumerate(self._parallel(calls)):
            for attachment in page:
                if number % 2:
                    contents[str(attachment["id"])] = str(attachment.get("Content") or "")
                    continue
                txn = mapping.ref_id(attachment.get("TransactionId"))
                if txn is not None:
                    parts.setdefault(int(txn), []).append(attachment)
        return {txn: mapping.message_parts(parts.get(txn, []), contents) for txn in ids}

    def _conversation_now(self, ticket_id: str) -> dict[str, Any] | None:
        tickets = self._tickets_by_id({ticket_id})
        if not tickets:
            return None
        for change in self._compose(tickets, {}, new_after=1 << 62):
            if change["entity"] == "conversation" and change["op"] == "upsert":
                return {"id": ticket_id, **change["data"]}
        return None

    # -- writing ----------------------------------------------------------------------------------
    def post_message(self, conversation_id: str, kind: str, body: str, idempotency_key: str, *,
                     resend_since: str | None = None) -> dict[str, Any]:
        """A reply (Correspond) or note (Comment). After an attempt whose answer was lost
        (`resend_since`), our own transaction with this text is looked for and adopted first."""
        rt_type = "Comment" if kind == "note" else "Correspond"
        if resend_since is not None:
            earlier = self._find_my_message(conversation_id, rt_type, body, resend_since)
            if earlier is not None:
                log.info("an earlier attempt of %s reached Request Tracker (transaction %s)", idempotency_key,
                         earlier["id"])
                return earlier
        verb = "comment" if kind == "note" else "correspond"
        response = self.http.request("POST", f"{REST}/ticket/{int(conversation_id)}/{verb}",
                                     json_body={"ContentType": "text/plain", "Content": body})
        return self._sent(response.headers.get("Location", ""), conversation_id, kind, body, idempotency_key)

    def _sent(self, location: str, conversation_id: str, kind: str, body: str, key: str) -> dict[str, Any]:
        found = re.search(r"/transaction/(\d+)$", location)
        if not found:
            raise MalformedResponse("Request Tracker did not say which transaction it created")
        me = self._me or {}
        return {"id": found.group(1), "conversation_id": str(conversation_id), "kind": kind, "direction": "out",
                "body": body, "created_at": now_iso(), "version": 1,
                "author_id": me.get("id"), "author_name": me.get("name", ""), "idempotency_key": key}

    # -- files ------------------------------------------------------------------------------------
    def max_attachment_bytes(self) -> int:
        """RT's default $MaxAttachmentSize (REST2 does not say the configured one)."""
        return MAX_ATTACHMENT_BYTES

    def send_with_attachments(self, conversation_id: str, kind: str, body: str, key: str, *,
                              files: list[OutgoingFile], body_html: str | None = None,
                              progress: Progress | None = None,
                              resend_since: str | None = None) -> dict[str, Any]:
        """A reply or note with files (base64 in REST2's JSON, streamed from the staged copies) and/or
        an HTML part, which RT then keeps as the message (REST2 takes one body part). Exactly once as
        `post_message`: after a lost answer our transaction with this text and these files is adopted."""
        rt_type = "Comment" if kind == "note" else "Correspond"
        check_sizes(files, self.max_attachment_bytes())
        if resend_since is not None:
            earlier = self._find_my_message(conversation_id, rt_type, body, resend_since, files=files,
                                            body_html=body_html or "")
            if earlier is not None:
                log.info("an earlier attempt of %s reached Request Tracker (transaction %s)", key, earlier["id"])
                return self._with_files(earlier, files)
        fields: dict[str, Any] = {}
        if body_html:
            fields = {"ContentType": "text/html", "Content": body_html}
        elif body:
            fields = {"ContentType": "text/plain", "Content": body}
        parts = json_with_files(fields, "Attachments", files, lambda item: {
            "FileName": mapping.rt_file_name(item.name), "FileType": item.content_type}, "FileContent")
        verb = "comment" if kind == "note" else "correspond"
        response = send_body(self.http, "POST", f"{REST}/ticket/{int(conversation_id)}/{verb}",
                             UploadBody(parts, progress), content_type="application/json")
        message = self._sent(response.headers.get("Location", ""), conversation_id, kind, body, key)
        stored = self._bodies({int(message["id"])})[int(message["id"])]
        return self._with_files({**message, **stored.wire()}, files)

    @staticmethod
    def _with_files(message: dict[str, Any], files: list[OutgoingFile]) -> dict[str, Any]:
        stored = with_our_hashes(list(message.get("attachments") or ()), files)
        return {**message, "attachments": stored} if stored else message

    def download_attachment(self, attachment: Attachment, conversation_id: str, message_id: str,
                            dest: BinaryIO, progress: Progress | None = None) -> None:
        """REST2 serves a part as JSON with its content in base64: decoded as the answer streams in,
        counted against the client's answer cap, hashed (checked when the record carries a hash)."""
        if not attachment.id.isdigit():
            raise Rejected("this is not a Request Tracker attachment", 404)
        cap = self.http.max_body
        if attachment.size > cap:
            raise Rejected(f"the file is larger than {cap // (1024 * 1024)} MB and is not downloaded", 413)
        response = open_download(self.http, f"{REST}/attachment/{int(attachment.id)}", accept="application/json")
        sink = Sink(dest, attachment.size, cap, progress)
        decode_json_field(self.http, response, "Content", sink)
        sink.verify(attachment.sha256)

    def _find_my_message(self, ticket_id: str, rt_type: str, body: str, since: str, *,
                         files: list[OutgoingFile] | None = None, body_html: str = "") -> dict[str, Any] | None:
        cutoff = parse_iso(since) - RESEND_MARGIN
        # RT reads a date in a query in the user's time zone: a day's margin, then exact in UTC here.
        day_before = (cutoff - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
        mine, _more = self._collection("/transactions", params={
            "query": (f"ObjectType = 'RT::Ticket' AND ObjectId = {int(ticket_id)} AND Type = '{rt_type}' "
                      f"AND Creator = '{self._my_login()}' AND Created > '{day_before}'"),
            "fields": TXN_FIELDS, "fields[Creator]": USER_FIELDS})
        candidates = [t for t in mine if parse_iso(str(t.get("Created"))) >= cutoff]
        if not candidates:
            return None
        bodies = self._bodies({int(t["id"]) for t in candidates})
        wanted_files = sorted((f.name, f.size) for f in files or ())
        for txn in sorted(candidates, key=lambda t: int(t["id"])):
            parts = bodies.get(int(txn["id"]), mapping.MessageParts())
            if body_html:
                same = mapping.same_text(mapping.html_as_text(parts.body_html), mapping.html_as_text(body_html))
            else:
                same = not parts.body_html and mapping.same_text(parts.body, body)
            if same and parts.files() == wanted_files:
                data = mapping.message_record(txn, str(ticket_id), body, set(), parts)
                return {"id": str(txn["id"]), **data, "direction": "out"}
        return None

    def transfer(self, conversation_id: str, *, kind: str, queue_id: str | None, assignee_id: str | None,
                 note: str, key: str, resend_since: str | None = None) -> list[Record]:
        """A hand-off: the note as a comment (looked for first, like a reply), then the ticket
        moved to the queue (unowned, for the queue to take) or given to the agent."""
        message = self.post_message(conversation_id, "note", note, key, resend_since=resend_since)
        update: dict[str, Any] = {}
        if queue_id:
            update["Queue"] = str(queue_id)
            update["Owner"] = "Nobody"
        if assignee_id:
            update["Owner"] = assignee_id[1:] if assignee_id.startswith("u") else assignee_id
        if update:
            answer = self._json("PUT", f"/ticket/{int(conversation_id)}", body=update)
            log.info("hand-off of ticket %s: %s", conversation_id, answer)
        found = [Record("message", str(message["id"]),
                        {**message, "event": kind if kind in ("transfer", "escalate") else "transfer",
                         "event_target": queue_id or ""})]
        current = self._conversation_now(conversation_id)
        if current is not None:   # None: moved where this account cannot see it (the pull removes it)
            found.append(Record("conversation", conversation_id, current))
        return found

    def patch_conversation(self, conversation_id: str, fields: dict[str, Any],
                           if_match: int | None) -> dict[str, Any]:
        update = _ticket_update(fields)
        headers = {"If-Match": f'"{if_match}"'} if if_match is not None else None
        try:
            answer = self._json("PUT", f"/ticket/{int(conversation_id)}", body=update, headers=headers)
        except VersionConflict as exc:
            raise VersionConflict(str(exc), self._conversation_now(conversation_id)) from exc
        current = self._conversation_now(conversation_id)
        if current is None:
            raise Rejected("the ticket is no longer visible to this account", 404)
        refused = _not_applied(fields, current)
        if refused:
            messages = "; ".join(str(m) for m in answer) if isinstance(answer, list) else ""
            raise PermissionDenied(f"Request Tracker did not change {', '.join(refused)}"
                                   + (f": {messages[:200]}" if messages else ""))
        return current


def _ticket_update(fields: dict[str, Any]) -> dict[str, Any]:
    update: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "status":
            if value not in mapping.STATUS_TO_RT:
                raise Rejected(f"Request Tracker has no status like {value!r}", 422)
            update["Status"] = mapping.STATUS_TO_RT[value]
        elif name == "priority":
            update["Priority"] = mapping.PRIORITY_TO_RT.get(value, 35)
        elif name == "assignee_id":
            update["Owner"] = str(value)[1:] if isinstance(value, str) and value.startswith("u") else "Nobody"
        elif name == "queue_id":
            update["Queue"] = str(value)
        elif name == "subject":
            update["Subject"] = str(value)
        elif name == "disposition":
            continue   # RT has no wrap-up codes: the status change goes through, the code stays local
        else:
            raise Rejected(f"Request Tracker cannot store {name!r} on a ticket", 422)
    return update


def _not_applied(fields: dict[str, Any], current: dict[str, Any]) -> list[str]:
    return [name for name in ("status", "priority", "assignee_id", "queue_id", "subject")
            if name in fields and current.get(name) != fields[name]]


def _upsert(entity: str, record_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"entity": entity, "op": "upsert", "id": record_id, "data": data}


def _items(answer: Any) -> list[dict[str, Any]]:
    if not isinstance(answer, dict) or not isinstance(answer.get("items"), list):
        raise MalformedResponse("Request Tracker's search answer has no 'items' list")
    return [item for item in answer["items"] if isinstance(item, dict) and mapping.ref_id(item) is not None]


def _last_page(answer: Any) -> bool:
    """True when REST2 says this was the last page (it knows only with rights to count all)."""
    return isinstance(answer, dict) and answer.get("pages") is not None and not answer.get("next_page")


def _read_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        state = json.loads(cursor)
    except ValueError:
        return None
    if not isinstance(state, dict) or state.get("v") != 1 or state.get("phase") not in ("snapshot", "log"):
        return None   # another adapter's cursor, or a damaged one: start again
    return state
