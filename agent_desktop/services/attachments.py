"""Files on messages, for the UI: what is cached, fetching and prefetching, staging what the
agent attaches, and the uploads of queued replies (progress and cancel).

Blocking methods (`fetch`, `stage`, `refresh_limits`) run on a worker thread, never the GUI
thread; `local_path`, `max_bytes`, `available` and `cache_bytes` only read and may run anywhere.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..backends.base import (
    Backend,
    BackendError,
    Capability,
    NetworkError,
    TransferCancelled,
    capabilities_of,
)
from ..backends.protocols import Attachments, OutgoingFile, Progress, require
from ..domain.attachments import (
    DEFAULT_MAX_BYTES,
    MAX_NAME_LENGTH,
    SNIFF_BYTES,
    Attachment,
    InvalidAttachment,
    save_name,
    sniff,
)
from ..store import Database, conversation, meta, outbox
from ..store.blobs import DEFAULT_QUOTA, BlobStore, BlobTooLarge
from .transfers import Transfer, Transfers

log = logging.getLogger(__name__)

MAX_BYTES_KEY = "attachments.max_bytes"   # the server's last known limit, for an offline start
# Slack over a file's announced size before a download is cut off (sizes are the server's word).
DOWNLOAD_SLACK = 64 * 1024


class AttachmentsUnavailable(RuntimeError):
    """This server takes no files (the backend lacks Capability.ATTACHMENTS)."""


class AttachmentTooLarge(ValueError):
    """The file is bigger than the server takes; refused before any of it was read."""

    def __init__(self, max_bytes: int, size: int | None = None) -> None:
        super().__init__(f"the file is larger than the server's limit of {max_bytes} bytes")
        self.max_bytes = max_bytes
        self.size = size


class AttachmentService:
    def __init__(self, db: Database, backend: Backend, blobs: BlobStore, *, transfers: Transfers | None = None,
                 agent: dict[str, Any] | None = None, quota: int = DEFAULT_QUOTA) -> None:
        self.db = db
        self.backend = backend
        self.blobs = blobs
        self.transfers = transfers or Transfers()
        self.agent = agent if agent is not None else {}
        self.quota = quota
        self._max_bytes: int | None = None
        self._limits_asked = False
        self._lock = threading.Lock()
        self._fetching: dict[str, Future[Path]] = {}
        # One prefetch worker: prefetching is background work and must never crowd out what the
        # agent opens (fetched on the caller's own worker) or the sync.
        self._prefetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="attachments")
        self._prefetch_wanted: set[str] = set()
        self._prefetch_future: Future[int] | None = None
        self._closed = False

    # -- what the server offers ---------------------------------------------------------------------
    def available(self) -> bool:
        return Capability.ATTACHMENTS in capabilities_of(self.backend)

    def _backend(self) -> Attachments:
        if not self.available():
            raise AttachmentsUnavailable("this server does not support attachments")
        return require(self.backend, Capability.ATTACHMENTS, Attachments)

    def max_bytes(self) -> int:
        """The largest file the server takes: as last learnt from it, else the default. Never blocks
        on the network (`refresh_limits` asks)."""
        if self._max_bytes is None:
            stored = meta.get(self.db.reader(), MAX_BYTES_KEY)
            self._max_bytes = int(stored) if stored and stored.isdigit() else None
        return self._max_bytes or DEFAULT_MAX_BYTES

    def refresh_limits(self) -> int:
        """Ask the server for its limit (blocking) and remember it; offline, the known one stays."""
        try:
            limit = int(self._backend().max_attachment_bytes())
        except (BackendError, AttachmentsUnavailable, ValueError, TypeError) as exc:
            log.info("the attachment limit could not be read (%s); using %d bytes", exc, self.max_bytes())
            return self.max_bytes()
        if limit > 0 and limit != self._max_bytes:
            self._max_bytes = limit
            self.db.write_sync(meta.put, MAX_BYTES_KEY, str(limit))
        return self.max_bytes()

    # -- the cache -------------------------------------------------------------------------------------
    def _sha_of(self, att: Attachment) -> str | None:
        return att.sha256 or self.blobs.sha_of(att.id)

    def local_path(self, att: Attachment) -> Path | None:
        """The cached file of `att`, or None when it is not (yet) on this computer."""
        sha = self._sha_of(att)
        return self.blobs.path(sha) if sha else None

    def cache_bytes(self) -> int:
        return self.blobs.total_bytes()

    def cache_files(self) -> int:
        return self.blobs.count()

    def fetch(self, conversation_id: str, message_id: str, att: Attachment, progress: Progress | None = None) -> Path:
        """The file, downloaded into the cache if needed (blocking). Two callers asking for the
        same file share one download; its sha256, when the server gave one, is verified."""
        found = self.local_path(att)
        if found is not None:
            return found
        key = att.sha256 or f"id:{att.id}"
        with self._lock:
            running = self._fetching.get(key)
            if running is None:
                mine: Future[Path] = Future()
                self._fetching[key] = mine
        if running is not None:
            return running.result()
        try:
            path = self._download(conversation_id, message_id, att, progress)
        except BaseException as exc:
            mine.set_exception(exc)
            raise
        else:
            mine.set_result(path)
            return path
        finally:
            with self._lock:
                self._fetching.pop(key, None)

    def _download(self, conversation_id: str, message_id: str, att: Attachment, progress: Progress | None) -> Path:
        backend = self._backend()
        limit = max(att.size, self.max_bytes()) + DOWNLOAD_SLACK
        # Pinned while it is written and the cache is trimmed: the file just fetched stays.
        with self.blobs.incoming(att.sha256 or None, limit=limit, pin=True) as sink:
            backend.download_attachment(att, conversation_id, message_id, sink, progress)  # type: ignore[arg-type]
        try:
            if not att.sha256:
                self.blobs.remember(att.id, sink.sha256)
            self.blobs.evict(self.quota)
        finally:
            self.blobs.unpin(sink.sha256)
        return self.blobs.file_of(sink.sha256)

    # -- prefetch ----------------------------------------------------------------------------------------
    def prefetch(self, conversation_ids: Iterable[str]) -> Future[int] | None:
        """Download in the background the files of these conversations' messages that are not
        cached yet. Asks made while one runs are merged into the next run. Returns the run's
        Future (how many files it fetched), None when this server has no attachments."""
        if not self.available():
            return None
        with self._lock:
            if self._closed:
                return None
            self._prefetch_wanted.update(conversation_ids)
            if self._prefetch_future is not None and not self._prefetch_future.done():
                return self._prefetch_future
            self._prefetch_future = self._prefetcher.submit(self._prefetch_loop)
            return self._prefetch_future

    def prefetch_assigned(self, changed: Iterable[str] | None = None) -> Future[int] | None:
        """After a sync: prefetch for the agent's open conversations assigned to them (of `changed`
        only, when given). The choice is read on the worker too, never on the caller's thread.
        The Future gives how many files were fetched."""
        if not self.available():
            return None
        ids = None if changed is None else set(changed)
        if (ids is not None and not ids) or self._closed:
            return None
        return self._prefetcher.submit(self._prefetch_choose, ids)

    def _prefetch_choose(self, ids: set[str] | None) -> int:
        if not self._limits_asked:   # once a session, here on the worker: the limit staging checks
            self._limits_asked = True
            self.refresh_limits()
        agent_id = str(self.agent.get("id", ""))
        if not agent_id:
            return 0
        rows = self.db.reader().execute(
            "SELECT id FROM conversations WHERE assignee_id=? AND is_open=1", (agent_id,)).fetchall()
        mine = [row[0] for row in rows if ids is None or row[0] in ids]
        with self._lock:
            self._prefetch_wanted.update(mine)
        return self._prefetch_loop()   # already on the prefetch worker

    def _prefetch_loop(self) -> int:
        fetched = 0
        while True:
            with self._lock:
                wanted, self._prefetch_wanted = self._prefetch_wanted, set()
            if not wanted:
                return fetched
            fetched += self._prefetch_some(sorted(wanted))

    def _prefetch_some(self, conversation_ids: list[str]) -> int:
        # Within the quota: no single file over an eighth of it, at most half of it per run, so a
        # prefetch never pushes out everything the agent looked at before.
        biggest, budget, fetched = self.quota // 8, self.quota // 2, 0
        for cid in conversation_ids:
            for row in conversation.messages(self.db.reader(), cid):
                for att in row["attachments"]:
                    if self._closed:   # the session is closing: the cache goes away
                        return fetched
                    if att.size > biggest or att.size > budget or str(row["id"]).startswith("local:"):
                        continue
                    if self.local_path(att) is not None:
                        continue
                    try:
                        self.fetch(cid, str(row["id"]), att, progress=self._stop_when_closed)
                    except NetworkError as exc:
                        log.info("prefetch stopped: %s", exc)
                        return fetched
                    except (BackendError, OSError) as exc:   # this file only; the next may work
                        log.warning("could not prefetch attachment %s: %s", att.id, exc)
                        continue
                    budget -= att.size
                    fetched += 1
        return fetched

    def _stop_when_closed(self, _done: int, _total: int) -> None:
        if self._closed:
            raise TransferCancelled("the session is closing")

    # -- attaching -----------------------------------------------------------------------------------------
    def stage(self, source: Path | bytes, name: str) -> OutgoingFile:
        """Copy a file (a path, or bytes such as a pasted screenshot) into the cache, pinned until
        sent or discarded, sniffed and hashed. A file over the server's limit is refused before a
        byte of it is read (AttachmentTooLarge); a bad name raises InvalidAttachment; a server that
        takes no files, AttachmentsUnavailable."""
        if not self.available():
            raise AttachmentsUnavailable("this server does not support attachments")
        clean = _outgoing_name(name)
        limit = self._limit_for_staging()
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            if len(data) > limit:
                raise AttachmentTooLarge(limit, len(data))
            sha, size = self.blobs.put_bytes(data, pin=True)
        else:
            sha, size = self._stage_file(Path(source), limit)
        try:
            path = self.blobs.file_of(sha)
            with open(path, "rb") as stored:
                content_type = sniff(stored.read(SNIFF_BYTES))
            self.blobs.evict(self.quota)
        except BaseException:
            self.blobs.unpin(sha)
            raise
        return OutgoingFile(path=str(path), name=clean, size=size, content_type=content_type, sha256=sha)

    def _limit_for_staging(self) -> int:
        """The server's own limit when it can be had (staging runs on a worker anyway): a file the
        server would refuse is better refused now, while the agent is still attaching it."""
        if not self._limits_asked:
            self._limits_asked = True
            return self.refresh_limits()
        return self.max_bytes()

    def _stage_file(self, path: Path, limit: int) -> tuple[str, int]:
        try:
            info = path.stat()
        except OSError as exc:
            raise InvalidAttachment(f"cannot read {path.name}: {exc.strerror or exc}") from exc
        if not stat.S_ISREG(info.st_mode):   # a folder, a device or a pipe (reading one would block)
            raise InvalidAttachment(f"{path.name} is not a file")
        if info.st_size > limit:
            raise AttachmentTooLarge(limit, info.st_size)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(path, flags), "rb") as src:
            # The limit again while copying: a file growing after the check is still refused.
            try:
                return self.blobs.put_stream(src, limit=limit, pin=True)
            except BlobTooLarge as exc:
                raise AttachmentTooLarge(limit) from exc

    def discard(self, staged: OutgoingFile) -> None:
        """The agent removed a staged file before sending: it may be evicted again."""
        self.blobs.unpin(staged.sha256)

    # -- uploads of queued replies -------------------------------------------------------------------------
    @property
    def upload_progress(self):   # noqa: ANN201 - an Event of (Transfer); see services/transfers.py
        return self.transfers.progress_changed

    def upload(self, key: str) -> Transfer | None:
        """How far the upload of outbox item `key` is, while it runs."""
        return self.transfers.current(key)

    def cancel(self, key: str) -> None:
        """Stop the upload of outbox item `key`: it stays in the outbox as failed ("cancelled"),
        with its files, for the agent to retry or discard."""
        if self.transfers.cancel(key):
            return   # in flight: its next progress report stops it, and the engine marks it
        self.db.write_sync(outbox.mark_cancelled, key)
        self.transfers.forget_cancel(key)

    def close(self) -> None:
        """Stop prefetching: a download under way stops at its next chunk, none starts after. Not
        waited for (a stalled network must not hold the window's close)."""
        with self._lock:
            self._closed = True
        self._prefetcher.shutdown(wait=False, cancel_futures=True)


def _outgoing_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip() or "\x00" in name or len(name) > 4 * MAX_NAME_LENGTH:
        raise InvalidAttachment("the file needs a name")
    # Safe wherever the recipient saves it: no folders, invisible or reserved characters.
    return save_name(name)


__all__ = ["AttachmentService", "AttachmentTooLarge", "AttachmentsUnavailable", "InvalidAttachment",
           "OutgoingFile", "Transfer"]
