"""In-window measurements on a prepared cache, run in a child process so RSS is the app's own.

`python -m agent_desktop.bench.probe --home DIR --repeat N` opens the cache like the app does,
shows the MainWindow offscreen and measures: view switches (model reset + painted viewport),
inbox scrolling (one viewport per frame, then dragging to the end so every page is fetched),
full-text search per query class, the GUI stall while typing into Ctrl+K (heartbeat timer),
and resident memory. Prints `RESULT <json>` as its last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from .stats import rss_mb, summary

HEARTBEAT_MS = 5


class Heartbeat:
    """A 5 ms QTimer on the GUI thread: the longest gap between ticks is the longest stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)
        self.last = self.started = 0.0
        self.gaps: list[float] = []
        self.ends: list[float] = []

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last:
            self.gaps.append(now - self.last)
            self.ends.append(now - self.started)
        self.last = now

    def start(self) -> None:
        self.gaps, self.ends, self.last = [], [], time.perf_counter()
        self.started = self.last
        self.timer.start()

    def stop(self) -> dict[str, Any]:
        self.timer.stop()
        self._tick()
        longest = max(self.gaps, default=0.0)
        # When the worst stalls happened (seconds after start): tells start-up work from sync work.
        worst = sorted(zip(self.gaps, self.ends, strict=True), reverse=True)[:5]
        return {"longest_stall_ms": round(max(0.0, longest - HEARTBEAT_MS / 1000) * 1000, 2),
                "ticks": len(self.gaps),
                "worst_stalls": [{"at_s": round(end, 3), "ms": round((gap - HEARTBEAT_MS / 1000) * 1000, 1)}
                                 for gap, end in worst]}


# -- search queries drawn from the data itself (every one has hits) ------------------------------

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{4,}")
_EN_WORD = re.compile(r"\b[A-Za-z]{5,12}\b")


def search_queries(conn: sqlite3.Connection, seed: int = 7, per_class: int = 6) -> dict[str, list[str]]:
    rng = random.Random(seed + 303)
    bodies = [row[0] for row in conn.execute(
        "SELECT body FROM messages WHERE rowid % 997 = 0 ORDER BY rowid LIMIT 600")]
    runs = sorted({run for body in bodies for run in _CJK_RUN.findall(body)})
    words = sorted({word.lower() for body in bodies for word in _EN_WORD.findall(body)})
    rng.shuffle(runs)
    rng.shuffle(words)
    zh1 = [run[rng.randrange(len(run))] for run in runs[:per_class]]
    zh2: list[str] = []
    zh3: list[str] = []
    for run in runs[per_class:per_class * 3]:
        start = rng.randrange(len(run) - 3)
        (zh2 if len(zh2) < per_class else zh3).append(run[start:start + (2 if len(zh2) < per_class else 4)])
    # Common words too: the worst case is a term in a large share of a million messages.
    zh1[0], zh2[0] = "的", "退款"
    english = words[:per_class - 1] + ["refund"]
    contacts = conn.execute("SELECT phones, emails FROM customers ORDER BY id").fetchall()
    rng.shuffle(contacts)
    phones: list[str] = []
    emails: list[str] = []
    for phones_json, emails_json in contacts:
        for phone in json.loads(phones_json or "[]"):
            digits = re.sub(r"\D", "", phone)
            if len(phones) < per_class and len(digits) >= 8:
                phones.append(digits[-8:] if len(phones) % 2 else phone)
        for email in json.loads(emails_json or "[]"):
            if len(emails) < per_class:
                local, _, domain = email.partition("@")
                emails.append(local[: max(3, len(local) - 2)] if len(emails) % 2 else f"{local}@{domain.split('.')[0]}")
    return {"zh_1char": zh1, "zh_2char": zh2, "zh_3plus": zh3, "english": english,
            "phone": phones, "email": emails}


# -- the probe ------------------------------------------------------------------------------------


def _paint(window) -> None:
    from PySide6.QtWidgets import QApplication

    window.inbox.viewport().repaint()
    QApplication.processEvents()


