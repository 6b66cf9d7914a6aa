"""The dashboard in a real window (pytest-qt, real server): tiles, thresholds, stale, drill-down, no stalls."""

from __future__ import annotations

import threading

from PySide6.QtCore import QTimer

from agent_desktop.backends.base import NetworkError
from agent_desktop.domain import metrics as m
from tests.ui.conftest import run_until


def _dashboard(open_window, loop, user: str = "lead1"):
    opened = open_window(user)
    window = opened.window
    window.show_dashboard()
    view = window.dashboard
    run_until(loop, lambda: window.bridge.status.first_sync_done)
    view.refresh()  # numbers of the synced state (the first refresh may beat the first sync)
    run_until(loop, lambda: view.snapshot is not None and view.snapshot.queues and not view._running)
    return opened, view


def test_lead_sees_tiles_for_every_queue_with_state_in_words_and_icon(open_window, loop) -> None:
    opened, view = _dashboard(open_window, loop)
    assert opened.window.dashboard_action.isVisible()
    assert opened.window.main_stack.currentWidget() is view
    queues = {q["queue_id"] for q in view.snapshot.queues}
    assert set(view.tiles.tiles) == queues >= {"q-presales", "q-aftersales", "q-complaints", "q-key-accounts"}
    tile = view.tiles.tiles["q-presales"]
    assert tile.state_text.text() in ("On target", "Warning", "Critical")
    assert not tile.state_icon.pixmap().isNull()
    assert tile.values["service_level"].text().rstrip(" ▲").endswith("%")
    assert view.updated.text().startswith("updated")
    assert view.agents.rowCount() >= 10
    assert view.charts.points and len(view.charts.points) == len(view.snapshot.queues[0]["hourly"])


def test_a_tile_changes_state_when_its_threshold_is_crossed(open_window, loop) -> None:
    _opened, view = _dashboard(open_window, loop)
    service = view.service
    queue = next(q for q in view.snapshot.queues if q["queue_id"] == "q-presales")
    waiting = queue["metrics"]["contacts_waiting"]
    assert waiting > 0
    quiet = {metric: m.Threshold() for metric in m.METRICS}
    tile = view.tiles.tiles["q-presales"]

    def apply(thresholds):
        loop.run_until_complete(service.set_thresholds("q-presales", thresholds))
        view.show_snapshot(view.snapshot)

    apply({**quiet, "contacts_waiting": m.Threshold(warning=waiting, critical=waiting + 5)})  # exactly met
    assert tile.level == m.Level.OK and tile.property("level") == "ok" and tile.state_text.text() == "On target"
    apply({**quiet, "contacts_waiting": m.Threshold(warning=waiting - 1, critical=waiting + 5)})
    assert tile.level == m.Level.WARNING and tile.property("level") == "warning"
    assert tile.state_text.text() == "Warning" and "▲" in tile.values["contacts_waiting"].text()
    apply({**quiet, "contacts_waiting": m.Threshold(warning=0, critical=waiting - 1)})
    assert tile.level == m.Level.CRITICAL and tile.state_text.text() == "Critical"
    # Saved in the cache: a new service (next start) reads the same thresholds.
    from agent_desktop.services.dashboard import DashboardService
    again = DashboardService(service.db, service.backend, service.agent)
    assert again.thresholds_for("q-presales")["contacts_waiting"] == m.Threshold(0, waiting - 1)


def test_refresh_never_stalls_the_gui_thread(open_window, loop) -> None:
    """The server call of a refresh runs off the GUI thread, and the GUI thread keeps turning
    while it is in flight: the call is held until the GUI thread has handled five timer ticks.
    (No clock is judged: a refresh that blocked the GUI thread would never see the ticks.)"""
    _opened, view = _dashboard(open_window, loop)
    backend = view.service.backend
    real_call = backend.queue_stats
    gui_thread = threading.get_ident()
    call_threads: list[int] = []
    ticks_in_flight = [0]
    in_flight = threading.Event()
    gui_kept_turning = threading.Event()

    def held_call(*args, **kwargs):
        call_threads.append(threading.get_ident())
        in_flight.set()
        # A slow server: answered only once the GUI thread proved it is still running.
        gui_kept_turning.wait(timeout=20)
        return real_call(*args, **kwargs)

    def tick() -> None:
        if in_flight.is_set():
            ticks_in_flight[0] += 1
            if ticks_in_flight[0] >= 5:
                gui_kept_turning.set()

    heartbeat = QTimer(interval=10)
    heartbeat.timeout.connect(tick)
    backend.queue_stats = held_call
    heartbeat.start()
    try:
        before = view.snapshot
        view.refresh()
        run_until(loop, lambda: view.snapshot is not before, timeout=30)
    finally:
        heartbeat.stop()
        backend.queue_stats = real_call
    assert call_threads and gui_thread not in call_threads
    assert gui_kept_turning.is_set(), "the GUI thread did not run while the server call was in flight"


