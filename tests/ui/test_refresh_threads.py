"""While a sync applies pages, the window's batched refresh runs its aggregate queries off the
GUI thread (each SQL call here would wait for the GIL behind the busy sync threads)."""

from __future__ import annotations

import threading

from agent_desktop.store.inbox import ALL_OPEN
from tests.ui.conftest import run_until


def test_view_counts_after_each_sync_batch_are_read_off_the_gui_thread(open_window, loop):
    opened = open_window()
    window = opened.window
    service = window.service
    read_on: list[str] = []
    real = service.view_counts

    def recording() -> dict[str, int]:
        read_on.append(threading.current_thread().name)
        return real()

    service.view_counts = recording  # type: ignore[method-assign]
    run_until(loop, lambda: opened.bridge.status.first_sync_done and bool(read_on))
    all_open = window.views._items[ALL_OPEN]
    run_until(loop, lambda: all_open.text(1) not in ("", "0"))  # the counts reached the list
    assert threading.main_thread().name not in read_on
