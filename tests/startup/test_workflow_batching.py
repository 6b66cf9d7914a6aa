"""Workflow wiring follows the window's batched refresh, not every synced page."""

from __future__ import annotations

from tests.ui.conftest import run_until


def test_a_burst_of_synced_pages_runs_the_screen_pop_query_once(open_window, loop):
    opened = open_window()
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.model.rowCount() > 0)
    # No sync can bring more while the batch is judged; the first sync's last refresh has gone out.
    loop.run_until_complete(opened.session.sync.stop())
    run_until(loop, lambda: not window.refresh_pending())
    controller = window.workflow_parts.controller
    queries: list[int] = []
    real = controller._my_live_conversations
    controller._my_live_conversations = lambda: queries.append(1) or real()
    seen: list[tuple[set[str], set[str]]] = []
    window.refresher.refreshed.connect(lambda ids, entities: seen.append((set(ids), set(entities))))
    some = window.model.conversation_id(0)
    for page in range(10):   # ten pages of a sync arriving within one refresh delay
        opened.bridge.data_changed.emit({some} if page == 0 else set(), {"offer"} if page == 3 else set())
    run_until(loop, lambda: bool(seen) and not window.refresh_pending())
    assert len(queries) == 1
    # The batch carries what the pages brought: the conversation and the synced entities.
    assert seen == [({some}, {"offer"})]