def test_offline_tiles_come_from_the_cache_and_are_marked_stale(open_window, loop) -> None:
    _opened, view = _dashboard(open_window, loop)
    online = {q["queue_id"]: q["metrics"] for q in view.snapshot.queues}

    def offline(*_args, **_kwargs):
        raise NetworkError("no network")

    real_call = view.service.backend.queue_stats
    view.service.backend.queue_stats = offline
    try:
        before = view.snapshot
        view.refresh()
        run_until(loop, lambda: view.snapshot is not before)
    finally:
        view.service.backend.queue_stats = real_call
    snapshot = view.snapshot
    assert snapshot.stale and "no network" in (snapshot.error or "")
    assert "OFFLINE" in view.updated.text()
    tile = view.tiles.tiles["q-presales"]
    assert tile.property("stale") is True and tile.stale_note.isVisible()
    presales = next(q for q in snapshot.queues if q["queue_id"] == "q-presales")["metrics"]
    # Today's counters are carried over; waiting is recomputed from the cache (same rules, same data).
    assert presales["service_level"] == online["q-presales"]["service_level"]
    assert presales["contacts_waiting"] == view.service.waiting_conversations("q-presales").__len__()


def test_drill_down_lists_waiting_work_and_reassigns(open_window, loop, server) -> None:
    _opened, view = _dashboard(open_window, loop)
    dialog = view.open_queue("q-presales")
    rows = view.service.waiting_conversations("q-presales")
    assert dialog.waiting.rowCount() == len(rows) > 0
    assert dialog.agents.rowCount() == len([a for a in view.service.queue_agents("q-presales") if a["role"] != "lead"])
    # Nothing runs off sideways: the subject and queue columns take what is left and elide.
    dialog.resize(900, 500)
    run_until(loop, lambda: dialog.isVisible() and dialog.waiting.viewport().width() > 0)
    for table in (dialog.waiting, dialog.agents):
        used = sum(table.columnWidth(c) for c in range(table.columnCount()))
        assert table.horizontalScrollBar().maximum() == 0 and used <= table.viewport().width() + 1
    assert dialog.waiting.item(0, 1).text() in ("Chat", "Phone", "E-mail", "Web form", "Social")  # words, not ids
    conversation_id = rows[0]["id"]
    loop.run_until_complete(view.service.reassign(conversation_id, "a-agent3"))
    assert server.conversation(conversation_id)["assignee_id"] == "a-agent3"
    loop.run_until_complete(view.service.set_agent_queues("a-agent10", ["q-presales", "q-complaints"]))
    run_until(loop, lambda: "q-complaints" in next(a for a in view.service.queue_agents()
                                                   if a["id"] == "a-agent10")["queue_ids"])
    dialog.close()


def test_wallboard_is_full_screen_and_f11_leaves(open_window, loop, qtbot) -> None:
    _opened, view = _dashboard(open_window, loop)
    view.toggle_wallboard()
    board = view.wallboard
    assert board is not None and board.isFullScreen()
    assert set(board.tiles.tiles) == set(view.tiles.tiles)
    assert board.tiles.tiles["q-presales"].property("large") is True
    board.close()
    assert view.wallboard is None


def test_agents_do_not_get_the_dashboard_action(open_window, loop) -> None:
    opened = open_window("agent1")
    assert not opened.window.dashboard_action.isVisible()
    assert opened.window.main_stack.currentIndex() == 0


def test_enter_on_a_focused_tile_opens_its_drill_down(open_window, loop, qtbot) -> None:
    from PySide6.QtCore import Qt
    _opened, view = _dashboard(open_window, loop)
    tile = view.tiles.tiles["q-complaints"]
    tile.setFocus()
    with qtbot.waitSignal(tile.opened, timeout=1000) as opened:
        qtbot.keyClick(tile, Qt.Key.Key_Return)
    assert opened.args == ["q-complaints"]
    dialog = view.drilldowns[-1]
    assert dialog.queue_id == "q-complaints" and dialog.isVisible()
    dialog.close()


def test_an_offline_start_shows_the_last_figures_received(open_window, loop) -> None:
    from agent_desktop.services.dashboard import DashboardService
    _opened, view = _dashboard(open_window, loop)
    service = view.service
    online = {q["queue_id"]: q["counters"] for q in view.snapshot.queues}
    run_until(loop, lambda: "dashboard.last_stats" in str(service.db.query("SELECT key FROM meta")))

    class Unreachable:
        base_url = service.backend.base_url

        def call(self, *_args, **_kwargs):
            raise NetworkError("offline start")

    restarted = DashboardService(service.db, Unreachable(), service.agent)  # a new session, no network
    snapshot = loop.run_until_complete(restarted.refresh())
    assert snapshot.stale
    assert {q["queue_id"]: q["counters"]["offered"] for q in snapshot.queues} == \
        {qid: counters["offered"] for qid, counters in online.items()}
