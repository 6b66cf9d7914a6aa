"""A minimal observer: services announce, the UI bridge turns announcements into Qt signals.

Callbacks run on the thread that emits; the services emit only on the event-loop thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Event:
    def __init__(self) -> None:
        self._handlers: list[Callable[..., Any]] = []

    def connect(self, handler: Callable[..., Any]) -> None:
        self._handlers.append(handler)

    def disconnect(self, handler: Callable[..., Any]) -> None:
        self._handlers.remove(handler)

    def emit(self, *args: Any) -> None:
        for handler in list(self._handlers):
            handler(*args)
