"""Pull and push, as plain blocking steps (run on worker threads by SyncService, or by tests).

Pull: every page of the changes feed is applied together with its cursor in one transaction,
so a crash between pages loses nothing and repeats nothing. Push: outbox items go out oldest
first, each with its idempotency key; the server's answer and the removal of the item are
committed together, so a crash after the server acted resends the same key and gets the same
answer back, never a second message.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any

from ..backends.base import (
    AuthRequired,
    Backend,
    BackendError,
    Capability,
    ChangeBatch,
    CursorExpired,
    MalformedResponse,
    NetworkError,
    Rejected,
    ServerBusy,
    TransferCancelled,
    Unsupported,
    VersionConflict,
    capabilities_of,
    sends_idempotently,
)
from ..backends.protocols import Attachments, OutgoingFile, require
from ..domain import concurrency
from ..domain.attachments import OCTET_STREAM
from ..domain.records import InvalidRecord, parse_conversation, parse_message
from ..store import Database, blobs, fts, meta, outbox, records
from ..store import changes as store_changes
from ..store.blobs import BlobStore
from . import transfers
from .features import Action, Feature, default_features, feed_schema
from .transfers import Transfers

log = logging.getLogger(__name__)

MAX_BACKOFF = 60.0


def backoff_delay(attempts: int, rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with jitter: 1, 2, 4 … 60 s, each ±25 %."""
    base = min(MAX_BACKOFF, 2.0 ** attempts)
    return base * (0.75 + 0.5 * rng())


@dataclass
class PullResult:
    pages: int = 0
    applied: store_changes.ApplyResult = field(default_factory=store_changes.ApplyResult)
    resynced: bool = False


@dataclass
class PushResult:
    sent: int = 0
    failed: int = 0
    conflicts: int = 0
    retry_at: float | None = None
    conversation_ids: set[str] = field(default_factory=set)


def reset_core_for_resync(conn) -> None:
    """The core feature's resync hook: its search indexes (the schema then empties the tables,
    keeping our unsent messages, whose outbox items still hold them)."""
    conn.execute("DELETE FROM messages WHERE pending = 0")
    fts.start_backlog(conn)  # our unsent messages are indexed again with everything else
    for table in ("customers_fts", "conversations_fts"):
        conn.execute(f"INSERT INTO {table}({table}) VALUES('delete-all')")
    conn.execute("DELETE FROM customers_rowid")
    conn.execute("DELETE FROM conversations_rowid")


def _apply_page(conn, schema: store_changes.FeedSchema, batch: ChangeBatch, reset: bool,
                full: bool) -> store_changes.ApplyResult:
    if reset:
        schema.reset(conn)   # every feature's tables; the outbox, drafts and unsent work stay
        meta.put(conn, meta.CURSOR, None)
    elif full:
        fts.start_backlog(conn)
    # While the message index lags (a full sync, or one cut short), rows past it are written unindexed.
    upto = fts.indexed_upto(conn)
    with fts.backlog_known(upto):
        return schema.apply_batch(conn, batch.changes, batch.cursor, bulk_messages=upto == 0)


# A ticket change is re-based onto a conversation that moved under it (a customer wrote) this
# many times per send before it waits for the next cycle.
REBASE_ATTEMPTS = 3


# Messages indexed per write transaction after a full sync: ~0.2 s each, so a reply the agent
# sends meanwhile waits at most that long for the writer.
INDEX_CHUNK = 10_000


# Changes per page: 1,000 overlaps download and apply best (500 doubles round trips and commits,
# 2,000 leaves too little to pipeline; docs/performance.md).
PAGE_SIZE = 1000


