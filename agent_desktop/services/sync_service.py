"""Runs the sync engine in the background on the asyncio (qasync) loop and reports its state.

Pull and push are blocking steps, so they run on a worker thread; the loop only awaits them,
which keeps the GUI thread free. A nudge (a reply queued, the network back) wakes the loop
at once; otherwise it polls every few seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from ..backends.base import AuthRequired, BackendError, MalformedResponse, ServerBusy
from ..store import Database, StoreError, meta
from ..store import outbox as store_outbox
from .events import Event
from .sync_engine import PullResult, PushResult, SyncEngine, backoff_delay

log = logging.getLogger(__name__)

ONLINE = "online"
OFFLINE = "offline"
OFFLINE_RETRY_MAX_S = 5.0
SYNCING = "syncing"
SIGN_IN_REQUIRED = "sign_in_required"
INDEX_GRACE_S = 1.0


@dataclass(frozen=True)
class SyncStatus:
    state: str = SYNCING
    last_sync_at: str | None = None
    queued: int = 0
    failed: int = 0
    error: str | None = None
    first_sync_done: bool = False
    progress_pages: int = 0
    progress_records: int = 0
    # Messages indexed for search / all messages, while a full sync's backlog is being indexed.
    index_done: int = 0
    index_total: int = 0
    # While offline: when (time.time()) the next attempt is made, so the UI can say "in 4 s".
    retry_at: float | None = None
    # Records from the server that could not be read and were skipped, this session (Diagnostics).
    skipped: int = 0
    # Offline because the server could not be reached (True), or because it answered with something
    # unusable (False: a captive portal, a feed that does not move…): the status bar says which.
    unreachable: bool = True

    @property
    def indexing(self) -> bool:
        return self.index_total > 0


class SyncService:
    def __init__(self, db: Database, engine: SyncEngine, *, poll_interval: float = 5.0) -> None:
        self.db = db
        self.engine = engine
        self.poll_interval = poll_interval
        self.status = SyncStatus(last_sync_at=meta.get(db.reader(), meta.LAST_SYNC_AT))
        self.status_changed = Event()      # (SyncStatus)
        self.data_changed = Event()        # (set[str] conversation ids, set[str] entities)
        self.sign_in_required = Event()    # ()
        self.search_index_ready = Event()  # () every message is searchable again
        # (set[str] | None) after each good cycle: the conversations the pull changed, None after
        # the session's first (everything may be new to this process: attachments prefetch all).
        self.synced = Event()
        self._synced_once = False
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._paused_for_auth = False
        self._offline_attempts = 0
        self._index_grace_given = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync")

    # -- control --------------------------------------------------------------------------------
    def start(self) -> None:
        self._wake = asyncio.Event()
        self._refresh_counts()
        self._task = asyncio.get_event_loop().create_task(self._run())

    def nudge(self) -> None:
        """Something to send, or a reason to look for news: sync now instead of at the next poll."""
        if self._wake is not None:
            self._wake.set()

    async def retry_now(self) -> None:
        """The agent asked (F5): every waiting item is tried again at once, backoffs forgotten."""
        await asyncio.wrap_future(self.db.write(store_outbox.retry_all_now))
        self.nudge()

    def resume_after_sign_in(self) -> None:
        self._paused_for_auth = False
        self.nudge()

    async def stop(self) -> None:
        self._stopping = True
        self.nudge()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)

    # -- the loop -------------------------------------------------------------------------------
    async def _run(self) -> None:
        loop = asyncio.get_event_loop()
        while not self._stopping:
            delay = self.poll_interval
            if not self._paused_for_auth:
                try:
                    delay = await self._cycle(loop)
                except Exception:  # an unforeseen failure must not end syncing for the session
                    log.exception("sync cycle failed; retrying")
                    delay = self.poll_interval
            assert self._wake is not None
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.05, delay))
            except TimeoutError:
                pass
            self._wake.clear()

    async def _cycle(self, loop: asyncio.AbstractEventLoop) -> float:
        """One push + pull round; returns how long to sleep before the next."""
        self._set(state=SYNCING if not self.status.first_sync_done else self.status.state)
        waiting: BackendError | None = None   # some items wait (busy, unreadable answer): the pull still runs
        pushed = PushResult()
        try:
            try:
                pushed = await loop.run_in_executor(self._executor, self._push)
                self._announce(pushed.conversation_ids, set())
            except (ServerBusy, MalformedResponse) as exc:
                waiting = exc
            pulled: PullResult = await loop.run_in_executor(self._executor, self._pull)
        except AuthRequired:
            self._paused_for_auth = True
            self._refresh_counts()
            self._set(state=SIGN_IN_REQUIRED, error=None)
            self.sign_in_required.emit()
            return self.poll_interval
        except (BackendError, StoreError, OSError) as exc:
            self._offline_attempts += 1
            self._refresh_counts()
            # A desktop reconnects within seconds of the server's return: a pull is one cheap
            # request, so the wait is capped low (with jitter, so a team does not retry in step).
            retry = min(backoff_delay(self._offline_attempts), OFFLINE_RETRY_MAX_S)
            self._set(state=OFFLINE, error=str(exc), first_sync_done=self.status.first_sync_done,
                      retry_at=time.time() + retry, unreachable=not isinstance(exc, MalformedResponse))
            log.info("sync failed (%s); retrying in %.1f s", exc, retry)
            # Indexing needs no network: offline, it goes on between retries.
            return min(retry, await self._index_step(loop, retry))
        self._offline_attempts = 0
        self._announce(pulled.applied.conversation_ids, pulled.applied.entities)
        self.synced.emit(set(pulled.applied.conversation_ids) if self._synced_once else None)
        self._synced_once = True
        self._refresh_counts()
        retry_at = store_outbox.earliest_retry(self.db.reader()) if waiting is not None else None
        # Online, and honest about what waits: the status bar says why and when it is tried again.
        self._set(state=ONLINE, error=str(waiting) if waiting is not None else None, first_sync_done=True,
                  retry_at=retry_at, last_sync_at=meta.get(self.db.reader(), meta.LAST_SYNC_AT),
                  skipped=self.status.skipped + pulled.applied.invalid)
        if retry_at is not None:
            pushed.retry_at = retry_at
        # After a full sync, message bodies are indexed a chunk per cycle, so a reply sent
        # meanwhile goes out between chunks instead of after all of them. The first chunk waits
        # a moment: the window is catching up with what just arrived, and the indexer (Python
        # per row) would compete with it for the GIL (benchmark: 50 ms stalls right after sync).
        if pulled.applied.applied and not self._index_grace_given and self.engine.has_index_backlog():
            self._index_grace_given = True  # once: a busy feed brings records every cycle
            return INDEX_GRACE_S
        delay = self.poll_interval
        if pushed.retry_at is not None:
            delay = max(0.05, min(self.poll_interval, pushed.retry_at - time.time()))
        return await self._index_step(loop, delay)

    async def _index_step(self, loop: asyncio.AbstractEventLoop, idle_delay: float) -> float:
        """Index one chunk of a full sync's message backlog; the delay before the next cycle."""
        try:
            indexing = await loop.run_in_executor(self._executor, self.engine.index_backlog)
        except (StoreError, OSError) as exc:  # a full disk: search stays partial, retried next cycle
            log.warning("indexing messages for search failed (%s); retrying", exc)
            return max(idle_delay, self.poll_interval)
        if indexing is not None:
            self._set(index_done=indexing[0], index_total=indexing[1])
            return 0.0
        self._index_grace_given = False
        if self.status.indexing:
            self._set(index_done=0, index_total=0)
            self.search_index_ready.emit()
        return idle_delay

    def _push(self) -> PushResult:
        return self.engine.push(should_stop=lambda: self._stopping)

    def _pull(self) -> PullResult:
        def progress(pages: int, records: int) -> None:
            # Runs on the worker thread: hand the figures to the loop thread to announce.
            try:
                loop.call_soon_threadsafe(self._set_progress, pages, records)
            except RuntimeError:
                pass

        loop = self._loop
        return self.engine.pull(progress=progress, should_stop=lambda: self._stopping)

    @property
    def _loop(self) -> asyncio.AbstractEventLoop:
        assert self._task is not None
        return self._task.get_loop()

    # -- reporting ------------------------------------------------------------------------------
    def _set_progress(self, pages: int, records: int) -> None:
        self._set(progress_pages=pages, progress_records=records)
        if not self.status.first_sync_done:
            # A long first sync fills the inbox page by page instead of all at the end.
            self.data_changed.emit(set(), set())

    def _announce(self, conversation_ids: set[str], entities: set[str]) -> None:
        if conversation_ids or entities:
            self.data_changed.emit(set(conversation_ids), set(entities))

    def _refresh_counts(self) -> None:
        counts = store_outbox.counts(self.db.reader())
        failed = counts.get(store_outbox.FAILED, 0) + counts.get(store_outbox.CONFLICT, 0)
        self._set(queued=counts.get(store_outbox.QUEUED, 0), failed=failed)

    def outbox_changed(self) -> None:
        """A local action was queued: show it in the counts and send it now."""
        self._refresh_counts()
        self.nudge()

    def _set(self, **changes: object) -> None:
        new = replace(self.status, **changes)  # type: ignore[arg-type]
        if new != self.status:
            self.status = new
            self.status_changed.emit(new)
