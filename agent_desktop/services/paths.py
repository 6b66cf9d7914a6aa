"""Where the app keeps its files: platformdirs, or AGENT_DESKTOP_HOME when set."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import platformdirs

APP_NAME = "AgentDesktop"


def data_dir() -> Path:
    override = os.environ.get("AGENT_DESKTOP_HOME")
    path = Path(override).expanduser() if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_path(base: Path, server_url: str, username: str) -> Path:
    """One cache file per server and user, so two accounts never mix their data."""
    digest = hashlib.sha256(f"{server_url}\n{username}".encode()).hexdigest()[:16]
    return base / "cache" / f"{username}-{digest}.sqlite3"


def attachments_path(cache_file: Path) -> Path:
    """The attachment cache of one cache file (one server and user): <data>/attachments/<cache name>,
    so two accounts never share files and each cache's rows describe exactly its own folder."""
    return cache_file.parent.parent / "attachments" / cache_file.stem


def demo_server_db(base: Path) -> Path:
    return base / "demo-server.sqlite3"
