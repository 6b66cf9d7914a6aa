"""Versioned schema migrations (PRAGMA user_version), applied in order on open.

Each step is append-only: never edit a released step, add the next one.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils


def _v1(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["customers"].create(
        {"id": str, "name": str, "company": str, "tier": str, "phones": str, "emails": str,
         "handles": str, "tags": str, "created_at": str, "updated_at": str, "version": int},
        pk="id",
    )
    db["conversations"].create(
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
    db["queues"].create({"id": str, "name": str, "name_en": str, "description": str, "version": int}, pk="id")
    db["agents"].create(
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
    db["drafts"].create({"conversation_id": str, "kind": str, "body": str, "updated_at": str}, pk="conversation_id")
    db["invalid_records"].create(
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


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1]


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the schema to the newest version; returns it. Each step commits on its own."""
    conn = db.conn
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > len(MIGRATIONS):
        raise RuntimeError(
            f"the local cache was written by a newer Agent Desktop (schema {current}); update the app"
        )
    for version in range(current + 1, len(MIGRATIONS) + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version - 1](db)
            conn.execute(f"PRAGMA user_version={version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)
