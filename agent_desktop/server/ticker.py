"""A daemon thread that runs a subclass's `_run` loop until stopped (the demo's background traffic).

Subclasses loop on `while not self._stop.wait(self.interval): …`.
"""

from __future__ import annotations

import threading


class Ticker:
    thread_name = "ticker"

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:  # pragma: no cover - always overridden
        raise NotImplementedError

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
