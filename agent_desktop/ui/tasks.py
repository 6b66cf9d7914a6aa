"""Starting coroutines from Qt slots without losing them.

qasync tasks that nobody references can be garbage-collected mid-run (STYLE.md), so every task
is kept in a set until it ends, and its failure is reported instead of vanishing. A task started
for a widget names it as `owner`: when the widget is destroyed the task is cancelled and its
callbacks are dropped, so a late answer never touches a deleted C++ object.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

import shiboken6
from PySide6.QtCore import QObject

log = logging.getLogger(__name__)

_running: set[asyncio.Task[Any]] = set()
# What PySide says when Python touches a Qt object whose C++ side is gone.
_DELETED = re.compile(r"Internal C\+\+ object \(.*\) already deleted|Signal source has been deleted")


def spawn(coro: Coroutine[Any, Any, Any], on_error: Callable[[BaseException], object] | None = None,
          on_done: Callable[[Any], object] | None = None, *, owner: QObject | None = None) -> asyncio.Task[Any]:
    """Run `coro`; then `on_done(result)` or `on_error(exception)` (what they return is ignored)."""
    if owner is not None and not shiboken6.isValid(owner):
        # Asked for by a widget that is already gone (a late refresh during teardown): nothing to do.
        coro.close()
        gone: asyncio.Future[Any] = asyncio.get_event_loop().create_future()
        gone.cancel()
        return gone  # type: ignore[return-value]
    task = asyncio.ensure_future(coro)
    _running.add(task)
    connection = owner.destroyed.connect(lambda *_: task.cancel()) if owner is not None else None

    def finished(done: asyncio.Task[Any]) -> None:
        _running.discard(done)
        if owner is not None:
            if not shiboken6.isValid(owner):
                return  # the widget is gone: nothing left to show the answer in
            if connection is not None:
                QObject.disconnect(connection)
        if done.cancelled():
            return
        error = done.exception()
        try:
            if error is not None:
                if on_error is not None:
                    on_error(error)
                else:
                    log.error("background task failed", exc_info=error)
            elif on_done is not None:
                on_done(done.result())
        except RuntimeError as late:
            # A write's answer (it must not be cancelled with its widget, so it has no owner)
            # arriving after the window closed: the widget it would update is gone. Nothing to show.
            if not _DELETED.search(str(late)):
                raise
            log.debug("a late answer found its widget deleted: %s", late)

    task.add_done_callback(finished)
    return task
