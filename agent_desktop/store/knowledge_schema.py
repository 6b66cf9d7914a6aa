"""Migration step "010_knowledge": scripts, FAQ articles, their per-character FTS5 indexes,
pending usage counts and guided-script runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported only when a step runs: it pulls in numpy (~160 ms at start-up)
    import sqlite_utils


def migrate_knowledge(db: sqlite_utils.Database) -> None:
    # rowid is explicit and stable: the contentless FTS indexes refer to it.
    db.execute(
        """CREATE TABLE scripts (
             rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
             title TEXT NOT NULL, body TEXT NOT NULL, category TEXT NOT NULL, language TEXT NOT NULL,
             shortcut TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]',
             scope TEXT NOT NULL DEFAULT 'shared', owner_id TEXT, kind TEXT NOT NULL DEFAULT 'text',
             start TEXT, steps TEXT NOT NULL DEFAULT '[]', used_count INTEGER NOT NULL DEFAULT 0,
             updated_at TEXT, version INTEGER NOT NULL DEFAULT 1,
             -- local changes not yet confirmed by the server; feed upserts wait until they are
             pending INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0)"""
    )
    db.execute("CREATE INDEX scripts_shortcut ON scripts(shortcut)")
    db.execute("CREATE INDEX scripts_browse ON scripts(category, used_count)")
    db.execute(
        """CREATE TABLE faq_articles (
             rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
             title TEXT NOT NULL, body TEXT NOT NULL, category TEXT NOT NULL, language TEXT NOT NULL,
             tags TEXT NOT NULL DEFAULT '[]', url TEXT NOT NULL DEFAULT '', updated_at TEXT,
             used_count INTEGER NOT NULL DEFAULT 0, helpful_count INTEGER NOT NULL DEFAULT 0,
             not_helpful_count INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1,
             my_feedback TEXT)"""
    )
    db.execute("CREATE INDEX faq_browse ON faq_articles(category, updated_at)")
    db.execute("CREATE VIRTUAL TABLE scripts_fts USING fts5(title, body, keys, content='', tokenize='unicode61')")
    db.execute("CREATE VIRTUAL TABLE faq_fts USING fts5(title, body, tags, content='', tokenize='unicode61')")
    db.execute(
        """CREATE TABLE knowledge_pending_usage (
             entity TEXT NOT NULL, id TEXT NOT NULL, n INTEGER NOT NULL,
             PRIMARY KEY (entity, id)) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE guided_runs (
             conversation_id TEXT PRIMARY KEY, script_id TEXT NOT NULL, state TEXT NOT NULL,
             updated_at TEXT NOT NULL)"""
    )
