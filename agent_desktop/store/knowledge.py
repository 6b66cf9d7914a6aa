"""Scripts (话术) and FAQ articles in the cache: feed writers, per-character FTS, search, suggestions,
local personal-script edits, usage counts and guided-script runs.

Importing this module registers the `script` and `faq_article` feed entities.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..domain.knowledge import FaqArticle, Script, keywords, parse_faq_article, parse_script
from ..domain.text import BREAK_TOKEN, fts_query, spaced_for_index
from ..domain.timeutil import now_iso
from . import changes

SCRIPT_COLUMNS = ("id", "title", "body", "category", "language", "shortcut", "tags", "scope", "owner_id", "kind",
                  "start", "steps", "used_count", "updated_at", "version")
ARTICLE_COLUMNS = ("id", "title", "body", "category", "language", "tags", "url", "updated_at", "used_count",
                   "helpful_count", "not_helpful_count", "version")
# Column weights for bm25: a hit in the title or shortcut counts far more than one in the body.
SCRIPT_WEIGHTS = "10.0, 1.0, 6.0"
ARTICLE_WEIGHTS = "8.0, 1.0, 4.0"


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# Category names in both languages go into the index, so `/投诉` or "after-sales" find the category's scripts.
CATEGORY_WORDS = {"presales": "售前 pre-sales", "aftersales": "售后 after-sales", "complaints": "投诉 complaint",
                  "general": "通用 general"}


def _script_fts_values(title: str, body: str, shortcut: str, tags: str, category: str) -> tuple[str, str, str]:
    keys = " ".join([shortcut, *json.loads(tags or "[]"), CATEGORY_WORDS.get(category, "")])
    return spaced_for_index(title), spaced_for_index(body), spaced_for_index(keys)


def _article_fts_values(title: str, body: str, tags: str) -> tuple[str, str, str]:
    return spaced_for_index(title), spaced_for_index(body), spaced_for_index(" ".join(json.loads(tags or "[]")))


# -- scripts: feed and local rows ------------------------------------------------------------------


def _unindex_script(conn: sqlite3.Connection, rowid: int, row: tuple[str, str, str, str, str]) -> None:
    conn.execute("INSERT INTO scripts_fts(scripts_fts, rowid, title, body, keys) VALUES('delete', ?, ?, ?, ?)",
                 (rowid, *_script_fts_values(*row)))


def _store_script(conn: sqlite3.Connection, script: Script, *, pending: int = 0) -> None:
    values = script.to_wire()
    values["id"] = script.id
    values["tags"] = json.dumps(script.tags, ensure_ascii=False)
    values["steps"] = json.dumps(script.steps, ensure_ascii=False)
    old = conn.execute("SELECT rowid, title, body, shortcut, tags, category, deleted FROM scripts WHERE id=?",
                       (script.id,)).fetchone()
    columns = [*SCRIPT_COLUMNS, "pending", "deleted"]
    params = [values[c] for c in SCRIPT_COLUMNS] + [pending, 0]
    new_text = (values["title"], values["body"], values["shortcut"], values["tags"], values["category"])
    if old is not None:
        rowid = old[0]
        sets = ", ".join(f"{c}=?" for c in columns[1:])
        conn.execute(f"UPDATE scripts SET {sets} WHERE rowid=?", [*params[1:], rowid])
        if tuple(old[1:6]) == new_text and not old[6]:
            return  # only counts changed: the index already holds this text
        if not old[6]:
            _unindex_script(conn, rowid, tuple(old[1:6]))
    else:
        rowid = conn.execute(f"INSERT INTO scripts({', '.join(columns)}) VALUES({', '.join('?' * len(columns))})",
                             params).lastrowid
    conn.execute("INSERT INTO scripts_fts(rowid, title, body, keys) VALUES(?, ?, ?, ?)",
                 (rowid, *_script_fts_values(*new_text)))


def write_script(conn: sqlite3.Connection, script: Script) -> None:
    """From the feed. A script with local changes still queued keeps them until the server confirms."""
    row = conn.execute("SELECT pending FROM scripts WHERE id=?", (script.id,)).fetchone()
    if row is not None and row[0] > 0:
        return
    _store_script(conn, script)


def delete_script(conn: sqlite3.Connection, script_id: str) -> None:
    row = conn.execute("SELECT rowid, title, body, shortcut, tags, category, deleted FROM scripts WHERE id=?",
                       (script_id,)).fetchone()
    if row is None:
        return
    if not row[6]:
        _unindex_script(conn, row[0], tuple(row[1:6]))
    conn.execute("DELETE FROM scripts WHERE rowid=?", (row[0],))


def save_local_script(conn: sqlite3.Connection, script: Script) -> None:
    """An agent's own create or edit, shown at once and marked pending until the server confirms."""
    row = conn.execute("SELECT pending FROM scripts WHERE id=?", (script.id,)).fetchone()
    _store_script(conn, script, pending=(row[0] if row else 0) + 1)


