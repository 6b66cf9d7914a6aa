"""Scripts (话术), guided call scripts and the FAQ: search, suggestions, personal scripts, usage.

Searches and suggestions run on a worker thread; each kind of request keeps a generation number
so that only the newest answer is delivered (an older one returns None). Local changes (personal
scripts, feedback, usage) are written with their outbox action in one transaction and go out
through the sync engine, each exactly once thanks to its idempotency key.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..backends.base import Capability, Rejected
from ..backends.protocols import KnowledgeFeedback, Record, Scripts, require
from ..domain.knowledge import detect_language, parse_script
from ..domain.scripts import Guide, GuideRun, Rendered, context_from_header, parse_guide, render, run_note
from ..domain.timeutil import now_iso
from ..store import Database, outbox
from ..store import knowledge as store
from ..store.database import StoreError
from .conversations import ConversationService
from .events import Event
from .features import Action, Feature
from .sync_engine import SyncEngine

CREATE, UPDATE, DELETE = "script_create", "script_update", "script_delete"
FEEDBACK, USAGE = "faq_feedback", "knowledge_usage"
EDITABLE = ("title", "body", "category", "language", "shortcut", "tags")


@dataclass
class Suggestions:
    conversation_id: str
    articles: list[dict[str, Any]] = field(default_factory=list)
    scripts: list[dict[str, Any]] = field(default_factory=list)
    language: str = "zh"
    elapsed_ms: float = 0.0


class _Latest:
    """Newest request wins: a result is delivered only if no newer request started meanwhile."""

    def __init__(self) -> None:
        self.generation = 0

    async def run(self, executor: ThreadPoolExecutor, fn: Callable[..., Any], *args: Any) -> Any | None:
        self.generation += 1
        mine = self.generation
        try:
            result = await asyncio.get_running_loop().run_in_executor(executor, fn, *args)
        except StoreError:
            return None   # the session closed under a late search: nobody waits for the answer
        return result if mine == self.generation else None


class KnowledgeService:
    def __init__(self, db: Database, agent: dict[str, Any], conversations: ConversationService | None = None,
                 *, language: str = "zh") -> None:
        self.db = db
        self.agent = agent
        self.conversations = conversations
        self.ui_language = "zh" if language.startswith("zh") else "en"
        self.changed = Event()   # (entity) after a local change to scripts or articles
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="knowledge")
        self._script_search, self._article_search, self._suggest = _Latest(), _Latest(), _Latest()
        self._quick = _Latest()   # the composer's `/` popup: its own line, so the panel never supersedes it

    @property
    def agent_id(self) -> str:
        return str(self.agent.get("id", ""))

    # -- reading (blocking forms run on any thread; async forms on the worker) -------------------
    def scripts_now(self, text: str = "", *, category: str | None = None, kind: str | None = None,
                    language: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        return store.search_scripts(self.db.reader(), text, self.agent_id, category=category, kind=kind,
                                    language=language, limit=limit)

    def articles_now(self, text: str = "", *, category: str | None = None, language: str | None = None,
                     limit: int = 50) -> list[dict[str, Any]]:
        return store.search_articles(self.db.reader(), text, category=category, language=language, limit=limit)

    async def search_scripts(self, text: str, **filters: Any) -> list[dict[str, Any]] | None:
        return await self._script_search.run(self._executor, lambda: self.scripts_now(text, **filters))

    async def quick_scripts(self, text: str, **filters: Any) -> list[dict[str, Any]] | None:
        return await self._quick.run(self._executor, lambda: self.scripts_now(text, **filters))

    async def search_articles(self, text: str, **filters: Any) -> list[dict[str, Any]] | None:
        return await self._article_search.run(self._executor, lambda: self.articles_now(text, **filters))

    def suggestions_now(self, conversation_id: str) -> Suggestions:
        started = time.perf_counter()
        conn = self.db.reader()
        texts = store.latest_customer_texts(conn, conversation_id)
        language = detect_language(" ".join(texts)) if texts else self.ui_language
        result = Suggestions(conversation_id, language=language)
        result.articles = store.suggest_articles(conn, texts, language=language)
        result.scripts = store.suggest_scripts(conn, texts, self.agent_id, language=language)
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result

    async def suggestions(self, conversation_id: str) -> Suggestions | None:
        """Articles and scripts for the conversation's latest customer messages; None if superseded."""
        return await self._suggest.run(self._executor, self.suggestions_now, conversation_id)

    def script(self, script_id: str) -> dict[str, Any] | None:
        return store.script_by_id(self.db.reader(), script_id)

    def article(self, article_id: str) -> dict[str, Any] | None:
        return store.article_by_id(self.db.reader(), article_id)

    def categories(self, table: str) -> list[tuple[str, int]]:
        return store.categories(self.db.reader(), table)

    # -- variables -------------------------------------------------------------------------------
    def context(self, conversation_id: str | None) -> dict[str, str]:
        header = self.conversations.header(conversation_id) if self.conversations and conversation_id else None
        return context_from_header(header, self.agent, self.conversation_language(conversation_id))

    def conversation_language(self, conversation_id: str | None) -> str:
        if not conversation_id:
            return self.ui_language
        texts = store.latest_customer_texts(self.db.reader(), conversation_id, 1)
        return detect_language(" ".join(texts)) if texts else self.ui_language

    def render(self, body: str, conversation_id: str | None) -> Rendered:
        return render(body, self.context(conversation_id))

    @staticmethod
    def guide(script: dict[str, Any]) -> Guide:
        return parse_guide(script.get("start"), script.get("steps"))

    # -- personal scripts ------------------------------------------------------------------------
    async def create_personal(self, title: str, body: str, *, category: str = "general", language: str = "zh",
                              shortcut: str = "", tags: list[str] | None = None) -> str:
        """Create one of my scripts now (offline too); it reaches the server through the outbox."""
        script_id = "ps-" + uuid.uuid4().hex
        fields = {"title": title.strip(), "body": body, "category": category, "language": language,
                  "shortcut": shortcut.strip().lstrip("/"), "tags": tags or []}
        script = parse_script(script_id, {**fields, "scope": "personal", "owner_id": self.agent_id,
                                          "version": 0, "updated_at": now_iso()})  # raises InvalidRecord

        def write(conn):
            store.save_local_script(conn, script)
            outbox.enqueue_action(conn, CREATE, "", {"id": script_id, **fields})

        await asyncio.wrap_future(self.db.write(write))
        self.changed.emit("script")
        return script_id

    async def update_personal(self, script_id: str, **changes: Any) -> None:
        current = self.script(script_id)
        if current is None or current["scope"] != "personal" or current["owner_id"] != self.agent_id:
            raise PermissionError("only your own personal scripts can be edited here")
        changes = {k: v for k, v in changes.items() if k in EDITABLE}
        if "shortcut" in changes:
            changes["shortcut"] = str(changes["shortcut"]).strip().lstrip("/")
        merged = {**current, **changes, "version": 0, "updated_at": now_iso()}
        script = parse_script(script_id, merged)

        def write(conn):
            store.save_local_script(conn, script)
            outbox.enqueue_action(conn, UPDATE, "", {"id": script_id, "changes": changes})

        await asyncio.wrap_future(self.db.write(write))
        self.changed.emit("script")

    async def delete_personal(self, script_id: str) -> None:
        current = self.script(script_id)
        if current is None or current["scope"] != "personal" or current["owner_id"] != self.agent_id:
            raise PermissionError("only your own personal scripts can be deleted here")

        def write(conn):
            store.mark_script_deleted(conn, script_id)
            outbox.enqueue_action(conn, DELETE, "", {"id": script_id})

        await asyncio.wrap_future(self.db.write(write))
        self.changed.emit("script")

    # -- usage and feedback ----------------------------------------------------------------------
    async def record_use(self, entity: str, record_id: str) -> None:
        """Count one use (an insert into a reply); shown at once, synced for team leads."""
        assert entity in ("script", "faq_article")

        def write(conn):
            store.add_pending_use(conn, entity, record_id)
            outbox.enqueue_action(conn, USAGE, "", {"entity": entity, "id": record_id, "count": 1})

        await asyncio.wrap_future(self.db.write(write))
        self.changed.emit(entity)

    async def feedback(self, article_id: str, helpful: bool) -> None:
        def write(conn):
            store.set_my_feedback(conn, article_id, helpful)
            outbox.enqueue_action(conn, FEEDBACK, "", {"id": article_id, "helpful": helpful})

        await asyncio.wrap_future(self.db.write(write))
        self.changed.emit("faq_article")

    # -- guided scripts --------------------------------------------------------------------------
    def load_run(self, conversation_id: str) -> GuideRun | None:
        state = store.load_run(self.db.reader(), conversation_id)
        return GuideRun.from_wire(state) if state else None

    async def save_run(self, conversation_id: str, run: GuideRun) -> None:
        await asyncio.wrap_future(self.db.write(store.save_run, conversation_id, run.to_wire()))

    async def discard_run(self, conversation_id: str) -> None:
        await asyncio.wrap_future(self.db.write(store.clear_run, conversation_id))

    async def finish_run(self, conversation_id: str, script: dict[str, Any], run: GuideRun) -> str:
        """Save the path and answers as an internal note, then forget the run; returns the note."""
        if self.conversations is None:
            raise RuntimeError("no conversation service")
        note = run_note(script["title"], self.guide(script), run, language=script.get("language", "zh"))
        await self.conversations.send(conversation_id, "note", note)
        await self.discard_run(conversation_id)
        await self.record_use("script", script["id"])
        return note

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


