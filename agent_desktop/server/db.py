"""SQLite storage of the reference server: entity tables holding wire JSON, and the change feed.

Every write to an entity goes through `store`/`store_many`/`delete`, which also REPLACE the
entity's row in `changes`. REPLACE deletes and re-inserts, so the row gets a new AUTOINCREMENT
`seq`: the feed holds only the latest state of each record (tombstones for deletions), and
`seq > cursor` yields every record changed since the cursor exactly once.

Threads: one writer connection behind a lock (`transaction()`), and one reader connection per
thread (`reader()`), as FastAPI runs plain `def` endpoints in a thread pool. WAL lets readers
run while a write is in progress.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Table:
    name: str
    # Columns copied out of the wire data so they can be indexed and queried.
    columns: tuple[str, ...] = ()


TABLES: dict[str, Table] = {
    "customer": Table("customers"),
    "conversation": Table(
        "conversations", ("customer_id", "channel", "status", "assignee_id", "queue_id", "created_at")
    ),
    "message": Table("messages", ("conversation_id", "created_at")),
    "queue": Table("queues"),
    "agent": Table("agents", ("username",)),
    # workflow (issue 4)
    "callback": Table("callbacks", ("customer_id", "status", "due_at")),
    "order": Table("orders", ("customer_id",)),
    "disposition": Table("dispositions"),
    "sla_policy": Table("sla_policies"),
    "csat": Table("csat_scores", ("conversation_id", "customer_id")),
    "customer_note": Table("customer_notes", ("customer_id",)),
    "offer": Table("offers", ("conversation_id", "agent_id", "state")),
    "agent_status": Table("agent_statuses"),
    "script": Table("scripts"),
    "faq_article": Table("faq_articles"),
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customer_contacts (
    kind TEXT NOT NULL, value TEXT NOT NULL, customer_id TEXT NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL,
    customer_id TEXT, channel TEXT, status TEXT, assignee_id TEXT, queue_id TEXT, created_at TEXT
);
CREATE INDEX IF NOT EXISTS conversations_customer ON conversations (customer_id, channel, created_at);
CREATE INDEX IF NOT EXISTS conversations_queue ON conversations (queue_id, status);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL,
    conversation_id TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages (conversation_id, created_at);
CREATE TABLE IF NOT EXISTS queues (id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agents (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL, username TEXT UNIQUE
);
CREATE TABLE IF NOT EXISTS credentials (
    agent_id TEXT PRIMARY KEY, salt BLOB NOT NULL, hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY, agent_id TEXT NOT NULL, expires_at TEXT NOT NULL
);
-- every Idempotency-Key's stored answer (server/idempotency.py; it adopts the three older tables
-- idempotency_keys, knowledge_idempotency and workflow_idempotency of databases written before it)
CREATE TABLE IF NOT EXISTS idempotent_requests (
    agent_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, response TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (agent_id, key)
);
CREATE TABLE IF NOT EXISTS inbound_external_ids (
    external_id TEXT PRIMARY KEY, result TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scripts (id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS faq_articles (id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS callbacks (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL, customer_id TEXT, status TEXT, due_at TEXT
);
CREATE INDEX IF NOT EXISTS callbacks_customer ON callbacks (customer_id, status);
CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL, customer_id TEXT);
CREATE INDEX IF NOT EXISTS orders_customer ON orders (customer_id);
CREATE TABLE IF NOT EXISTS dispositions (id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sla_policies (id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS csat_scores (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL, conversation_id TEXT, customer_id TEXT
);
CREATE INDEX IF NOT EXISTS csat_conversation ON csat_scores (conversation_id);
CREATE TABLE IF NOT EXISTS customer_notes (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL, customer_id TEXT
);
CREATE INDEX IF NOT EXISTS customer_notes_customer ON customer_notes (customer_id);
CREATE TABLE IF NOT EXISTS offers (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL, conversation_id TEXT, agent_id TEXT, state TEXT
);
CREATE INDEX IF NOT EXISTS offers_state ON offers (state, conversation_id);
CREATE TABLE IF NOT EXISTS agent_statuses (id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
-- queue statistics (issue 5, server/stats.py): raw events, one row per contact, hourly sums
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL,
    queue_id TEXT, conversation_id TEXT, agent_id TEXT, data TEXT
);
CREATE INDEX IF NOT EXISTS events_at ON events (at);
CREATE TABLE IF NOT EXISTS stats_contacts (
    conversation_id TEXT PRIMARY KEY, queue_id TEXT NOT NULL, channel TEXT NOT NULL, offered_at TEXT NOT NULL,
    sl_threshold_s REAL NOT NULL, answered_at TEXT, answered_by TEXT, abandoned_at TEXT, resolved_at TEXT,
    resolved_hour TEXT, fcr_counted INTEGER NOT NULL DEFAULT 0, resolutions INTEGER NOT NULL DEFAULT 0,
    reopened INTEGER NOT NULL DEFAULT 0, transferred INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS stats_hourly (
    hour TEXT NOT NULL, queue_id TEXT NOT NULL,
    offered INTEGER NOT NULL DEFAULT 0, answered INTEGER NOT NULL DEFAULT 0,
    answered_in_sl INTEGER NOT NULL DEFAULT 0, abandoned INTEGER NOT NULL DEFAULT 0,
    abandoned_in_sl INTEGER NOT NULL DEFAULT 0, wait_sum_s REAL NOT NULL DEFAULT 0,
    handled INTEGER NOT NULL DEFAULT 0, handle_sum_s REAL NOT NULL DEFAULT 0, acw_sum_s REAL NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0, fcr INTEGER NOT NULL DEFAULT 0, csat_n INTEGER NOT NULL DEFAULT 0,
    csat_sum REAL NOT NULL DEFAULT 0, csat_satisfied INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, queue_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stats_agent_daily (
    day TEXT NOT NULL, agent_id TEXT NOT NULL,
    handled INTEGER NOT NULL DEFAULT 0, handle_sum_s REAL NOT NULL DEFAULT 0, acw_sum_s REAL NOT NULL DEFAULT 0,
    csat_n INTEGER NOT NULL DEFAULT 0, csat_sum REAL NOT NULL DEFAULT 0,
    busy_s REAL NOT NULL DEFAULT 0, acw_s REAL NOT NULL DEFAULT 0, available_s REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (day, agent_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stats_presence (
    agent_id TEXT PRIMARY KEY, state TEXT NOT NULL, since TEXT NOT NULL, last_queue_id TEXT
);
CREATE INDEX IF NOT EXISTS conversations_open_work ON conversations (status, queue_id)
    WHERE status IN ('new', 'open', 'pending');
-- every (queue, assignee) a conversation has had ('' = none): whose feed once showed it (server/scope.py)
CREATE TABLE IF NOT EXISTS conversation_scopes (
    conversation_id TEXT NOT NULL, queue_id TEXT NOT NULL, assignee_id TEXT NOT NULL,
    PRIMARY KEY (conversation_id, queue_id, assignee_id)
) WITHOUT ROWID;
-- files on messages (server/files.py): the bytes are on disk by sha256; message_id is NULL while an
-- upload waits for the message that will carry it
CREATE TABLE IF NOT EXISTS attachments (
    id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, message_id TEXT, name TEXT NOT NULL,
    size INTEGER NOT NULL, content_type TEXT NOT NULL, sha256 TEXT NOT NULL,
    content_id TEXT NOT NULL DEFAULT '', inline INTEGER NOT NULL DEFAULT 0,
    uploaded_by TEXT, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attachments_message ON attachments (message_id);
CREATE INDEX IF NOT EXISTS attachments_conversation ON attachments (conversation_id, message_id);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL, entity_id TEXT NOT NULL, op TEXT NOT NULL, version INTEGER NOT NULL,
    UNIQUE (entity, entity_id)
);
"""

