"""After a full sync the window is usable at once; message history is indexed for search in the
background, in chunks, and the status bar says so until it is done."""

from __future__ import annotations

from agent_desktop.services import sync_engine
from agent_desktop.store import fts
from tests.ui.conftest import run_until


def test_the_status_bar_shows_indexing_until_search_covers_every_message(open_window, loop, monkeypatch):
    monkeypatch.setattr(sync_engine, "INDEX_CHUNK", 2_000)  # the demo's ~16k messages: several chunks
    opened = open_window()
    seen: list[tuple[int, int, str]] = []
    ready: list[bool] = []
    status_bar = opened.window.status
    opened.bridge.sync_status_changed.connect(
        lambda status: seen.append((status.index_done, status.index_total, status_bar.state_text.text())))
    opened.session.sync.search_index_ready.connect(lambda: ready.append(True))

    run_until(loop, lambda: bool(ready), timeout=120)
    progress = [(done, total, text) for done, total, text in seen if total]
    assert len(progress) >= 3
    assert [done for done, _, _ in progress] == sorted(done for done, _, _ in progress)  # only forwards
    assert all("indexing message history" in text for _, _, text in progress)
    assert fts.indexed_upto(opened.session.db.reader()) is None
    assert status_bar.state_text.text() == "Online"
    messages = opened.session.db.reader().execute("SELECT count(*) FROM messages").fetchone()[0]
    indexed = opened.session.db.reader().execute("SELECT count(*) FROM messages_fts_docsize").fetchone()[0]
    assert indexed == messages


def test_a_busy_feed_does_not_hold_the_indexing_back(open_window, server, loop, monkeypatch):
    """New contacts arrive every cycle: the pause before the first chunk is taken once, not per cycle."""
    import threading

    monkeypatch.setattr(sync_engine, "INDEX_CHUNK", 4_000)
    opened = open_window("agent2")
    ready: list[bool] = []
    opened.session.sync.search_index_ready.connect(lambda: ready.append(True))
    stop = threading.Event()

    def contacts() -> None:
        number = 0
        while not stop.wait(0.15):
            number += 1
            server.inbound(channel="chat", customer={"name": f"Busy {number}"}, body=f"busy feed {number}",
                           external_id=f"busy-{number}")
            loop.call_soon_threadsafe(opened.session.sync.nudge)  # as a server push would: sync at once

    run_until(loop, lambda: opened.bridge.status.first_sync_done, timeout=60)
    feeder = threading.Thread(target=contacts, daemon=True)
    feeder.start()
    try:
        run_until(loop, lambda: bool(ready), timeout=60)
    finally:
        stop.set()
        feeder.join(5)
    assert fts.indexed_upto(opened.session.db.reader()) is None


def test_indexing_goes_on_while_the_server_cannot_be_reached(server, loop, tmp_path, monkeypatch):
    from agent_desktop.services.session import make_backend, open_session, sign_in

    monkeypatch.setattr(sync_engine, "INDEX_CHUNK", 4_000)
    home = tmp_path / "home"
    backend = make_backend(server.url)
    online = open_session(home, backend, "agent3", sign_in(backend, "agent3", "demo"), "index-offline")
    online.sync.engine.pull()  # a full sync, then the app was closed before indexing ran
    assert fts.indexed_upto(online.db.reader()) == 0
    loop.run_until_complete(online.close())

    offline = open_session(home, make_backend("http://127.0.0.1:9"), "agent3", None, "index-offline")
    ready: list[bool] = []
    offline.sync.search_index_ready.connect(lambda: ready.append(True))
    offline.sync.start()
    try:
        run_until(loop, lambda: bool(ready), timeout=60)
        assert offline.sync.status.state == "offline"
        assert fts.indexed_upto(offline.db.reader()) is None
    finally:
        loop.run_until_complete(offline.close())
