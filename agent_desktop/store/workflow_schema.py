"""Migration step "020_workflow": callbacks, orders, wrap-up codes, SLA policies, CSAT, customer
notes, routing offers and agent presence in the cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported only when a step runs: it pulls in numpy (~160 ms at start-up)
    import sqlite_utils


def migrate_workflow(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE callbacks (
             id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, conversation_id TEXT, agent_id TEXT,
             due_at TEXT NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
             reason TEXT NOT NULL DEFAULT '', outcome_note TEXT NOT NULL DEFAULT '',
             attempts INTEGER NOT NULL DEFAULT 0, created_at TEXT, completed_at TEXT,
             version INTEGER NOT NULL DEFAULT 0,
             -- the outbox key of a local change the server has not confirmed yet
             pending_key TEXT)"""
    )
    db.execute("CREATE INDEX callbacks_due ON callbacks(status, due_at)")
    db.execute("CREATE INDEX callbacks_customer ON callbacks(customer_id, status)")
    db.execute(
        """CREATE TABLE orders (
             id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, number TEXT NOT NULL, status TEXT NOT NULL,
             total TEXT NOT NULL, currency TEXT NOT NULL, placed_at TEXT, items TEXT NOT NULL DEFAULT '[]',
             version INTEGER NOT NULL)"""
    )
    db.execute("CREATE INDEX orders_customer ON orders(customer_id, placed_at)")
    db.execute(
        """CREATE TABLE dispositions (
             id TEXT PRIMARY KEY, name TEXT NOT NULL, name_en TEXT NOT NULL DEFAULT '',
             resolves INTEGER NOT NULL DEFAULT 1, position INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL)"""
    )
    db.execute("CREATE TABLE sla_policies (id TEXT PRIMARY KEY, data TEXT NOT NULL, version INTEGER NOT NULL)")
    db.execute(
        """CREATE TABLE csat (
             id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, customer_id TEXT NOT NULL, score INTEGER NOT NULL,
             comment TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT 'survey', agent_id TEXT,
             created_at TEXT, version INTEGER NOT NULL DEFAULT 0, pending_key TEXT)"""
    )
    db.execute("CREATE INDEX csat_customer ON csat(customer_id)")
    db.execute("CREATE INDEX csat_conversation ON csat(conversation_id)")
    db.execute(
        """CREATE TABLE customer_notes (
             id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, body TEXT NOT NULL, author_id TEXT,
             author_name TEXT NOT NULL DEFAULT '', created_at TEXT, updated_at TEXT,
             version INTEGER NOT NULL DEFAULT 0, pending_key TEXT)"""
    )
    db.execute("CREATE INDEX customer_notes_customer ON customer_notes(customer_id, created_at)")
    db.execute(
        """CREATE TABLE offers (
             id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, agent_id TEXT NOT NULL, state TEXT NOT NULL,
             channel TEXT NOT NULL DEFAULT '', offered_at TEXT, expires_at TEXT, version INTEGER NOT NULL)"""
    )
    db.execute("CREATE INDEX offers_agent ON offers(agent_id, state)")
    db.execute(
        """CREATE TABLE agent_statuses (
             id TEXT PRIMARY KEY, state TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', since TEXT,
             capacity TEXT NOT NULL DEFAULT '{}', load TEXT NOT NULL DEFAULT '{}', version INTEGER NOT NULL,
             routable INTEGER NOT NULL DEFAULT 0, pending_key TEXT)"""
    )