# One statement, so the change rows and the entity data come from the same snapshot.
_FEED_SQL = """
SELECT c.seq, c.entity, c.entity_id, c.op, c.version,
       CASE WHEN c.op = 'upsert' THEN CASE c.entity
           WHEN 'customer' THEN (SELECT data FROM customers WHERE id = c.entity_id)
           WHEN 'conversation' THEN (SELECT data FROM conversations WHERE id = c.entity_id)
           WHEN 'message' THEN (SELECT data FROM messages WHERE id = c.entity_id)
           WHEN 'queue' THEN (SELECT data FROM queues WHERE id = c.entity_id)
           WHEN 'agent' THEN (SELECT data FROM agents WHERE id = c.entity_id)
           WHEN 'callback' THEN (SELECT data FROM callbacks WHERE id = c.entity_id)
           WHEN 'order' THEN (SELECT data FROM orders WHERE id = c.entity_id)
           WHEN 'disposition' THEN (SELECT data FROM dispositions WHERE id = c.entity_id)
           WHEN 'sla_policy' THEN (SELECT data FROM sla_policies WHERE id = c.entity_id)
           WHEN 'csat' THEN (SELECT data FROM csat_scores WHERE id = c.entity_id)
           WHEN 'customer_note' THEN (SELECT data FROM customer_notes WHERE id = c.entity_id)
           WHEN 'offer' THEN (SELECT data FROM offers WHERE id = c.entity_id)
           WHEN 'agent_status' THEN (SELECT data FROM agent_statuses WHERE id = c.entity_id)
           WHEN 'script' THEN (SELECT data FROM scripts WHERE id = c.entity_id)
           WHEN 'faq_article' THEN (SELECT data FROM faq_articles WHERE id = c.entity_id)
       END END
FROM changes c WHERE c.seq > ? ORDER BY c.seq LIMIT ?
"""

