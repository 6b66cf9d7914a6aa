"""Agent sign-in: scrypt password hashes and bearer tokens (the limit on failures: server/throttle.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from agent_desktop.domain.timeutil import now_iso, to_iso, utcnow

from . import db as store

TOKEN_LIFETIME = timedelta(hours=12)
# scrypt cost: ~35 ms per hash here; slow enough to hurt offline guessing, fast enough for sign-in.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_DUMMY_SALT = b"\0" * 16


def hash_password(password: str, salt: bytes | None = None) -> tuple[bytes, bytes]:
    salt = salt if salt is not None else os.urandom(16)
    return salt, hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)


def set_password(conn: sqlite3.Connection, agent_id: str, password: str) -> None:
    salt, digest = hash_password(password)
    conn.execute(
        "INSERT OR REPLACE INTO credentials (agent_id, salt, hash) VALUES (?, ?, ?)", (agent_id, salt, digest)
    )


def _token_hash(token: str) -> str:
    # Only a hash is stored: a copied database file does not hand out live sessions.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    token: str
    expires_at: str
    agent: dict[str, Any]  # wire data with id


def sign_in(database: store.Database, username: str, password: str) -> Session | None:
    """A new session for good credentials, else None (same work either way: no user enumeration)."""
    conn = database.reader()
    row = conn.execute(
        "SELECT a.id, a.data, c.salt, c.hash FROM agents a JOIN credentials c ON c.agent_id = a.id "
        "WHERE a.username = ?",
        (username,),
    ).fetchone()
    salt, expected = (row[2], row[3]) if row else (_DUMMY_SALT, b"")
    _, digest = hash_password(password, salt)
    if row is None or not hmac.compare_digest(digest, expected):
        return None
    token = secrets.token_urlsafe(32)
    expires_at = to_iso(utcnow() + TOKEN_LIFETIME)
    with database.transaction() as wconn:
        wconn.execute("DELETE FROM tokens WHERE expires_at < ?", (now_iso(),))
        wconn.execute(
            "INSERT INTO tokens (token_hash, agent_id, expires_at) VALUES (?, ?, ?)",
            (_token_hash(token), row[0], expires_at),
        )
    return Session(token, expires_at, store.with_id(row[0], json.loads(row[1])))


def agent_for_token(database: store.Database, token: str) -> dict[str, Any] | None:
    """The signed-in agent's wire data (with id) for a live token, else None."""
    row = database.reader().execute(
        "SELECT a.id, a.data FROM tokens t JOIN agents a ON a.id = t.agent_id "
        "WHERE t.token_hash = ? AND t.expires_at > ?",
        (_token_hash(token), now_iso()),
    ).fetchone()
    return store.with_id(row[0], json.loads(row[1])) if row else None