def mark_script_deleted(conn: sqlite3.Connection, script_id: str) -> None:
    """Hide a script at once (out of the index too); the row goes when the server confirms."""
    row = conn.execute("SELECT rowid, title, body, shortcut, tags, category, deleted FROM scripts WHERE id=?",
                       (script_id,)).fetchone()
    if row is None:
        raise KeyError(script_id)
    if not row[6]:
        _unindex_script(conn, row[0], tuple(row[1:6]))
    conn.execute("UPDATE scripts SET deleted=1, pending=pending+1 WHERE rowid=?", (row[0],))


def confirm_script(conn: sqlite3.Connection, script_id: str, server: Script | None) -> None:
    """The server answered one of our queued script actions: one fewer pending; when none remain,
    its version (or its deletion) becomes ours."""
    conn.execute("UPDATE scripts SET pending=max(pending-1, 0) WHERE id=?", (script_id,))
    row = conn.execute("SELECT pending, deleted FROM scripts WHERE id=?", (script_id,)).fetchone()
    if row is None or row[0] > 0:
        return
    if row[1] or server is None:
        delete_script(conn, script_id)
    else:
        _store_script(conn, server)


def script_by_id(conn: sqlite3.Connection, script_id: str) -> dict[str, Any] | None:
    rows = _dicts(conn.execute(f"SELECT {_SCRIPT_SELECT} FROM scripts s WHERE s.id=? AND s.deleted=0", (script_id,)))
    return _decode_script(rows[0]) if rows else None


# -- articles --------------------------------------------------------------------------------------


def write_article(conn: sqlite3.Connection, article: FaqArticle) -> None:
    values = article.to_wire()
    values["id"] = article.id
    values["tags"] = json.dumps(article.tags, ensure_ascii=False)
    old = conn.execute("SELECT rowid, title, body, tags FROM faq_articles WHERE id=?", (article.id,)).fetchone()
    params = [values[c] for c in ARTICLE_COLUMNS]
    new_text = (values["title"], values["body"], values["tags"])
    if old is not None:
        sets = ", ".join(f"{c}=?" for c in ARTICLE_COLUMNS[1:])
        conn.execute(f"UPDATE faq_articles SET {sets} WHERE rowid=?", [*params[1:], old[0]])
        if tuple(old[1:]) == new_text:
            return
        conn.execute("INSERT INTO faq_fts(faq_fts, rowid, title, body, tags) VALUES('delete', ?, ?, ?, ?)",
                     (old[0], *_article_fts_values(*old[1:])))
        rowid = old[0]
    else:
        rowid = conn.execute(
            f"INSERT INTO faq_articles({', '.join(ARTICLE_COLUMNS)}) VALUES({', '.join('?' * len(ARTICLE_COLUMNS))})",
            params).lastrowid
    conn.execute("INSERT INTO faq_fts(rowid, title, body, tags) VALUES(?, ?, ?, ?)",
                 (rowid, *_article_fts_values(*new_text)))


def delete_article(conn: sqlite3.Connection, article_id: str) -> None:
    old = conn.execute("SELECT rowid, title, body, tags FROM faq_articles WHERE id=?", (article_id,)).fetchone()
    if old is None:
        return
    conn.execute("INSERT INTO faq_fts(faq_fts, rowid, title, body, tags) VALUES('delete', ?, ?, ?, ?)",
                 (old[0], *_article_fts_values(*old[1:])))
    conn.execute("DELETE FROM faq_articles WHERE rowid=?", (old[0],))


