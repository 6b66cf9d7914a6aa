"""First-paint bookkeeping: say once that the agent's work is on screen, open the first row on the
next turn, and freeze the start-up objects out of the collector after the deferred parts are built."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from ..services.sync_service import OFFLINE

if TYPE_CHECKING:   # the window imports this module: annotations only
    from .main_window import MainWindow


def keep_start_up_objects_out_of_gc() -> None:
    """The window, its widgets and every imported module live until the app quits: move them out
    of the collector's reach. Otherwise each full collection, which a sync's stream of records
    triggers every half second, walks them all on whichever thread allocates, holding the GIL:
    20-50 ms GUI stalls while syncing (benchmark), under 20 ms with them frozen. Call it only once
    the window is built (docs/architecture.md, hazards)."""
    gc.freeze()


class FirstPaint:
    """Emits `window.inbox_painted` once, when what the user will work with is on screen."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.done = False
        window.deferred.after_paint_done.connect(keep_start_up_objects_out_of_gc)

    def check(self) -> None:
        """Called after each refresh: painted means synced rows, or the cache (or the empty-state
        explanation) when the server cannot be reached."""
        status = self.window.bridge.status
        if self.done or not (status.first_sync_done or status.state == OFFLINE):
            return
        # The first glance shows what needs an answer first, opened on the next turn: the inbox's
        # repaint and the thread's rendering become two short GUI stalls instead of one ~40 ms one.
        self.done = True
        # The window as the timers' context: closed and deleted first (a quick test, a quit during
        # start-up), they never fire ("Signal source has been deleted").
        QTimer.singleShot(0, self.window, self._open_first_row)
        QTimer.singleShot(0, self.window, self.window.inbox_painted.emit)

    def _open_first_row(self) -> None:
        window = self.window
        if not window.closing and window.conversation.conversation_id is None and window.model.rowCount():
            window.select_row(0)