# The same rows, each with its visibility for one agent (:me, serving the JSON array :queues):
# 2 shown, 1 its conversation left their scope (once had a queue or assignee they see), 0 never theirs.
# A record hangs off a conversation by its conversation_id (messages, CSAT, offers, callbacks); an
# offer or callback addressed to the agent is theirs anyway; everything else (customers, queues,
# knowledge…) and tombstones whose record is gone are shown to everyone.
_SHOWN, _LEFT = 2, 1
_SCOPED_FEED_SQL = """
WITH page AS (
    SELECT c.seq, c.entity, c.entity_id, c.op, c.version,
           CASE c.entity
               WHEN 'conversation' THEN c.entity_id
               WHEN 'message' THEN (SELECT conversation_id FROM messages WHERE id = c.entity_id)
               WHEN 'csat' THEN (SELECT conversation_id FROM csat_scores WHERE id = c.entity_id)
               WHEN 'offer' THEN (SELECT conversation_id FROM offers WHERE id = c.entity_id)
               WHEN 'callback' THEN (SELECT json_extract(data, '$.conversation_id') FROM callbacks
                                     WHERE id = c.entity_id)
           END AS conversation_id,
           CASE c.entity
               WHEN 'offer' THEN (SELECT agent_id FROM offers WHERE id = c.entity_id)
               WHEN 'callback' THEN (SELECT json_extract(data, '$.agent_id') FROM callbacks WHERE id = c.entity_id)
           END AS addressee
    FROM changes c WHERE c.seq > :after ORDER BY c.seq LIMIT :limit
), judged AS (
    SELECT p.*, CASE
        WHEN p.conversation_id IS NULL AND p.entity != 'conversation' THEN 2
        WHEN p.addressee = :me THEN 2
        WHEN cv.id IS NOT NULL AND (cv.assignee_id = :me OR cv.queue_id IN (SELECT value FROM json_each(:queues)))
            THEN 2
        WHEN EXISTS (SELECT 1 FROM conversation_scopes h WHERE h.conversation_id = p.conversation_id
                     AND (h.assignee_id = :me OR h.queue_id IN (SELECT value FROM json_each(:queues)))) THEN 1
        ELSE 0 END AS visibility
    FROM page p LEFT JOIN conversations cv ON cv.id = p.conversation_id
)
SELECT j.seq, j.entity, j.entity_id, j.op, j.version,
       CASE WHEN j.op = 'upsert' AND j.visibility = 2 THEN CASE j.entity
           WHEN 'customer' THEN (SELECT data FROM customers WHERE id = j.entity_id)
           WHEN 'conversation' THEN (SELECT data FROM conversations WHERE id = j.entity_id)
           WHEN 'message' THEN (SELECT data FROM messages WHERE id = j.entity_id)
           WHEN 'queue' THEN (SELECT data FROM queues WHERE id = j.entity_id)
           WHEN 'agent' THEN (SELECT data FROM agents WHERE id = j.entity_id)
           WHEN 'callback' THEN (SELECT data FROM callbacks WHERE id = j.entity_id)
           WHEN 'order' THEN (SELECT data FROM orders WHERE id = j.entity_id)
           WHEN 'disposition' THEN (SELECT data FROM dispositions WHERE id = j.entity_id)
           WHEN 'sla_policy' THEN (SELECT data FROM sla_policies WHERE id = j.entity_id)
           WHEN 'csat' THEN (SELECT data FROM csat_scores WHERE id = j.entity_id)
           WHEN 'customer_note' THEN (SELECT data FROM customer_notes WHERE id = j.entity_id)
           WHEN 'offer' THEN (SELECT data FROM offers WHERE id = j.entity_id)
           WHEN 'agent_status' THEN (SELECT data FROM agent_statuses WHERE id = j.entity_id)
           WHEN 'script' THEN (SELECT data FROM scripts WHERE id = j.entity_id)
           WHEN 'faq_article' THEN (SELECT data FROM faq_articles WHERE id = j.entity_id)
       END END,
       j.visibility
FROM judged j ORDER BY j.seq
"""


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class FeedRow:
    seq: int
    entity: str
    entity_id: str
    op: str
    version: int
    data_json: str | None  # the stored wire JSON, passed through to the client unparsed


