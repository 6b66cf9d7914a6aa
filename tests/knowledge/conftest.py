"""Knowledge fixtures: a cache filled with the demo scripts and articles, and the UI fixtures."""

from __future__ import annotations

import random

import pytest

from agent_desktop.domain.knowledge import parse_faq_article, parse_script
from agent_desktop.domain.timeutil import utcnow
from agent_desktop.server import knowledge_demo
from agent_desktop.services import knowledge as _services  # noqa: F401 - registers entities and actions
from agent_desktop.store import Database
from agent_desktop.store import knowledge as kstore
from tests.ui.conftest import open_window, server  # noqa: F401 - shared fixtures

AGENT = {"id": "a-agent1", "name": "陈静"}


def fill(db: Database) -> None:
    rng = random.Random(1)
    scripts = knowledge_demo.build_scripts(utcnow(), rng)
    articles = knowledge_demo.build_articles(utcnow(), rng)

    def write(conn):
        for script_id, data in scripts:
            kstore.write_script(conn, parse_script(script_id, {**data, "version": 1}))
        for article_id, data in articles:
            kstore.write_article(conn, parse_faq_article(article_id, {**data, "version": 1}))

    db.write_sync(write)


@pytest.fixture
def kdb(tmp_path):
    db = Database(tmp_path / "cache.sqlite3")
    fill(db)
    yield db
    db.close()
