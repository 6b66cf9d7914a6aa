"""Initial sync against the reference server on loopback, in a child process.

`python -m agent_desktop.bench.syncprobe --url URL --repeat N` measures, alternating so both
see the same warm server: (a) the raw download of every /api/v1/changes page with plain
`requests` (bytes only, the floor), (b) `SyncEngine.pull` into a fresh cache (download,
validation, SQLite writes, commits: the inbox complete) and the message-index backlog it leaves
for the background (`SyncEngine.index_backlog` until done), and then (c) the app itself — MainWindow with
SyncService — doing its first sync while a 5 ms heartbeat timer records the longest GUI stall.
Prints `RESULT <json>` as its last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from .stats import rss_mb, summary


def raw_download(url: str, token: str, keep: list[bytes] | None = None) -> tuple[float, int, int]:
    """Seconds, pages and bytes to fetch every page of the feed, doing nothing with it
    (but appending each page's bytes to `keep`, if given)."""
    from ..services.sync_engine import PAGE_SIZE

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    cursor, pages, size = None, 0, 0
    started = time.perf_counter()
    while True:
        params: dict[str, Any] = {"limit": PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        response = session.get(f"{url}/api/v1/changes", params=params, timeout=60)
        response.raise_for_status()
        body = response.content
        pages += 1
        size += len(body)
        if keep is not None:
            keep.append(body)
        # Only the two paging fields are read (at the end, where the server writes them).
        tail = json.loads("{" + body[body.rindex(b'"cursor"'):].decode())
        cursor = tail["cursor"]
        if not tail["has_more"]:
            break
    return time.perf_counter() - started, pages, size


def engine_pull(url: str, folder: Path) -> tuple[float, float, int, int]:
    """Seconds to pull everything (inbox complete), then to index the messages it left unindexed."""
    from ..services.session import make_backend, sign_in
    from ..services.sync_engine import SyncEngine
    from ..store import Database

    backend = make_backend(url)
    sign_in(backend, "agent1", "demo")
    db = Database(folder / "cache.sqlite3")
    try:
        db.write_sync(lambda conn: None)  # the empty schema exists: creating it is not syncing
        engine = SyncEngine(db, backend)
        started = time.perf_counter()
        result = engine.pull()
        pulled = time.perf_counter()
        while engine.index_backlog() is not None:
            pass
        indexed = time.perf_counter()
    finally:
        db.close()
    return pulled - started, indexed - pulled, result.pages, result.applied.applied


def gui_sync(url: str, folder: Path, timeout: float = 600.0) -> dict[str, Any]:
    """The app's first sync with its window open: how long, and the longest GUI-thread stall."""
    import qasync
    from PySide6.QtWidgets import QApplication

    from ..app import share_the_gil_quickly
    from ..services.session import make_backend, open_session, sign_in
    from ..store import fts
    from ..ui import i18n
    from ..ui.bridge import SessionBridge
    from ..ui.main_window import MainWindow
    from ..ui.resources import stylesheet
    from .probe import Heartbeat

    share_the_gil_quickly()  # as the app's main() does
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    i18n.install(app, "en")
    app.setStyleSheet(stylesheet())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    backend = make_backend(url)
    signed = sign_in(backend, "agent1", "demo")
    session = open_session(folder, backend, "agent1", signed, "bench-sync")
    window = MainWindow(session, SessionBridge(session), language="en")
    window.show()
    beat = Heartbeat()

    async def first_sync() -> tuple[float, float]:
        beat.start()
        started = time.perf_counter()
        session.sync.start()
        deadline = started + timeout
        while not session.sync.status.first_sync_done and time.perf_counter() < deadline:
            await asyncio.sleep(0.02)
        synced = time.perf_counter() - started
        # The stall keeps being watched while the message history is indexed in the background.
        while (session.sync.status.indexing or fts.indexed_upto(session.db.reader()) is not None) \
                and time.perf_counter() < deadline:
            await asyncio.sleep(0.02)
        indexed = time.perf_counter() - started
        await asyncio.sleep(0.5)  # the batched inbox refresh after the last page
        return synced, indexed

    elapsed, indexed = loop.run_until_complete(first_sync())
    stall = beat.stop()
    rows = window.model.rowCount()
    window.shutdown()
    loop.run_until_complete(session.close())
    return {"seconds": round(elapsed, 3), "seconds_to_index": round(indexed, 3), **stall, "inbox_rows": rows, "rss_mb": round(rss_mb(), 1),
            "completed": session.sync.status.first_sync_done}


def run(url: str, repeat: int) -> dict[str, Any]:
    from ..app import share_the_gil_quickly

    share_the_gil_quickly()  # the app's pull runs with its interpreter settings
    answer = requests.post(f"{url}/api/v1/auth/token", json={"username": "agent1", "password": "demo"}, timeout=30)
    answer.raise_for_status()
    token = answer.json()["token"]
    raw_download(url, token)  # warm the server's page cache; not counted
    raws: list[float] = []
    pulls: list[float] = []
    indexing: list[float] = []
    pages = size = applied = 0
    for _ in range(repeat):
        seconds, pages, size = raw_download(url, token)
        raws.append(seconds)
        folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
        try:
            seconds, index_seconds, _, applied = engine_pull(url, folder)
            pulls.append(seconds)
            indexing.append(index_seconds)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    raw_median = summary(raws)["median_ms"] or 0
    pull_median = summary(pulls)["median_ms"] or 0
    with_index_median = summary([p + i for p, i in zip(pulls, indexing, strict=True)])["median_ms"] or 0
    folder = Path(tempfile.mkdtemp(prefix="bench-gui-sync-"))
    try:
        gui = gui_sync(url, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"raw_download": {**summary(raws), "pages": pages, "megabytes": round(size / 1e6, 1)},
            "engine_pull": {**summary(pulls), "records": applied},
            "ratio": round(pull_median / raw_median, 2) if raw_median else None,
            # After the pull, the background pass that makes old messages searchable by index.
            "index_backlog": summary(indexing),
            "ratio_with_index": round(with_index_median / raw_median, 2) if raw_median else None,
            "gui_sync": gui}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print("RESULT " + json.dumps(run(args.url, args.repeat), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
