"""Uploads in flight, per outbox key: how far each has got, and the agent's wish to stop one.

Qt-free. The sync engine asks for a `progress` callback per send; the callback records the
figures, announces them and raises `TransferCancelled` once the agent cancelled that key, which
stops the adapter's upload. Events fire on the thread doing the transfer (the sync worker): a
listener hands them to its own thread (a Qt signal emitted there is queued to the widgets).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ..backends.base import TransferCancelled
from ..backends.protocols import Progress
from .events import Event

SENDING = "sending"
SENT = "sent"
CANCELLED = "cancelled"
FAILED = "failed"


@dataclass(frozen=True)
class Transfer:
    key: str
    sent: int
    total: int
    state: str = SENDING


class Transfers:
    def __init__(self) -> None:
        self.progress_changed = Event()   # (Transfer) while bytes go, and once when it ends
        self._lock = threading.Lock()
        self._active: dict[str, Transfer] = {}
        self._cancelled: set[str] = set()

    def begin(self, key: str, total: int) -> Progress:
        """The callback for one send of `key` (raises TransferCancelled if already cancelled)."""
        with self._lock:
            if key in self._cancelled:
                raise TransferCancelled("the agent cancelled this upload")
            self._active[key] = Transfer(key, 0, total)
        self.progress_changed.emit(Transfer(key, 0, total))

        def progress(sent: int, of: int) -> None:
            with self._lock:
                if key in self._cancelled:
                    raise TransferCancelled("the agent cancelled this upload")
                now = Transfer(key, sent, of or total)
                self._active[key] = now
            self.progress_changed.emit(now)

        return progress

    def end(self, key: str, state: str) -> None:
        """The send of `key` is over (sent, cancelled or failed); a later retry starts afresh."""
        with self._lock:
            last = self._active.pop(key, None)
            self._cancelled.discard(key)
        if last is not None:
            self.progress_changed.emit(Transfer(key, last.sent, last.total, state))

    def cancel(self, key: str) -> bool:
        """Stop `key` at its next progress report (or before it starts). True if it was in flight."""
        with self._lock:
            self._cancelled.add(key)
            return key in self._active

    def is_cancelled(self, key: str) -> bool:
        with self._lock:
            return key in self._cancelled

    def forget_cancel(self, key: str) -> None:
        with self._lock:
            self._cancelled.discard(key)

    def current(self, key: str) -> Transfer | None:
        with self._lock:
            return self._active.get(key)

    def active(self) -> list[Transfer]:
        with self._lock:
            return list(self._active.values())
