"""The floor of a full sync: each part of `SyncEngine.pull` timed alone, single-threaded.

`python -m agent_desktop.bench.syncparts --url URL [--rounds 3]` against a running reference
server (e.g. `python -m agent_desktop.server --db /tmp/agent-desktop-bench/c10000-s7-v1/server.sqlite3`):
the raw download, `json` decoding of the same pages, validating every record, and writing the
validated pages into a fresh cache (which validates again inside). docs/performance.md explains
what the sum means for the pull's ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import requests

from ..backends.base import ChangeBatch
from ..domain.feed import PARSERS
from ..services.features import default_features, feed_schema
from ..services.sync_engine import _apply_page
from ..store import Database
from .syncprobe import raw_download


def measure(url: str, rounds: int) -> dict[str, list[float]]:
    token = requests.post(f"{url}/api/v1/auth/token", json={"username": "agent1", "password": "demo"},
                          timeout=30).json()["token"]
    parts: dict[str, list[float]] = {"raw download": [], "json decode": [], "validate": [], "write (validates again)": []}
    schema = feed_schema(default_features())
    for _ in range(rounds):
        bodies: list[bytes] = []
        parts["raw download"].append(raw_download(url, token, keep=bodies)[0])
        started = time.perf_counter()
        pages = [json.loads(body.decode("utf-8", errors="replace")) for body in bodies]
        parts["json decode"].append(time.perf_counter() - started)
        started = time.perf_counter()
        for page in pages:
            for change in page["changes"]:
                parse = PARSERS.get(change["entity"])
                if parse is not None and change["op"] == "upsert":
                    parse(change["id"], change["data"])
        parts["validate"].append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as folder:
            db = Database(Path(folder) / "cache.sqlite3")
            db.write_sync(lambda conn: None)
            started = time.perf_counter()
            for number, page in enumerate(pages):
                batch = ChangeBatch(page["changes"], page["cursor"], page["has_more"])
                db.write_sync(_apply_page, schema, batch, False, number == 0)
            parts["write (validates again)"].append(time.perf_counter() - started)
            db.close()
    return parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent_desktop.bench.syncparts")
    parser.add_argument("--url", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    for name, seconds in measure(args.url, args.rounds).items():
        print(f"{name:<26} median {statistics.median(seconds):6.3f} s   {[round(s, 3) for s in seconds]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