# -- how the queued actions go out (sync engine push, worker thread) -------------------------------


def _send_create(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    found = require(engine.backend, Capability.SCRIPTS, Scripts).create_script(item.payload, item.key)
    _commit_script(engine, item, found)


def _send_update(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    found = require(engine.backend, Capability.SCRIPTS, Scripts).update_script(
        item.payload["id"], item.payload["changes"], item.key)
    _commit_script(engine, item, found)


def _send_delete(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    script_id = item.payload["id"]
    require(engine.backend, Capability.SCRIPTS, Scripts).delete_script(script_id, item.key)

    def commit(conn):
        outbox.mark_sent(conn, item.key)
        store.confirm_script(conn, script_id, None)

    engine.db.write_sync(commit)


def _commit_script(engine: SyncEngine, item: outbox.OutboxItem, found: list[Record]) -> None:
    script_id = item.payload["id"]
    server = next((parse_script(script_id, r.data) for r in found if r.entity == "script"), None)

    def commit(conn):
        outbox.mark_sent(conn, item.key)
        store.confirm_script(conn, script_id, server)

    engine.db.write_sync(commit)


def _send_feedback(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    article_id = item.payload["id"]
    counts = require(engine.backend, Capability.KNOWLEDGE_FEEDBACK, KnowledgeFeedback).faq_feedback(
        article_id, bool(item.payload["helpful"]), item.key)

    def commit(conn):
        outbox.mark_sent(conn, item.key)
        store.set_article_counts(conn, article_id, counts)

    engine.db.write_sync(commit)


def _send_usage(engine: SyncEngine, item: outbox.OutboxItem) -> None:
    payload = item.payload
    count = int(payload.get("count", 1))
    used = require(engine.backend, Capability.KNOWLEDGE_FEEDBACK, KnowledgeFeedback).record_usage(
        payload["entity"], payload["id"], count, item.key)

    def commit(conn):
        outbox.mark_sent(conn, item.key)
        store.confirm_use(conn, payload["entity"], payload["id"], count, used)

    engine.db.write_sync(commit)


def _rejected_too(send: Callable[[SyncEngine, outbox.OutboxItem], None], *, script: bool = False,
                  usage: bool = False) -> Callable[[SyncEngine, outbox.OutboxItem], None]:
    """On a refusal (4xx) the engine marks the item failed; we also drop its pending mark, so
    the server's version of the record is shown again instead of waiting for it forever."""
    def handler(engine: SyncEngine, item: outbox.OutboxItem) -> None:
        try:
            send(engine, item)
        except Rejected:
            def release(conn):
                if script:
                    conn.execute("UPDATE scripts SET pending=max(pending-1, 0) WHERE id=?", (item.payload["id"],))
                if usage:
                    store.confirm_use(conn, item.payload["entity"], item.payload["id"],
                                      int(item.payload.get("count", 1)), None)
            engine.db.write_sync(release)
            raise

    return handler


FEATURE = Feature(
    name="knowledge",
    entities=store.ENTITIES,
    actions=(Action(CREATE, _rejected_too(_send_create, script=True), Capability.SCRIPTS),
             Action(UPDATE, _rejected_too(_send_update, script=True), Capability.SCRIPTS),
             Action(DELETE, _rejected_too(_send_delete, script=True), Capability.SCRIPTS),
             Action(FEEDBACK, _send_feedback, Capability.KNOWLEDGE_FEEDBACK),
             Action(USAGE, _rejected_too(_send_usage, usage=True), Capability.KNOWLEDGE_FEEDBACK)),
    resync=store.reset_for_resync,
)