@dataclass(frozen=True)
class FeedPage:
    rows: list[FeedRow]
    has_more: bool
    last_seq: int | None = None  # the last row read, shown or not: where the next page starts


@dataclass(frozen=True)
class Viewer:
    """A feed reader limited to a queue scope (server/scope.py); None reads everything."""

    agent_id: str
    queue_ids: frozenset[str]
    fresh: bool  # reading from the start: the client holds nothing, so nothing needs deleting


class Database:
    """The server's SQLite file. Thread-safe: writes serialise on a lock, reads use per-thread connections."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._writer = self._connect()
        self._writer.executescript(SCHEMA)
        with self.transaction() as conn:  # a database written before the scope trail: today's scopes
            if conn.execute("SELECT 1 FROM conversation_scopes LIMIT 1").fetchone() is None:
                conn.execute("INSERT OR IGNORE INTO conversation_scopes SELECT id, coalesce(queue_id, ''), "
                             "coalesce(assignee_id, '') FROM conversations")

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves. check_same_thread=False only so
        # close() may close every connection; each connection is still used by one thread at a time.
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The writer connection inside BEGIN IMMEDIATE … COMMIT, holding the write lock."""
        with self._lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def reader(self) -> sqlite3.Connection:
        """This thread's read connection (autocommit: each statement sees the latest commit)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def close(self) -> None:
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        with self._lock:
            self._writer.close()

    # -- reads ---------------------------------------------------------------------------------

    def get(self, entity: str, entity_id: str) -> dict[str, Any] | None:
        return load(self.reader(), entity, entity_id)

    def is_empty(self) -> bool:
        conn = self.reader()
        return not any(
            conn.execute(f"SELECT 1 FROM {table.name} LIMIT 1").fetchone() for table in TABLES.values()
        )

    def counts(self) -> dict[str, int]:
        conn = self.reader()
        return {
            entity: conn.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
            for entity, table in TABLES.items()
        }

    def feed(self, after_seq: int, limit: int, viewer: Viewer | None = None) -> FeedPage:
        """Up to `limit` rows after `after_seq`. With a `viewer`, records of conversations out of their
        scope are left out, or shown as `delete` when the conversation was once in it."""
        # One extra row tells whether another page follows.
        if viewer is None:
            rows = self.reader().execute(_FEED_SQL, (after_seq, limit + 1)).fetchall()
            shown = [FeedRow(*row) for row in rows[:limit]]
        else:
            queues = dumps(sorted(viewer.queue_ids))
            rows = self.reader().execute(_SCOPED_FEED_SQL, {"after": after_seq, "limit": limit + 1, "me": viewer.agent_id,
                                                            "queues": queues}).fetchall()
            shown = []
            for seq, entity, entity_id, op, version, data, visibility in rows[:limit]:
                if visibility == _SHOWN:
                    shown.append(FeedRow(seq, entity, entity_id, op, version, data))
                elif visibility == _LEFT and not viewer.fresh:  # it left their scope: gone from their view
                    shown.append(FeedRow(seq, entity, entity_id, "delete", version, None))
        last = rows[:limit][-1][0] if rows else None
        return FeedPage(shown, has_more=len(rows) > limit, last_seq=last)

    def last_seq(self) -> int:
        """The highest seq ever handed out (AUTOINCREMENT never reuses one, even after deletes)."""
        row = self.reader().execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
        return row[0] if row else 0

    def min_cursor(self) -> int:
        return int(get_meta(self.reader(), "min_cursor") or 0)

    # -- maintenance ---------------------------------------------------------------------------

    def compact(self, before_seq: int) -> None:
        """Drop tombstones older than `before_seq`; cursors below it then get 410 Gone.

        Upserts are never dropped (REPLACE already keeps one row per record), so a client that
        starts from scratch still gets everything.
        """
        with self.transaction() as conn:
            conn.execute("DELETE FROM changes WHERE op = 'delete' AND seq < ?", (before_seq,))
            current = int(get_meta(conn, "min_cursor") or 0)
            set_meta(conn, "min_cursor", str(max(current, before_seq)))


# -- helpers that work on any connection (inside `transaction()` for writes) ----------------------


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def load(conn: sqlite3.Connection, entity: str, entity_id: str) -> dict[str, Any] | None:
    """The record's wire data (without `id`), or None."""
    row = conn.execute(f"SELECT data FROM {TABLES[entity].name} WHERE id = ?", (entity_id,)).fetchone()
    return json.loads(row[0]) if row else None


