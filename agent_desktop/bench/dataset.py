"""The benchmark's data set: deterministic, Chinese and English, a realistic length mix.

Built from the demo generator (the same people, topics and phrasing the app is demoed with),
then each conversation gets older history until there are ~10 messages per conversation:
chat lines, multi-part replies and long e-mails that quote the thread. Written through the
store's own feed path (`store.changes.apply_batch`), so the client cache has exactly the rows
and FTS content a sync would produce; cached under /tmp keyed by scale, seed and generator version.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..domain.timeutil import parse_iso, to_iso
from ..server import auth
from ..server import db as server_db
from ..server.demo_data import DEMO_PASSWORD, DemoData, agent_id, build_demo
from ..services.features import default_features, feed_schema
from ..services.paths import cache_path
from ..store import Database, meta
from .constants import BENCH_SERVER_KEY, BENCH_USER

GENERATOR_VERSION = 1
FULL_CONVERSATIONS = 100_000
MESSAGES_PER_CONVERSATION = 10
# Times are fixed, not "now": the same seed gives the same bytes on every machine and day.
FIXED_NOW = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
CACHE_ROOT = Path(os.environ.get("AGENT_DESKTOP_BENCH_CACHE", "/tmp/agent-desktop-bench"))

Record = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Scale:
    conversations: int
    seed: int = 7

    @property
    def customers(self) -> int:
        return max(40, self.conversations // 8)

    @property
    def messages(self) -> int:
        return self.conversations * MESSAGES_PER_CONVERSATION

    @property
    def key(self) -> str:
        return f"c{self.conversations}-s{self.seed}-v{GENERATOR_VERSION}"


def scale_for(fraction: float, seed: int = 7) -> Scale:
    return Scale(max(200, int(FULL_CONVERSATIONS * fraction)), seed)


# -- generation ------------------------------------------------------------------------------------


def _extra_body(rng: random.Random, pool: list[str], thread: list[str]) -> str:
    """One history message: 55 % a chat line, 30 % a multi-part reply, 15 % a long quoting e-mail."""
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(pool)
    if roll < 0.85:
        return "\n\n".join(rng.choice(pool) for _ in range(rng.randint(2, 4)))
    quoted = [rng.choice(pool)]
    quoted += [f"> {line}" for body in (thread[-4:] or [rng.choice(pool)]) for line in body.splitlines()]
    quoted += [f">> {rng.choice(pool)}" for _ in range(rng.randint(5, 30))]
    return "\n".join(quoted)


def _pad_history(data: DemoData, target: int, seed: int) -> list[Record]:
    """Older messages for every conversation until the set holds `target` messages."""
    rng = random.Random(seed + 101)
    pool = [body for _, message in data.messages for body in [message["body"]]]
    by_conversation: dict[str, list[dict[str, Any]]] = {}
    for _, message in data.messages:
        by_conversation.setdefault(message["conversation_id"], []).append(message)
    missing = max(0, target - len(data.messages))
    conversations = data.conversations
    # Threads vary in length (0 … ~2× the mean), then the total is trimmed to exactly `missing`.
    mean = missing // max(1, len(conversations))
    counts = [rng.randint(0, 2 * mean) for _ in conversations]
    surplus = sum(counts) - missing
    position = 0
    while surplus != 0 and conversations:
        step = 1 if surplus < 0 else -1
        if counts[position] + step >= 0:
            counts[position] += step
            surplus += step
        position = (position + 1) % len(conversations)
    extra: list[Record] = []
    base = len(data.messages)
    for (conversation_id, conversation), count in zip(conversations, counts, strict=True):
        if count <= 0:
            continue
        thread = by_conversation.get(conversation_id, [])
        first = parse_iso(conversation["created_at"])
        bodies = [m["body"] for m in thread]
        for step in range(count):
            inbound = rng.random() < 0.55
            author = thread[0] if thread else {}
            created = first - timedelta(days=rng.uniform(1, 700)) + timedelta(seconds=step)
            extra.append((f"m-h{base + len(extra) + 1:08d}", {
                "conversation_id": conversation_id, "kind": "reply" if inbound or rng.random() < 0.9 else "note",
                "direction": "in" if inbound else "out",
                "author_id": None if inbound else conversation.get("assignee_id") or agent_id("agent2"),
                "author_name": author.get("author_name") or "", "body": _extra_body(rng, pool, bodies),
                "created_at": to_iso(created), "version": 1, "idempotency_key": None,
            }))
        conversation["message_count"] = conversation.get("message_count", 0) + count
    return extra


def build(scale: Scale) -> DemoData:
    data = build_demo(scale.seed, FIXED_NOW, customers=scale.customers, conversations=scale.conversations)
    # History is older than the demo thread, so it goes first in feed order too.
    data.messages = _pad_history(data, scale.messages, scale.seed) + data.messages
    return data


def feed_changes(data: DemoData) -> Iterator[dict[str, Any]]:
    for entity, records in data.entities():
        for record_id, record in records:
            yield {"entity": entity, "id": record_id, "op": "upsert", "version": record.get("version", 1),
                   "data": record}


# -- the client cache --------------------------------------------------------------------------------


def bench_home(scale: Scale) -> Path:
    return CACHE_ROOT / scale.key / "home"


def client_cache_file(home: Path) -> Path:
    return cache_path(home, BENCH_SERVER_KEY, BENCH_USER)


def write_client_cache(path: Path, data: DemoData, batch: int = 20_000) -> None:
    """Apply the whole set through the feed writer, `batch` records per transaction."""
    db = Database(path)
    schema = feed_schema(default_features())
    try:
        agent = next(record for rid, record in data.agents if rid == agent_id(BENCH_USER))
        db.write_sync(meta.put, meta.AGENT_ID, json.dumps({"id": agent_id(BENCH_USER), **agent}, ensure_ascii=False))
        db.write_sync(meta.put, meta.SERVER, BENCH_SERVER_KEY)
        chunk: list[dict[str, Any]] = []
        for change in feed_changes(data):
            chunk.append(change)
            if len(chunk) >= batch:
                db.write_sync(schema.apply_batch, chunk, None)
                chunk = []
        if chunk:
            db.write_sync(schema.apply_batch, chunk, None)
        db.write_sync(meta.put, meta.CURSOR, None)
    finally:
        db.close()
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("ANALYZE")
    finally:
        conn.close()


def prepared_home(scale: Scale, log=print) -> Path:
    """The data folder holding a ready client cache for `scale` (built once, then reused)."""
    home = bench_home(scale)
    done = home.parent / "client.done"
    if done.exists():
        return home
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    started = time.perf_counter()
    data = build(scale)
    log(f"  generated {len(data.conversations):,} conversations, {len(data.messages):,} messages "
        f"in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    write_client_cache(client_cache_file(home), data)
    log(f"  wrote the client cache in {time.perf_counter() - started:.1f} s "
        f"({client_cache_file(home).stat().st_size / 1e6:.0f} MB)")
    done.write_text(digest(data))
    return home


def digest(data: DemoData) -> str:
    sha = hashlib.sha256()
    for change in feed_changes(data):
        sha.update(json.dumps(change, sort_keys=True, ensure_ascii=False).encode())
    return sha.hexdigest()


# -- the reference server's database -----------------------------------------------------------------


def prepared_server_db(scale: Scale, log=print) -> Path:
    """A reference-server database holding the set of `scale` with demo passwords."""
    path = CACHE_ROOT / scale.key / "server.sqlite3"
    done = path.with_suffix(".done")
    if done.exists():
        return path
    for stale in path.parent.glob("server.sqlite3*"):
        stale.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = build(scale)
    database = server_db.Database(path)
    try:
        salt, digest_ = auth.hash_password(DEMO_PASSWORD)  # one hash for all: scrypt is slow
        with database.transaction() as conn:
            for entity, records in data.entities():
                server_db.store_many(conn, entity, records)
            for customer_id, customer in data.customers:
                server_db.index_contacts(conn, customer_id, customer)
            conn.executemany("INSERT OR REPLACE INTO credentials (agent_id, salt, hash) VALUES (?, ?, ?)",
                             [(aid, salt, digest_) for aid, _ in data.agents])
    finally:
        database.close()
    log(f"  server database: {len(data.conversations):,} conversations, {len(data.messages):,} messages")
    done.write_text("ok")
    return path