def set_article_counts(conn: sqlite3.Connection, article_id: str, counts: dict[str, Any]) -> None:
    fields = {k: int(v) for k, v in counts.items()
              if k in ("used_count", "helpful_count", "not_helpful_count") and isinstance(v, int)}
    if fields:
        sets = ", ".join(f"{k}=?" for k in fields)
        conn.execute(f"UPDATE faq_articles SET {sets} WHERE id=?", [*fields.values(), article_id])


def set_my_feedback(conn: sqlite3.Connection, article_id: str, helpful: bool) -> None:
    if conn.execute("UPDATE faq_articles SET my_feedback=? WHERE id=?",
                    ("helpful" if helpful else "not_helpful", article_id)).rowcount == 0:
        raise KeyError(article_id)


def article_by_id(conn: sqlite3.Connection, article_id: str) -> dict[str, Any] | None:
    rows = _dicts(conn.execute(f"SELECT {_ARTICLE_SELECT} FROM faq_articles a WHERE a.id=?", (article_id,)))
    return _decode_article(rows[0]) if rows else None


# -- usage counts ----------------------------------------------------------------------------------


def add_pending_use(conn: sqlite3.Connection, entity: str, record_id: str, count: int = 1) -> None:
    conn.execute("INSERT INTO knowledge_pending_usage(entity, id, n) VALUES(?, ?, ?) "
                 "ON CONFLICT(entity, id) DO UPDATE SET n = n + excluded.n", (entity, record_id, count))


def confirm_use(conn: sqlite3.Connection, entity: str, record_id: str, count: int, used_count: int | None) -> None:
    """The server counted our use: the pending count drops and its total becomes ours."""
    conn.execute("UPDATE knowledge_pending_usage SET n = n - ? WHERE entity=? AND id=?", (count, entity, record_id))
    conn.execute("DELETE FROM knowledge_pending_usage WHERE n <= 0")
    if used_count is not None:
        table = "scripts" if entity == "script" else "faq_articles"
        conn.execute(f"UPDATE {table} SET used_count=? WHERE id=?", (used_count, record_id))


# -- reading: search, browse, suggestions ------------------------------------------------------------

_SCRIPT_SELECT = (
    "s.id, s.title, s.body, s.category, s.language, s.shortcut, s.tags, s.scope, s.owner_id, s.kind, s.start, "
    "s.steps, s.updated_at, s.pending, s.version, s.used_count + coalesce((SELECT n FROM knowledge_pending_usage u "
    "WHERE u.entity='script' AND u.id=s.id), 0) AS used_count")
_ARTICLE_SELECT = (
    "a.id, a.title, a.body, a.category, a.language, a.tags, a.url, a.updated_at, a.helpful_count, "
    "a.not_helpful_count, a.my_feedback, a.used_count + coalesce((SELECT n FROM knowledge_pending_usage u "
    "WHERE u.entity='faq_article' AND u.id=a.id), 0) AS used_count")


def _decode_script(row: dict[str, Any]) -> dict[str, Any]:
    row["tags"] = json.loads(row["tags"] or "[]")
    row["steps"] = json.loads(row["steps"] or "[]")
    return row


def _decode_article(row: dict[str, Any]) -> dict[str, Any]:
    row["tags"] = json.loads(row["tags"] or "[]")
    return row


def _visible(agent_id: str) -> tuple[str, tuple[Any, ...]]:
    return "s.deleted=0 AND (s.scope='shared' OR s.owner_id=?)", (agent_id,)


