"""Schema migrations, applied in list order on open, each once, recorded by name.

Names rather than numbers let features add their own step without renumbering anyone's:
append `("NNN_feature", function)` to MIGRATIONS; never edit a released step.
PRAGMA user_version holds how many steps are applied, so an older app can tell that a
newer one wrote this cache.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported only when a step runs: it pulls in numpy (~160 ms at start-up)
    import sqlite_utils

from .knowledge_schema import migrate_knowledge
from .workflow_schema import migrate_workflow


def _v1(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("customers").create(
        {"id": str, "name": str, "company": str, "tier": str, "phones": str, "emails": str,
         "handles": str, "tags": str, "created_at": str, "updated_at": str, "version": int},
        pk="id",
    )
    db.table("conversations").create(
        {"id": str, "channel": str, "status": str, "priority": str, "priority_rank": int,
         "customer_id": str, "queue_id": str, "assignee_id": str, "subject": str, "preview": str,
         "tags": str, "created_at": str, "updated_at": str, "last_message_at": str,
         "waiting_since": str, "first_response_at": str, "first_response_due": str,
         "resolution_due": str, "message_count": int, "is_open": int,
         # The deadline the inbox sorts by; '9999' when none so "no SLA" sorts last in the index.
         "sla_due": str, "version": int,
         # The last state the server confirmed; local columns = server state + queued changes.
         "server_data": str},
        pk="id",
        not_null={"sla_due", "is_open"},
    )
    db.execute("CREATE INDEX conv_open_sla ON conversations(is_open, sla_due, id)")
    db.execute("CREATE INDEX conv_assignee_sla ON conversations(assignee_id, is_open, sla_due, id)")
    db.execute("CREATE INDEX conv_queue_sla ON conversations(queue_id, is_open, sla_due, id)")
    db.execute("CREATE INDEX conv_channel_sla ON conversations(channel, is_open, sla_due, id)")
    db.execute("CREATE INDEX conv_customer ON conversations(customer_id, last_message_at)")
    # rowid is kept explicit and stable: the contentless FTS index refers to it.
    db.execute(
        """CREATE TABLE messages (
             rowid INTEGER PRIMARY KEY,
             id TEXT NOT NULL UNIQUE,
             conversation_id TEXT NOT NULL,
             kind TEXT NOT NULL, direction TEXT NOT NULL,
             author_id TEXT, author_name TEXT, body TEXT NOT NULL,
             created_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1,
             idempotency_key TEXT,
             pending INTEGER NOT NULL DEFAULT 0)"""
    )
    db.execute("CREATE INDEX msg_conversation ON messages(conversation_id, created_at)")
    db.execute("CREATE INDEX msg_idempotency ON messages(idempotency_key) WHERE idempotency_key IS NOT NULL")
    db.table("queues").create({"id": str, "name": str, "name_en": str, "description": str, "version": int}, pk="id")
    db.table("agents").create(
        {"id": str, "username": str, "name": str, "role": str, "queue_ids": str, "state": str, "version": int},
        pk="id",
    )
    db.execute(
        """CREATE TABLE outbox (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             key TEXT NOT NULL UNIQUE,
             action TEXT NOT NULL,
             conversation_id TEXT NOT NULL,
             payload TEXT NOT NULL,
             base_version INTEGER,
             state TEXT NOT NULL DEFAULT 'queued',
             attempts INTEGER NOT NULL DEFAULT 0,
             next_attempt_at REAL NOT NULL DEFAULT 0,
             last_error TEXT,
             server_state TEXT,
             created_at TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX outbox_state ON outbox(state, seq)")
    db.table("drafts").create({"conversation_id": str, "kind": str, "body": str, "updated_at": str}, pk="conversation_id")
    db.table("invalid_records").create(
        {"id": int, "entity": str, "entity_id": str, "error": str, "seen_at": str}, pk="id"
    )
    # Contentless per-character FTS5 indexes (text spaced by domain.text.spaced_for_index).
    db.execute("CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='', tokenize='unicode61')")
    db.execute(
        "CREATE VIRTUAL TABLE customers_fts USING fts5(name, company, contact, content='', tokenize='unicode61')"
    )
    db.execute("CREATE VIRTUAL TABLE conversations_fts USING fts5(subject, content='', tokenize='unicode61')")
    db.execute("CREATE TABLE customers_rowid (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, indexed TEXT)")
    db.execute("CREATE TABLE conversations_rowid (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, indexed TEXT)")


def _queue_business_hours(db: sqlite_utils.Database) -> None:
    # A queue's opening hours (JSON, domain.business_hours); '' until the server sends them.
    db.execute("ALTER TABLE queues ADD COLUMN business_hours TEXT NOT NULL DEFAULT ''")


def _message_events(db: sqlite_utils.Database) -> None:
    # A generated message's event and target (domain.enums.MessageEvent), worded by the client.
    db.execute("ALTER TABLE messages ADD COLUMN event TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE messages ADD COLUMN event_target TEXT NOT NULL DEFAULT ''")


def _outbox_base_state(db: sqlite_utils.Database) -> None:
    # A ticket change's per-field base (domain/concurrency.py); NULL for items queued before.
    db.execute("ALTER TABLE outbox ADD COLUMN base_state TEXT")


def _outbox_send_started(db: sqlite_utils.Database) -> None:
    # When a send to a backend without idempotency keys first began (its answer may be lost):
    # a later attempt looks on the server for its own earlier write before writing again.
    db.execute("ALTER TABLE outbox ADD COLUMN send_started_at TEXT")


def _blobs(db: sqlite_utils.Database) -> None:
    # The attachment cache (store/blobs.py): one row per file under <attachments>/<sha[:2]>/<sha>.
    # `pinned` counts holders that must keep the file (a staged file, a queued reply's file).
    db.execute("CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, "
               "last_used REAL NOT NULL, pinned INTEGER NOT NULL DEFAULT 0)")
    db.execute("CREATE INDEX blobs_lru ON blobs(pinned, last_used)")
    # Which cached file an attachment is, for backends that do not say its sha256.
    db.execute("CREATE TABLE attachment_blobs (attachment_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL)")


def _message_attachments(db: sqlite_utils.Database) -> None:
    # A message's files (JSON list of domain Attachment wire dicts, '' when none) and its HTML part.
    db.execute("ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE messages ADD COLUMN body_html TEXT NOT NULL DEFAULT ''")


MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("001_core", _v1),
    ("010_knowledge", migrate_knowledge),
    ("020_workflow", migrate_workflow),
    ("030_queue_business_hours", _queue_business_hours),
    ("031_message_events", _message_events),
    ("032_outbox_base_state", _outbox_base_state),
    ("033_outbox_send_started", _outbox_send_started),
    ("034_blobs", _blobs),
    ("035_message_attachments", _message_attachments),
]


def migrate(db: sqlite_utils.Database) -> int:
    """Apply every step not applied yet; returns how many are applied. Each commits on its own."""
    conn = db.conn
    newer = conn.execute("PRAGMA user_version").fetchone()[0] > len(MIGRATIONS)
    if not newer:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    applied = set() if newer else {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
    known = {name for name, _ in MIGRATIONS}
    unknown = applied - known
    if newer or unknown:
        raise RuntimeError(
            "the local cache was written by a newer Agent Desktop; update the app "
            f"(unknown schema steps: {', '.join(sorted(unknown)) or 'newer version'})"
        )
    for name, step in MIGRATIONS:
        if name in applied:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            step(db)
            conn.execute("INSERT INTO schema_migrations(name, applied_at) VALUES(?, datetime('now'))", (name,))
            conn.execute(f"PRAGMA user_version={len(applied) + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.add(name)
    return len(applied)


def needs_migration(conn: sqlite3.Connection) -> bool:
    """True when a step is missing (or a newer app wrote the file: `migrate` then says so)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] != len(MIGRATIONS):
        return True
    try:
        applied = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
    except sqlite3.OperationalError:
        return True
    return any(name not in applied for name, _ in MIGRATIONS)