def with_id(entity_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": entity_id, **data}


def _upsert_sql(table: Table) -> str:
    columns = ("id", "version", "data", *table.columns)
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns[1:])
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}"
    )


_CHANGE_SQL = "INSERT OR REPLACE INTO changes (entity, entity_id, op, version) VALUES (?, ?, ?, ?)"


def store(conn: sqlite3.Connection, entity: str, entity_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Write a record with its version bumped by one and record the change; returns the stored data."""
    table = TABLES[entity]
    row = conn.execute(f"SELECT version FROM {table.name} WHERE id = ?", (entity_id,)).fetchone()
    before = _scope_of(conn, entity_id) if entity == "conversation" else None
    if row is None:  # a re-created record must still move past its tombstone's version
        row = conn.execute(
            "SELECT version FROM changes WHERE entity = ? AND entity_id = ?", (entity, entity_id)
        ).fetchone()
    version = (row[0] if row else 0) + 1
    data = {**data, "version": version}
    conn.execute(_upsert_sql(table), (entity_id, version, dumps(data), *(data.get(c) for c in table.columns)))
    conn.execute(_CHANGE_SQL, (entity, entity_id, "upsert", version))
    if entity == "conversation":
        _follow_scope(conn, entity_id, before, (data.get("queue_id"), data.get("assignee_id")))
    return data


# -- the scope trail of conversations (read by the scoped feed, server/scope.py) ------------------

# Records hanging off a conversation, re-sent after it when it comes into someone's scope.
_HANGING = (("message", "SELECT id, version FROM messages WHERE conversation_id = ?"),
            ("csat", "SELECT id, version FROM csat_scores WHERE conversation_id = ?"),
            ("offer", "SELECT id, version FROM offers WHERE conversation_id = ?"),
            ("callback", "SELECT id, version FROM callbacks WHERE json_extract(data, '$.conversation_id') = ?"))


def _scope_of(conn: sqlite3.Connection, conversation_id: str) -> tuple[str | None, str | None] | None:
    row = conn.execute("SELECT queue_id, assignee_id FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    return (row[0], row[1]) if row else None


def _follow_scope(conn: sqlite3.Connection, conversation_id: str, before: tuple[str | None, str | None] | None,
                  after: tuple[str | None, str | None]) -> None:
    """Remember the new (queue, assignee); when new viewers may see it (another queue, a new
    assignee), re-send its records after it: the feed is one row per record, so those rows are
    older than the newcomer's cursor. The same version again: a client that has them changes nothing."""
    queue_id, assignee_id = after
    conn.execute("INSERT OR IGNORE INTO conversation_scopes VALUES (?, ?, ?)",
                 (conversation_id, queue_id or "", assignee_id or ""))
    if before is None or before == after or (before[0] == queue_id and assignee_id is None):
        return  # new (nothing hangs off it yet), unchanged, or only given back to its own queue
    for entity, sql in _HANGING:
        conn.executemany(_CHANGE_SQL, [(entity, record_id, "upsert", version)
                                       for record_id, version in conn.execute(sql, (conversation_id,)).fetchall()])


def store_many(conn: sqlite3.Connection, entity: str, records: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """Bulk insert of new records keeping their given `version` (default 1); for loading seed data."""
    table = TABLES[entity]
    rows: list[tuple[Any, ...]] = []
    changes: list[tuple[str, str, str, int]] = []
    scopes: list[tuple[str, str, str]] = []  # conversations: the first entry of their scope trail
    for entity_id, data in records:
        version = data.setdefault("version", 1)
        scopes.append((entity_id, data.get("queue_id") or "", data.get("assignee_id") or ""))
        rows.append((entity_id, version, dumps(data), *(data.get(c) for c in table.columns)))
        changes.append((entity, entity_id, "upsert", version))
    conn.executemany(_upsert_sql(table), rows)
    conn.executemany(_CHANGE_SQL, changes)
    if entity == "conversation":
        conn.executemany("INSERT OR IGNORE INTO conversation_scopes VALUES (?, ?, ?)", scopes)
    return len(rows)


def delete(conn: sqlite3.Connection, entity: str, entity_id: str) -> int | None:
    """Delete a record and leave a tombstone in the feed; returns the tombstone's version."""
    table = TABLES[entity]
    row = conn.execute(f"SELECT version FROM {table.name} WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        return None
    version = row[0] + 1
    conn.execute(f"DELETE FROM {table.name} WHERE id = ?", (entity_id,))
    conn.execute(_CHANGE_SQL, (entity, entity_id, "delete", version))
    return version


# -- customer contact index (phone, e-mail, handle → customer) -----------------------------------

CONTACT_FIELDS = {"phone": "phones", "email": "emails", "handle": "handles"}


def contact_key(kind: str, value: str | None) -> str | None:
    """A comparable form: phones by their digits, e-mails and handles case-folded."""
    if not value or not value.strip():
        return None
    if kind == "phone":
        digits = "".join(ch for ch in value if ch.isdigit())
        return digits or None
    return value.strip().lstrip("@").casefold() if kind == "handle" else value.strip().casefold()


def index_contacts(conn: sqlite3.Connection, customer_id: str, data: dict[str, Any]) -> None:
    """Remember the customer's phones, e-mails and handles; the first owner of a contact keeps it."""
    rows = [
        (kind, key, customer_id)
        for kind, field in CONTACT_FIELDS.items()
        for value in data.get(field) or []
        if (key := contact_key(kind, value))
    ]
    conn.executemany("INSERT OR IGNORE INTO customer_contacts (kind, value, customer_id) VALUES (?, ?, ?)", rows)


def find_customer(conn: sqlite3.Connection, kind: str, value: str | None) -> str | None:
    key = contact_key(kind, value)
    if key is None:
        return None
    row = conn.execute(
        "SELECT customer_id FROM customer_contacts WHERE kind = ? AND value = ?", (kind, key)
    ).fetchone()
    return row[0] if row else None
