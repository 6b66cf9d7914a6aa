"""Opening the cache when the file is damaged: move it aside, rebuild, rescue unsent work.

The cache is a copy of the server plus the agent's unsent work. When SQLite cannot open it
("file is not a database", "database disk image is malformed"), the damaged file and its WAL
are renamed (never deleted: an administrator may want them), a fresh cache is created — the
next sync fills it from the server — and whatever can still be read of the outbox, the drafts
and the pending messages is copied into the new one. A cache written by a newer app version is
NOT damage: that error goes to the caller unchanged, and the file stays where it is.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import meta
from .database import Database, StoreError, damage_marker

log = logging.getLogger(__name__)

RECOVERY_NOTICE = "recovery.notice"
_OUTBOX_COLUMNS = ("key", "action", "conversation_id", "payload", "base_version", "state", "attempts",
                   "next_attempt_at", "last_error", "server_state", "created_at")
_MESSAGE_COLUMNS = ("id", "conversation_id", "kind", "direction", "author_id", "author_name", "body", "created_at",
                    "version", "idempotency_key")


@dataclass
class Recovery:
    moved_to: Path
    reason: str
    outbox: int = 0
    drafts: int = 0
    messages: int = 0
    lost_tables: list[str] = field(default_factory=list)


def _is_damage(exc: BaseException) -> bool:
    cause = exc.__cause__
    return isinstance(cause, sqlite3.DatabaseError) and not isinstance(exc.__cause__, sqlite3.ProgrammingError)


def _salvage(path: Path) -> tuple[dict[str, list[tuple[Any, ...]]], list[str]]:
    """Read what can still be read, table by table; a damaged table is skipped, not fatal."""
    rescued: dict[str, list[tuple[Any, ...]]] = {"outbox": [], "drafts": [], "messages": []}
    lost: list[str] = []
    queries = {
        "outbox": f"SELECT {', '.join(_OUTBOX_COLUMNS)} FROM outbox ORDER BY seq",
        "drafts": "SELECT conversation_id, kind, body, updated_at FROM drafts",
        "messages": f"SELECT {', '.join(_MESSAGE_COLUMNS)} FROM messages WHERE pending = 1",
    }
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return rescued, list(queries)
    try:
        for table, sql in queries.items():
            try:
                rescued[table] = conn.execute(sql).fetchall()
            except sqlite3.Error:
                lost.append(table)
    finally:
        conn.close()
    return rescued, lost


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        n += 1
    for suffix in ("", "-wal", "-shm", "-journal"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.rename(Path(f"{target}{suffix}"))
    return target


def _restore(conn: sqlite3.Connection, rescued: dict[str, list[tuple[Any, ...]]], notice: dict[str, Any]) -> None:
    from . import fts  # late: keeps this module light to import

    marks = ", ".join("?" for _ in _OUTBOX_COLUMNS)
    conn.executemany(f"INSERT OR IGNORE INTO outbox({', '.join(_OUTBOX_COLUMNS)}) VALUES({marks})", rescued["outbox"])
    conn.executemany("INSERT OR REPLACE INTO drafts(conversation_id, kind, body, updated_at) VALUES(?,?,?,?)",
                     rescued["drafts"])
    marks = ", ".join("?" for _ in _MESSAGE_COLUMNS)
    for row in rescued["messages"]:
        cursor = conn.execute(
            f"INSERT OR IGNORE INTO messages({', '.join(_MESSAGE_COLUMNS)}, pending) VALUES({marks}, 1)", row)
        if cursor.rowcount and cursor.lastrowid is not None:
            fts.index_message(conn, cursor.lastrowid, row[6], None)
    _show_rescued_files(conn, rescued["outbox"])
    meta.put(conn, RECOVERY_NOTICE, json.dumps(notice, ensure_ascii=False))


def _show_rescued_files(conn: sqlite3.Connection, items: list[tuple[Any, ...]]) -> None:
    """A rescued reply's copy shows its files and HTML again, from its outbox payload (the files
    themselves stay in the attachment folder, which a rebuild does not touch)."""
    from . import outbox, records  # late, as above

    key_at, payload_at = _OUTBOX_COLUMNS.index("key"), _OUTBOX_COLUMNS.index("payload")
    for item in items:
        try:
            payload = json.loads(item[payload_at])
        except (TypeError, ValueError):
            continue
        files = outbox.files_of(payload)
        html = payload.get("body_html") if isinstance(payload, dict) else None
        if files or html:
            conn.execute("UPDATE messages SET attachments=?, body_html=? WHERE id=? AND pending=1",
                         (records.attachments_json(outbox.local_attachments(files)),
                          html if isinstance(html, str) else "", f"local:{item[key_at]}"))


def open_cache(path: str | Path) -> tuple[Database, Recovery | None]:
    """Open the cache; if SQLite says it is damaged, rebuild it and rescue the unsent work."""
    path = Path(path)
    marker = damage_marker(path)
    if marker.exists():  # corruption was met while the app ran
        reason = marker.read_text(encoding="utf-8", errors="replace") or "damaged"
    else:
        try:
            return Database(path), None
        except StoreError as exc:
            if not _is_damage(exc) or "newer" in str(exc):
                raise
            reason = str(exc.__cause__)
    rescued, lost = _salvage(path)
    moved_to = _move_aside(path)
    log.error("the local cache %s was damaged (%s); kept it as %s and rebuilt it from the server",
              path, reason, moved_to)
    db = Database(path)
    marker.unlink(missing_ok=True)
    recovery = Recovery(moved_to=moved_to, reason=reason, outbox=len(rescued["outbox"]),
                        drafts=len(rescued["drafts"]), messages=len(rescued["messages"]), lost_tables=lost)
    notice = {"at": time.strftime("%Y-%m-%dT%H:%M:%S"), "moved_to": str(moved_to), "reason": reason,
              "outbox": recovery.outbox, "drafts": recovery.drafts, "lost": lost}
    db.write_sync(_restore, rescued, notice)
    return db, recovery


def notice(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The last rebuild, for the Diagnostics view (None if the cache was never rebuilt)."""
    value = meta.get(conn, RECOVERY_NOTICE)
    return json.loads(value) if value else None