class SyncEngine:
    def __init__(self, db: Database, backend: Backend, *, page_size: int = PAGE_SIZE,
                 clock: Callable[[], float] = time.time,
                 features: Sequence[Feature] | Callable[[], Sequence[Feature]] = default_features,
                 blobs: BlobStore | None = None, transfers: Transfers | None = None) -> None:
        """`features`: what this app syncs (services.features), or a function giving them on the
        first pull or push: the feature modules then load on the sync thread, not before the
        first paint. `blobs`: the attachment cache replies' files are sent from; `transfers`:
        where their upload progress is reported and cancelled."""
        self.db = db
        self.blobs = blobs
        self.transfers = transfers or Transfers()
        self.backend = backend
        self.page_size = page_size
        self.clock = clock
        self._features = features
        self._loaded: tuple[store_changes.FeedSchema, dict[str, Action]] | None = None
        self._loading = threading.Lock()

    def _load(self) -> tuple[store_changes.FeedSchema, dict[str, Action]]:
        with self._loading:
            if self._loaded is None:
                features = tuple(self._features() if callable(self._features) else self._features)
                self._loaded = (feed_schema(features),
                                {action.name: action for feature in features for action in feature.actions})
            return self._loaded

    @property
    def schema(self) -> store_changes.FeedSchema:
        """The feed's entities, as the store applies them."""
        return self._loaded[0] if self._loaded is not None else self._load()[0]

    @property
    def actions(self) -> dict[str, Action]:
        """Outbox action name → how it is sent and what it needs."""
        return self._loaded[1] if self._loaded is not None else self._load()[1]

    # -- pull -----------------------------------------------------------------------------------
    def pull(self, progress: Callable[[int, int], None] | None = None,
             should_stop: Callable[[], bool] = lambda: False) -> PullResult:
        """Fetch and apply pages until the feed is drained. Raises BackendError when offline.

        Page N+1 downloads while the writer thread applies page N (each page with its cursor in
        one transaction, in order). A full sync leaves message indexing to `index_backlog`.
        """
        result = PullResult()
        cursor = meta.get(self.db.reader(), meta.CURSOR)
        full, reset = cursor is None, False
        applying: Future[store_changes.ApplyResult] | None = None

        def settle() -> None:
            nonlocal applying
            if applying is not None:
                done, applying = applying, None
                result.applied.merge(done.result())
                result.pages += 1
                if progress is not None:
                    progress(result.pages, result.applied.applied)

        try:
            while not should_stop():
                try:
                    batch = self.backend.changes(cursor, self.page_size)
                except CursorExpired:
                    settle()
                    if result.resynced:
                        raise
                    log.warning("the server expired our sync cursor; resyncing everything")
                    result.resynced, reset, full, cursor = True, True, False, None
                    continue
                settle()  # one page in flight at a time: bounded memory, errors surface in order
                stuck = batch.has_more and batch.cursor is not None and batch.cursor == cursor
                applying = self.db.write(_apply_page, self.schema, batch, reset, full)
                reset = full = False
                if stuck:
                    # "More", from where we already are: asking again would loop hot for ever.
                    raise MalformedResponse("the server keeps sending the same page of changes (its cursor does "
                                            "not move); trying again later")
                if batch.cursor is not None:
                    cursor = batch.cursor
                if not batch.has_more or batch.cursor is None:
                    break
        except BaseException:
            try:
                settle()  # the page in flight still lands; the first error is the one to report
            except Exception as exc:  # noqa: BLE001 - logged, the error being raised says what stopped the pull
                log.warning("applying the last page of the pull failed too: %s", exc)
            raise
        settle()
        return result

    def has_index_backlog(self) -> bool:
        return fts.indexed_upto(self.db.reader()) is not None

    def index_backlog(self, limit: int | None = None) -> tuple[int, int] | None:
        """Index the next chunk of messages a full sync left unindexed.

        Returns (indexed, total) while some remain, None when search covers every message.
        """
        if fts.indexed_upto(self.db.reader()) is None:
            return None
        return self.db.write_sync(fts.index_backlog, limit or INDEX_CHUNK)

    # -- push -----------------------------------------------------------------------------------
    def push(self, should_stop: Callable[[], bool] = lambda: False) -> PushResult:
        """Send ready outbox items in order. Network trouble stops the drain and schedules a retry.

        Raises AuthRequired (the caller pauses and asks the user to sign in; the item stays queued).
        """
        result = PushResult()
        held: list[str] = []   # conversations whose head must wait: their later items wait too
        deferred: BackendError | None = None   # raised once the other conversations went out
        while not should_stop():
            item = outbox.next_ready(self.db.reader(), self.clock(), tuple(held))
            if item is None:
                result.retry_at = outbox.earliest_retry(self.db.reader())
                if deferred is not None:
                    raise deferred   # the status says why those wait; the rest went out meanwhile
                return result
            try:
                self._send(item)
            except TransferCancelled:
                # The agent stopped the upload: the reply waits, failed, with its files, to be
                # retried or discarded (never silently dropped, never half sent: nothing was posted).
                self.transfers.forget_cancel(item.key)   # a retry starts afresh
                self._refuse(item, outbox.CANCELLED_REASON)
                result.failed += 1
            except AuthRequired:
                raise
            except NetworkError as exc:
                # The network is down for every item alike: stop, retry this one first. No wait of
                # its own: the sync service's offline backoff paces the next try (one request per
                # cycle), so when the network returns the item goes with that cycle instead of
                # sitting out a backoff that grew while offline (up to a minute after reconnecting).
                self.db.write_sync(outbox.mark_retry, item.key, 0.0, str(exc))
                raise
            except (ServerBusy, MalformedResponse, InvalidRecord) as exc:
                # Busy (5xx, 429) or an answer we could not read (the server may have acted): this
                # item waits, under the same idempotency key, so a retry can never act twice; items
                # of other conversations go on meanwhile.
                retry_after = exc.retry_after if isinstance(exc, ServerBusy) else None
                delay = retry_after if retry_after is not None else backoff_delay(item.attempts)
                reason = str(exc) if isinstance(exc, ServerBusy) else f"the server's answer could not be read: {exc}"
                self.db.write_sync(outbox.mark_retry, item.key, self.clock() + delay, reason[:300])
                held.append(item.conversation_id)
                if deferred is None:
                    deferred = exc if isinstance(exc, BackendError) else MalformedResponse(reason)
            except VersionConflict as exc:
                if self._conflict(item, exc):
                    result.sent += 1
                else:
                    result.conflicts += 1
            except (Rejected, Unsupported) as exc:
                log.warning("the server refused outbox item %s: %s", item.key, exc)
                self._refuse(item, str(exc))
                result.failed += 1
            except Exception as exc:  # noqa: BLE001 - one item's surprise must not stop the outbox or the pull
                # An adapter's bug, an answer of an unforeseen shape: this item fails visibly, with a
                # reason; the items behind it and the pull go on.
                log.exception("outbox item %s (%s) could not be sent", item.key, item.action)
                self._refuse(item, f"could not be sent: {type(exc).__name__}: {exc}"[:300])
                result.failed += 1
            else:
                result.sent += 1
            result.conversation_ids.add(item.conversation_id)
        return result

    def _refuse(self, item: outbox.OutboxItem, error: str) -> None:
        def refuse(conn):
            outbox.mark_failed(conn, item.key, error)
            records.restore_server_state(conn, item.conversation_id)

        self.db.write_sync(refuse)

    def _send(self, item: outbox.OutboxItem) -> None:
        action = self.actions.get(item.action)
        if action is None:
            raise Rejected(f"unknown outbox action {item.action!r}", 400)
        if action.needs not in capabilities_of(self.backend):
            raise Unsupported(f"this server does not support {action.needs.value.replace('_', ' ')}")
        action.send(self, item)

    def resend_hint(self, item: outbox.OutboxItem) -> dict[str, Any]:
        """Keyword arguments for a write that must land once. A backend with idempotency keys needs
        none. One without (RT, Chatwoot) gets `resend_since`: the start is stored before the request,
        so an attempt after a lost answer or a kill knows to look for its own earlier write first."""
        if sends_idempotently(self.backend):
            return {}
        self.db.write_sync(outbox.mark_send_started, item.key)
        return {"resend_since": item.send_started_at}

    def _send_message(self, item: outbox.OutboxItem) -> None:
        files = outbox.files_of(item.payload)
        body_html = item.payload.get("body_html") or ""
        rich = Capability.ATTACHMENTS in capabilities_of(self.backend)
        if files and not rich:
            raise Unsupported("this server does not take attached files")
        if rich and (files or body_html):
            answer = self._send_with_files(item, files, body_html)
        else:   # an HTML reply to a server without HTML: its plain-text part goes
            answer = self.backend.post_message(item.conversation_id, item.payload["kind"], item.payload["body"],
                                               item.key, **self.resend_hint(item))
        self._store_sent_message(item, answer, files)

    def _send_with_files(self, item: outbox.OutboxItem, files: list[dict[str, Any]], body_html: str) -> dict[str, Any]:
        outgoing = [self._outgoing(file) for file in files]
        backend = require(self.backend, Capability.ATTACHMENTS, Attachments)
        hint = self.resend_hint(item)
        progress = self.transfers.begin(item.key, sum(f.size for f in outgoing))
        state = transfers.FAILED
        try:
            answer = backend.send_with_attachments(item.conversation_id, item.payload["kind"], item.payload["body"],
                                                   item.key, files=outgoing, body_html=body_html or None,
                                                   progress=progress, **hint)
            state = transfers.SENT
            return answer
        except TransferCancelled:
            state = transfers.CANCELLED
            raise
        except BackendError as exc:
            # An adapter may wrap the callback's TransferCancelled (a streamed body aborts as a
            # connection error): the agent's cancel is still what stopped it.
            if self.transfers.is_cancelled(item.key):
                state = transfers.CANCELLED
                raise TransferCancelled("the agent cancelled this upload") from exc
            raise
        finally:
            self.transfers.end(item.key, state)

    def _outgoing(self, file: dict[str, Any]) -> OutgoingFile:
        sha = str(file["sha256"])
        path = self.blobs.file_of(sha) if self.blobs is not None and blobs.valid_sha(sha) else None
        if path is None or not path.is_file():
            raise Rejected(f"the attached file {str(file.get('name'))!r:.80} is no longer on this computer; "
                           "discard this reply and attach the file again", 410)
        return OutgoingFile(path=str(path), name=str(file.get("name") or "attachment"), size=int(file["size"]),
                            content_type=str(file.get("content_type") or OCTET_STREAM), sha256=sha)

    def _store_sent_message(self, item: outbox.OutboxItem, answer: dict[str, Any],
                            files: list[dict[str, Any]]) -> None:
        message = parse_message(str(answer.get("id", "")), answer)
        if message.idempotency_key != item.key:
            # The local "waiting to send…" copy is found by our key, whether or not the answer echoes it.
            message = replace(message, idempotency_key=item.key)
        conversation = answer.get("conversation")
        parsed_conversation = (parse_conversation(str(conversation.get("id", "")), conversation)
                               if isinstance(conversation, dict) else None)

        def commit(conn):
            outbox.mark_sent(conn, item.key)
            records.write_message(conn, message)
            for file in files:   # sent: the cache may evict them again like any other file
                blobs.pin_in(conn, file["sha256"], -1)
            if parsed_conversation is not None:
                self._rebase_and_store(conn, parsed_conversation)

        self.db.write_sync(commit)

    def _send_patch(self, item: outbox.OutboxItem) -> None:
        if item.base_state is None:
            return self._send_patch_whole(item)   # queued by a build before per-field concurrency
        server = records.server_state(self.db.reader(), item.conversation_id)
        for _attempt in range(REBASE_ATTEMPTS):
            if server is None:
                raise Rejected("the conversation is no longer on the server", 404)
            send, clashes = concurrency.rebase(item.payload, item.base_state, server)
            if clashes:
                raise VersionConflict(f"changed on the server meanwhile: {', '.join(clashes)}", server)
            if concurrency.already_in(send, server):
                self.db.write_sync(outbox.mark_sent, item.key)   # our earlier attempt got through
                return
            try:
                answer = self.backend.patch_conversation(item.conversation_id, send, server.get("version"))
            except VersionConflict as exc:
                # Someone or something (a customer's message) moved the version: compare fields again
                # on the state the server sent back, and go again if none of ours clashes. The cache
                # learns that state first, so the changes queued behind this one compare with it too.
                if exc.current is None:
                    raise
                server = exc.current
                self._learn(item.conversation_id, server)
                continue
            conversation = parse_conversation(str(answer.get("id", item.conversation_id)), answer)

            def commit(conn, conversation=conversation):
                outbox.mark_sent(conn, item.key)
                records.write_conversation(conn, conversation)

            self.db.write_sync(commit)
            return
        raise ServerBusy("the conversation kept changing while this change was sent; trying again later", None)

    def _learn(self, conversation_id: str, state: dict[str, Any]) -> None:
        """Store a newer server state of the conversation met while pushing (a 412's `current`)."""
        try:
            conversation = parse_conversation(str(state.get("id", conversation_id)), state)
        except InvalidRecord:
            return   # unreadable: the next pull brings it
        self.db.write_sync(records.write_conversation, conversation)

    def _send_patch_whole(self, item: outbox.OutboxItem) -> None:
        answer = self.backend.patch_conversation(item.conversation_id, item.payload, item.base_version)
        conversation = parse_conversation(str(answer.get("id", item.conversation_id)), answer)

        def commit(conn):
            outbox.mark_sent(conn, item.key)
            if item.base_version is not None:
                # Accepted under If-Match: the answer's version is the one right after ours, whatever
                # the tokens look like. Later patches queued on our base now build on it.
                conn.execute("UPDATE outbox SET base_version=? WHERE conversation_id=? AND action='patch' "
                             "AND state='queued' AND base_version=?",
                             (conversation.version, conversation.id, item.base_version))
            records.write_conversation(conn, conversation)

        self.db.write_sync(commit)

    @staticmethod
    def _rebase_and_store(conn, conversation) -> None:
        """After our reply: the reference server moves the version by one per change, so later
        queued patches build on the new one. (An assumption about one backend's tokens: per-field
        base values, issue 14, replace it.)"""
        row = conn.execute("SELECT version FROM conversations WHERE id=?", (conversation.id,)).fetchone()
        if row is not None and conversation.version == row[0] + 1:
            conn.execute(
                "UPDATE outbox SET base_version=? WHERE conversation_id=? AND action='patch' "
                "AND state='queued' AND base_version=?", (conversation.version, conversation.id, row[0]))
        records.write_conversation(conn, conversation)

    def _conflict(self, item: outbox.OutboxItem, exc: VersionConflict) -> bool:
        """Keep the agent's change visible as a conflict and show the server's state meanwhile.

        Returns True when it was no conflict at all: the server already holds exactly what this
        change asks for — our own PATCH committed, but its answer was lost (dropped, cut off,
        timed out, or the process was killed) and the retry's If-Match is now one version behind.
        """
        current = None
        if exc.current is not None:
            try:
                current = parse_conversation(str(exc.current.get("id", item.conversation_id)), exc.current)
            except InvalidRecord:
                current = None
        server_now = exc.current or {}
        if (current is not None and item.action == "patch" and item.payload
                and concurrency.already_in(item.payload, server_now)):
            def already_applied(conn, current=current):
                outbox.mark_sent(conn, item.key)
                self._rebase_and_store(conn, current)

            self.db.write_sync(already_applied)
            return True

        def commit(conn):
            outbox.mark_failed(conn, item.key, str(exc), state=outbox.CONFLICT, server_state=exc.current)
            if current is not None:
                records.write_conversation(conn, current)

        self.db.write_sync(commit)
        return False


__all__ = ["SyncEngine", "PullResult", "PushResult", "BackendError", "backoff_delay"]
