"""The window's refresh batching: synced changes gather in a dirty set, and one timer turns a sync's
burst of pages into one refresh, announced by one signal every panel subscribes to."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from ..services.conversations import ConversationService
from .tasks import spawn

log = logging.getLogger(__name__)

REFRESH_DELAY_MS = 250  # sync bursts become one repaint (Electrum's dirty flag + timer)
# Entities that can change the views themselves (queues, names): the whole window refreshes.
EVERYTHING_ENTITIES = frozenset({"queue", "agent", "customer"})


class RefreshCoordinator(QObject):
    """Collects what changed (`mark`) and, REFRESH_DELAY_MS after the first change of a batch,
    emits `refreshed(conversation ids, entities)` once; the entities hold "*" when everything may
    have changed. The view counts are read off the GUI thread on each batch (`counts_ready`)."""

    refreshed = Signal(object, object)   # (conversation ids, entities) of one batch
    counts_ready = Signal(object)        # {view key: count}, the newest request's

    def __init__(self, service: ConversationService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self._dirty_ids: set[str] = set()
        self._dirty_entities: set[str] = set()
        self._dirty_all = False
        self.changes_applied_at = time.perf_counter()   # when the batch being refreshed began
        self._counts_generation = 0
        # One thread (and so one reader connection) for the view counts, however often they are asked for.
        self._counts_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="view-counts")
        self._stopped = False
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._timer.timeout.connect(self._flush)

    def mark(self, conversation_ids: set[str], entities: set[str]) -> None:
        """Changes reached the cache; an empty mark still asks for a refresh (a sync status turn)."""
        if not self._timer.isActive() and not (self._dirty_ids or self._dirty_entities):
            self.changes_applied_at = time.perf_counter()
        self._dirty_ids |= conversation_ids
        self._dirty_entities |= entities
        if entities & EVERYTHING_ENTITIES:
            self._dirty_all = True
        if not self._timer.isActive():
            self._timer.start()

    def pending(self) -> bool:
        """Changes have arrived that the window has not shown yet (the batch timer is running)."""
        return self._timer.isActive() or bool(self._dirty_ids or self._dirty_entities or self._dirty_all)

    def _flush(self) -> None:
        ids, self._dirty_ids = self._dirty_ids, set()
        everything, self._dirty_all = self._dirty_all, False
        entities, self._dirty_entities = self._dirty_entities, set()
        self.load_view_counts()
        self.refreshed.emit(ids, entities | {"*"} if everything else entities)

    def load_view_counts(self) -> None:
        """Count every view off the GUI thread, newest request wins.

        The counts aggregate every open conversation; while a sync applies pages, each SQL call
        on this thread also waits for the GIL behind two busy sync threads (benchmark: 50-70 ms
        stalls when this ran here after every batch).
        """
        self._counts_generation += 1
        generation = self._counts_generation

        def show(counts: dict[str, int]) -> None:
            if generation == self._counts_generation and not self._stopped:
                self.counts_ready.emit(counts)

        async def load() -> dict[str, int]:
            return await asyncio.get_running_loop().run_in_executor(self._counts_executor, self.service.view_counts)

        spawn(load(), on_done=show, on_error=lambda error: log.debug("view counts not read: %s", error))

    def stop(self) -> None:
        """The window is closing: no refresh or count reaches it after this."""
        self._stopped = True
        self._timer.stop()
        self._counts_executor.shutdown(wait=False, cancel_futures=True)