def measure_views(window, repeat: int) -> dict[str, Any]:
    from ..store.inbox import InboxView

    keys = window.views.view_keys()
    samples: list[float] = []
    per_view: dict[str, list[float]] = {}
    for _ in range(repeat):
        for key in keys:
            kind, _, value = key.partition(":")
            started = time.perf_counter()
            window.set_view(InboxView(kind, value or None))
            _paint(window)
            elapsed = time.perf_counter() - started
            samples.append(elapsed)
            per_view.setdefault(key, []).append(elapsed)
    slowest = max(per_view, key=lambda k: sorted(per_view[k])[len(per_view[k]) // 2])
    return {**summary(samples), "views": len(keys), "slowest_view": slowest,
            "slowest_view_median_ms": summary(per_view[slowest])["median_ms"]}


def measure_scroll(window, page_frames: int, max_frames: int) -> dict[str, Any]:
    from ..store.inbox import ALL_OPEN, InboxView

    window.set_view(InboxView(ALL_OPEN))
    _paint(window)
    bar = window.inbox.verticalScrollBar()
    step = window.inbox.viewport().height()
    frames: list[float] = []
    for _ in range(page_frames):  # reading down the list, a screen at a time
        started = time.perf_counter()
        bar.setValue(bar.value() + step)
        _paint(window)
        frames.append(time.perf_counter() - started)
    while len(frames) < max_frames:  # dragging the thumb to the bottom: every page gets fetched
        started = time.perf_counter()
        bar.setValue(bar.maximum())
        _paint(window)
        frames.append(time.perf_counter() - started)
        if not window.model.canFetchMore() and bar.value() == bar.maximum():
            break
    return {**summary(frames), "rows_loaded": window.model.rowCount(),
            "all_loaded": not window.model.canFetchMore()}


def measure_search(service, queries: dict[str, list[str]], repeat: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    everything: list[float] = []
    for name, texts in queries.items():
        samples: list[float] = []
        hits = 0
        for _ in range(repeat):
            for text in texts:
                started = time.perf_counter()
                found = service.search_now(text)
                samples.append(time.perf_counter() - started)
                hits += len(found.customers) + len(found.conversations) + len(found.messages)
        everything += samples
        result[name] = {**summary(samples), "queries": texts, "hits_per_query": round(hits / max(1, len(samples)), 1)}
    result["all"] = summary(everything)
    return result


def measure_typing(window, loop, texts: list[str]) -> dict[str, Any]:
    """Type each query a character at a time (80 ms apart, IME commits for Chinese) into Ctrl+K."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    dialog = window.search
    dialog.open_fresh()
    beat = Heartbeat()
    beat.start()

    async def type_all() -> None:
        for text in texts:
            dialog.field.clear()
            for char in text:
                event = QInputMethodEvent()
                event.setCommitString(char)
                QApplication.sendEvent(dialog.field, event)
                await asyncio.sleep(0.08)
            await asyncio.sleep(0.4)  # the debounced search lands and its results are drawn

    loop.run_until_complete(type_all())
    stall = beat.stop()
    dialog.hide()
    return {**stall, "queries_typed": len(texts), "results_shown": dialog.results.count()}


def run(home: Path, repeat: int, page_frames: int, max_frames: int) -> dict[str, Any]:
    import qasync
    from PySide6.QtWidgets import QApplication

    from ..app import share_the_gil_quickly
    from ..services.session import make_backend, open_session
    from ..ui import i18n
    from ..ui.bridge import SessionBridge
    from ..ui.main_window import MainWindow
    from ..ui.resources import stylesheet
    from .constants import BENCH_SERVER_KEY, BENCH_USER

    share_the_gil_quickly()  # as the app's main() does
    app = QApplication(sys.argv[:1])
    i18n.install(app, "en")
    app.setStyleSheet(stylesheet())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    session = open_session(home, make_backend("http://127.0.0.1:9"), BENCH_USER, None, BENCH_SERVER_KEY)
    window = MainWindow(session, SessionBridge(session), language="en")
    window.show()
    _paint(window)
    # Steady state: the parts built right after the first paint (ui/deferred.py, ~25 ms in all)
    # are in place before interactions are timed; their cost is in the start-up stall figures.
    deadline = time.perf_counter() + 10
    while window.deferred.building_after_paint() and time.perf_counter() < deadline:
        _paint(window)
    out: dict[str, Any] = {"rss_after_open_mb": round(rss_mb(), 1)}
    out["view_switch"] = measure_views(window, repeat)
    out["scroll"] = measure_scroll(window, page_frames, max_frames)
    out["rss_after_scroll_mb"] = round(rss_mb(), 1)
    queries = search_queries(session.db.reader())
    out["search"] = measure_search(session.search, queries, repeat)
    out["search_typing"] = measure_typing(window, loop, [texts[1] for texts in queries.values() if len(texts) > 1])
    out["rss_end_mb"] = round(rss_mb(), 1)
    window.shutdown()
    session.search.close()
    session.db.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--page-frames", type=int, default=300)
    parser.add_argument("--max-frames", type=int, default=3000)
    args = parser.parse_args(argv)
    result = run(args.home, args.repeat, args.page_frames, args.max_frames)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
