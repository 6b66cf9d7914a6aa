"""Measure the RT adapter's first pull against RT's own REST2 paging of the same data, and the
incremental pull latency (docs/performance.md).

    python -m tests.rt.pull_bench URL USER PASSWORD [--workers N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import requests

from agent_desktop.backends.rt import REST, RequestTrackerBackend
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database


def raw_paging(url: str, auth: tuple[str, str]) -> tuple[float, int, int]:
    """Every ticket, every transaction and every attachment, page by page (100 each), one request
    after another: what a plain REST2 client does to read the same data. (seconds, requests, bytes)"""
    session = requests.Session()
    session.auth = auth
    started, count, size = time.perf_counter(), 0, 0

    def pages(path: str, params: dict, body=None):
        nonlocal count, size
        page = 1
        while True:
            answer = (session.post if body is not None else session.get)(
                f"{url}{REST}{path}", params={**params, "page": page, "per_page": 100}, json=body, timeout=120)
            answer.raise_for_status()
            count += 1
            size += len(answer.content)
            data = answer.json()
            yield from data["items"]
            if not data.get("next_page") and (data.get("count", 0) < 100 or data.get("pages") is not None):
                return
            page += 1

    tickets = sum(1 for _ in pages("/tickets", {
        "query": "id > 0", "fields": "Subject,Status,Priority,Queue,Owner,Requestor,Created,LastUpdated,Due,CustomFields"}))
    txns = sum(1 for _ in pages("/transactions", {"query": "ObjectType = 'RT::Ticket'",
                                                  "fields": "Type,ObjectId,Created,Creator"}))
    parts = sum(1 for _ in pages("/attachments", {"fields": "TransactionId,ContentType,Content"},
                                 body=[{"field": "id", "operator": ">", "value": 0}]))
    print(f"REST2 paging read {tickets} tickets, {txns} transactions, {parts} attachments")
    return time.perf_counter() - started, count, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("user")
    parser.add_argument("password")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    raw_s, raw_requests, raw_bytes = raw_paging(args.url, (args.user, args.password))
    print(f"REST2 paging, one request at a time: {raw_s:.2f} s, {raw_requests} requests, {raw_bytes / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory() as folder:
        backend = RequestTrackerBackend(args.url, workers=args.workers)
        backend.sign_in(args.user, args.password)
        counted = {"n": 0}
        original = backend.http.request

        def counting(*a, **k):
            counted["n"] += 1
            return original(*a, **k)

        backend.http.request = counting  # type: ignore[method-assign]
        db = Database(Path(folder) / "cache.sqlite3")
        started = time.perf_counter()
        result = SyncEngine(db, backend, page_size=100).pull()
        first = time.perf_counter() - started
        conversations = db.reader().execute("SELECT count(*) FROM conversations").fetchone()[0]
        messages = db.reader().execute("SELECT count(*) FROM messages").fetchone()[0]
        print(f"adapter first pull (workers={args.workers}): {first:.2f} s, {counted['n']} requests, "
              f"{result.pages} pages, {conversations} conversations, {messages} messages; "
              f"ratio {first / raw_s:.2f}× REST2 paging")
        idle = []
        for _ in range(5):
            started = time.perf_counter()
            SyncEngine(db, backend, page_size=100).pull()
            idle.append(time.perf_counter() - started)
        print(f"idle pull: median {statistics.median(idle) * 1000:.0f} ms")
        session = requests.Session()
        session.auth = (args.user, args.password)
        ticket = db.reader().execute("SELECT id FROM conversations WHERE status='open' ORDER BY id LIMIT 1").fetchone()[0]
        changed = []
        for n in range(5):
            session.post(f"{args.url}{REST}/ticket/{ticket}/comment", json={"ContentType": "text/plain",
                                                                             "Content": f"bench {n} {time.time_ns()}"},
                         timeout=30).raise_for_status()
            started = time.perf_counter()
            SyncEngine(db, backend, page_size=100).pull()
            changed.append(time.perf_counter() - started)
        print(f"incremental pull with one new message: median {statistics.median(changed) * 1000:.0f} ms, "
              f"max {max(changed) * 1000:.0f} ms")
        db.close()


if __name__ == "__main__":
    main()
