"""Full-text search over messages, conversations and customers (Chinese and English)."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from ..domain.text import fts_query, like_patterns
from . import fts

_DIGITS = re.compile(r"^\+?[\d\s()-]{3,}$")


def messages(conn: sqlite3.Connection, text: str, limit: int = 50) -> list[dict[str, Any]]:
    """Newest matching messages first (ranking by relevance costs too much on common words).

    Right after a full sync the newest messages may not be indexed yet: those are matched by
    substring (LIKE), and being the newest rows, they come first.
    """
    query = fts_query(text)
    if query is None:
        return []
    hits: list[int] = []
    upto = fts.indexed_upto(conn)
    patterns = like_patterns(text) if upto is not None else []
    if patterns:
        where = " AND ".join("body LIKE ? ESCAPE '\\'" for _ in patterns)
        hits = [rowid for (rowid,) in conn.execute(
            f"SELECT rowid FROM messages WHERE rowid > ? AND {where} ORDER BY rowid DESC LIMIT ?",
            (upto, *patterns, limit))]
    if len(hits) < limit and upto != 0:
        # Only up to the same watermark: a chunk indexed between the two reads must not match twice.
        below = " AND rowid <= ?" if upto is not None else ""
        hits += [rowid for (rowid,) in conn.execute(
            f"SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?{below} ORDER BY rowid DESC LIMIT ?",
            (query, *(() if upto is None else (upto,)), limit - len(hits)))]
    if not hits:
        return []
    cursor = conn.execute(
        "SELECT m.id, m.conversation_id, m.body, m.created_at, m.direction, m.kind, c.subject, c.channel, "
        "c.status, c.customer_id, cu.name AS customer_name, cu.phones AS customer_phones "
        "FROM json_each(?) hit JOIN messages m ON m.rowid = hit.value "
        "LEFT JOIN conversations c ON c.id = m.conversation_id "
        "LEFT JOIN customers cu ON cu.id = c.customer_id ORDER BY m.rowid DESC",
        (json.dumps(hits),),
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def customers(conn: sqlite3.Connection, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """By name, company, phone, e-mail or handle; digits also match inside a phone number."""
    columns = "cu.id, cu.name, cu.company, cu.tier, cu.phones, cu.emails"
    found: dict[str, dict[str, Any]] = {}
    query = fts_query(text)
    if query is not None:
        cursor = conn.execute(
            f"SELECT {columns} FROM (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? LIMIT ?) hit "
            "JOIN customers_rowid r ON r.rowid = hit.rowid JOIN customers cu ON cu.id = r.id",
            (query, limit),
        )
        names = [d[0] for d in cursor.description]
        for row in cursor.fetchall():
            found[row[0]] = dict(zip(names, row, strict=True))
    if _DIGITS.match(text.strip()) and len(found) < limit:
        digits = re.sub(r"[\s()+-]", "", text.strip()).lstrip("+")
        # Compare digits with digits: "+86 138-1234-5678" must match "12345678". The first LIKE
        # (the digits in order, anything between) is implied by the exact test and costs a
        # tenth of the five replace() calls, so only its few candidates pay for those.
        cursor = conn.execute(
            f"SELECT {columns} FROM customers cu WHERE cu.phones LIKE ? AND replace(replace(replace(replace("
            "replace(cu.phones, ' ', ''), '-', ''), '(', ''), ')', ''), '+', '') LIKE ? LIMIT ?",
            ("%" + "%".join(digits) + "%", f"%{digits}%", limit))
        names = [d[0] for d in cursor.description]
        for row in cursor.fetchall():
            found.setdefault(row[0], dict(zip(names, row, strict=True)))
    return list(found.values())[:limit]


def conversations(conn: sqlite3.Connection, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """By subject."""
    query = fts_query(text)
    if query is None:
        return []
    cursor = conn.execute(
        "SELECT c.id, c.subject, c.channel, c.status, c.last_message_at, c.customer_id, cu.name AS customer_name, "
        "cu.phones AS customer_phones "
        "FROM (SELECT rowid FROM conversations_fts WHERE conversations_fts MATCH ? ORDER BY rowid DESC LIMIT ?) hit "
        "JOIN conversations_rowid r ON r.rowid = hit.rowid JOIN conversations c ON c.id = r.id "
        "LEFT JOIN customers cu ON cu.id = c.customer_id",
        (query, limit),
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