def search_scripts(conn: sqlite3.Connection, text: str, agent_id: str, *, category: str | None = None,
                   kind: str | None = None, language: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Shortcut matches first (typed after `/`), then full-text hits by relevance; without text,
    the most used. `language` ranks scripts in that language first, it does not hide the others."""
    where, params = _visible(agent_id)
    if category:
        where += " AND s.category=?"
        params += (category,)
    if kind:
        where += " AND s.kind=?"
        params += (kind,)
    lang_order = "(s.language = ?) DESC, " if language else ""
    lang_param: tuple[Any, ...] = (language,) if language else ()
    text = text.strip().lstrip("/")
    query = fts_query(text)
    if query is None:
        return [_decode_script(r) for r in _dicts(conn.execute(
            f"SELECT {_SCRIPT_SELECT} FROM scripts s WHERE {where} ORDER BY {lang_order}s.used_count DESC, s.title "
            "LIMIT ?", (*params, *lang_param, limit)))]
    found: dict[str, dict[str, Any]] = {}
    if all(ch.isalnum() or ch in "-_" for ch in text) and len(text) <= 32:
        # The shortcut index: `/ref` finds `refund` at once, before relevance ranking.
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        for row in _dicts(conn.execute(
                f"SELECT {_SCRIPT_SELECT} FROM scripts s WHERE {where} AND s.shortcut LIKE ? ESCAPE '\\' "
                f"ORDER BY {lang_order}(lower(s.shortcut) = ?) DESC, length(s.shortcut), s.used_count DESC LIMIT ?",
                (*params, escaped + "%", *lang_param, text.lower(), limit))):
            found[row["id"]] = row
    if len(found) < limit:
        rows = _dicts(conn.execute(
            f"SELECT {_SCRIPT_SELECT} FROM (SELECT rowid, bm25(scripts_fts, {SCRIPT_WEIGHTS}) AS score "
            "FROM scripts_fts WHERE scripts_fts MATCH ? ORDER BY score LIMIT ?) hit "
            f"JOIN scripts s ON s.rowid = hit.rowid WHERE {where} ORDER BY {lang_order}hit.score",
            (query, limit * 2, *params, *lang_param)))
        for row in rows:
            found.setdefault(row["id"], row)
    return [_decode_script(r) for r in list(found.values())[:limit]]


def search_articles(conn: sqlite3.Connection, text: str, *, category: str | None = None,
                    language: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Full-text hits by relevance (title and tags weigh most); without text, the newest."""
    where, params = "1", tuple[str, ...]()
    if category:
        where, params = "a.category=?", (category,)
    lang_order = "(a.language = ?) DESC, " if language else ""
    lang_param: tuple[Any, ...] = (language,) if language else ()
    query = fts_query(text)
    if query is None:
        return [_decode_article(r) for r in _dicts(conn.execute(
            f"SELECT {_ARTICLE_SELECT} FROM faq_articles a WHERE {where} ORDER BY {lang_order}a.updated_at DESC "
            "LIMIT ?", (*params, *lang_param, limit)))]
    return [_decode_article(r) for r in _dicts(conn.execute(
        f"SELECT {_ARTICLE_SELECT} FROM (SELECT rowid, bm25(faq_fts, {ARTICLE_WEIGHTS}) AS score FROM faq_fts "
        "WHERE faq_fts MATCH ? ORDER BY score LIMIT ?) hit JOIN faq_articles a ON a.rowid = hit.rowid "
        f"WHERE {where} ORDER BY {lang_order}hit.score", (query, limit * 2 if category else limit, *params,
                                                          *lang_param)))][:limit]


def suggestion_query(texts: list[str]) -> str | None:
    """An OR query of the customer's key terms (Chinese pairs as phrases): any term may match,
    and bm25 ranks articles that share more, rarer terms with the customer higher."""
    terms = keywords("\n".join(texts))
    if not terms:
        return None
    parts = []
    for term in terms:
        if term.isascii():
            pieces = [p for p in term.replace("'", "-").split("-") if p]
            parts.append('"' + f" {BREAK_TOKEN} ".join(pieces) + '"')
        else:
            parts.append('"' + " ".join(term) + '"')
    return " OR ".join(parts)


def suggest_articles(conn: sqlite3.Connection, texts: list[str], *, language: str | None = None,
                     limit: int = 5) -> list[dict[str, Any]]:
    query = suggestion_query(texts)
    if query is None:
        return []
    rows = _dicts(conn.execute(
        f"SELECT {_ARTICLE_SELECT}, hit.score FROM (SELECT rowid, bm25(faq_fts, {ARTICLE_WEIGHTS}) AS score "
        "FROM faq_fts WHERE faq_fts MATCH ? ORDER BY score LIMIT ?) hit "
        "JOIN faq_articles a ON a.rowid = hit.rowid ORDER BY hit.score", (query, limit * 4)))
    # bm25 is negative (lower is better); an article in the customer's language gets a nudge.
    for row in rows:
        row["score"] = row["score"] * (1.25 if language and row["language"] == language else 1.0)
    rows.sort(key=lambda r: r["score"])
    return [_decode_article(r) for r in rows[:limit]]


def suggest_scripts(conn: sqlite3.Connection, texts: list[str], agent_id: str, *, language: str | None = None,
                    limit: int = 3) -> list[dict[str, Any]]:
    query = suggestion_query(texts)
    if query is None:
        return []
    where, params = _visible(agent_id)
    rows = _dicts(conn.execute(
        f"SELECT {_SCRIPT_SELECT}, hit.score FROM (SELECT rowid, bm25(scripts_fts, {SCRIPT_WEIGHTS}) AS score "
        "FROM scripts_fts WHERE scripts_fts MATCH ? ORDER BY score LIMIT ?) hit "
        f"JOIN scripts s ON s.rowid = hit.rowid WHERE {where} AND s.kind='text' ORDER BY hit.score",
        (query, limit * 4, *params)))
    for row in rows:
        row["score"] = row["score"] * (1.25 if language and row["language"] == language else 1.0)
    rows.sort(key=lambda r: r["score"])
    return [_decode_script(r) for r in rows[:limit]]


def latest_customer_texts(conn: sqlite3.Connection, conversation_id: str, count: int = 3) -> list[str]:
    """The customer's newest messages (and the subject), newest first: what suggestions match."""
    texts = [row[0] for row in conn.execute(
        "SELECT body FROM messages WHERE conversation_id=? AND direction='in' AND kind='reply' "
        "ORDER BY created_at DESC LIMIT ?", (conversation_id, count)).fetchall()]
    subject = conn.execute("SELECT subject FROM conversations WHERE id=?", (conversation_id,)).fetchone()
    if subject and subject[0]:
        texts.append(subject[0])
    return [text[:2000] for text in texts]


def categories(conn: sqlite3.Connection, table: str) -> list[tuple[str, int]]:
    assert table in ("scripts", "faq_articles")
    extra = " WHERE deleted=0" if table == "scripts" else ""
    return conn.execute(f"SELECT category, count(*) FROM {table}{extra} GROUP BY category ORDER BY category").fetchall()


# -- guided-script runs ----------------------------------------------------------------------------


def save_run(conn: sqlite3.Connection, conversation_id: str, state: dict[str, Any]) -> None:
    conn.execute("INSERT OR REPLACE INTO guided_runs(conversation_id, script_id, state, updated_at) VALUES(?,?,?,?)",
                 (conversation_id, state["script_id"], json.dumps(state, ensure_ascii=False), now_iso()))


def load_run(conn: sqlite3.Connection, conversation_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT state FROM guided_runs WHERE conversation_id=?", (conversation_id,)).fetchone()
    return json.loads(row[0]) if row else None


def clear_run(conn: sqlite3.Connection, conversation_id: str) -> None:
    conn.execute("DELETE FROM guided_runs WHERE conversation_id=?", (conversation_id,))


# The knowledge entities of the feed (given to the store by services/knowledge.FEATURE).
ENTITIES = (changes.EntitySpec("script", parse_script, write_script, delete_script, "scripts"),
            changes.EntitySpec("faq_article", parse_faq_article, write_article, delete_article, "faq_articles"))


def reset_for_resync(conn: sqlite3.Connection) -> None:
    """Forget server-derived knowledge before a full resync (410), keeping local edits still queued,
    pending usage counts and guided runs. The knowledge feature's resync hook."""
    conn.execute("DELETE FROM faq_articles")
    conn.execute("INSERT INTO faq_fts(faq_fts) VALUES('delete-all')")
    conn.execute("DELETE FROM scripts WHERE pending = 0")
    conn.execute("INSERT INTO scripts_fts(scripts_fts) VALUES('delete-all')")
    for row in conn.execute("SELECT rowid, title, body, shortcut, tags, category FROM scripts WHERE deleted = 0").fetchall():
        conn.execute("INSERT INTO scripts_fts(rowid, title, body, keys) VALUES(?, ?, ?, ?)",
                     (row[0], *_script_fts_values(*row[1:])))
