"""A signed-in session: the cache, the backend and the services wired together."""

from __future__ import annotations

import json
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..backends import registry
from ..backends.base import Backend, SignIn, capabilities_of
from ..backends.registry import DEFAULT_KIND
from ..store import Database, meta
from ..store.blobs import BlobStore, repair_pins
from ..store.recovery import open_cache
from .agent_state import AgentStateService
from .attachments import AttachmentService
from .callbacks import CallbackService
from .conversations import ConversationService
from .customer_records import CustomerRecordsService
from .diagnostics import DiagnosticsService
from .features import default_features
from .outbox_service import OutboxService
from .paths import attachments_path, cache_path
from .presence import PresenceService
from .search import SearchService
from .sync_engine import SyncEngine
from .sync_service import SyncService
from .transfers import Transfers
from .workflow import WorkflowService

if TYPE_CHECKING:
    from .dashboard import DashboardService
    from .knowledge import KnowledgeService
    from .signatures import SignatureService
    from .spelling import SpellingService


@dataclass
class Session:
    """Every service of one signed-in agent, built here and only here (the composition root): the
    UI receives them and never builds a service, opens the cache or talks to a backend itself."""

    server_url: str
    username: str
    agent: dict[str, Any]
    db: Database
    backend: Backend
    sync: SyncService
    conversations: ConversationService
    search: SearchService
    workflow: WorkflowService            # wrap-up, hand-off, CSAT, conflicts
    customers: CustomerRecordsService
    callbacks: CallbackService
    agent_state: AgentStateService       # the agent's state and routing offers
    presence: PresenceService
    outbox: OutboxService
    diagnostics: DiagnosticsService
    attachments: AttachmentService       # files on messages: cache, fetch, stage, upload progress
    language: str = "zh_CN"

    @cached_property
    def knowledge(self) -> KnowledgeService:
        """Built on first use (the side tabs, after the first paint): it costs ~25 ms to import."""
        from .knowledge import KnowledgeService

        return KnowledgeService(self.db, self.agent, self.conversations, language=self.language)

    @cached_property
    def signatures(self) -> SignatureService:
        """E-mail signatures, in the data folder beside the cache (`<data>/cache/<file>`)."""
        from .signatures import FILE_NAME, SignatureService

        return SignatureService(self.db.path.parent.parent / FILE_NAME)

    @cached_property
    def spelling(self) -> SpellingService:
        """English spell check with the agent's own words, in the data folder; built after the first
        paint (loading Enchant and its dictionary takes ~70 ms)."""
        from .spelling import PERSONAL_FILE, SpellingService

        return SpellingService(self.db.path.parent.parent / PERSONAL_FILE)

    @cached_property
    def dashboard(self) -> DashboardService:
        """The lead's figures; built when the dashboard first opens."""
        from .dashboard import DashboardService

        return DashboardService(self.db, self.backend, self.agent)

    async def close(self) -> None:
        await self.sync.stop()
        self.attachments.close()
        self.presence.close()
        if "knowledge" in self.__dict__:
            self.knowledge.close()
        self.search.close()
        self.db.close()


def make_backend(server_url: str, kind: str = DEFAULT_KIND) -> Backend:
    """The adapter for this kind of server (backends/registry.py: reference, rt…)."""
    return registry.make_backend(server_url, kind)


def sign_in(backend: Backend, username: str, password: str) -> SignIn:
    """Blocking: run on a worker thread."""
    return backend.sign_in(username, password)


def adopt_sign_in(session: Session, signed: SignIn) -> Future[None]:
    """A sign-in that completed after the session opened from the cache (ui/startup.py): the
    services share `session.agent`, so it is updated in place; the cache remembers the agent as
    `open_session` would have. Call on the GUI thread; the Future completes once it is written."""
    agent = signed.agent
    session.agent.clear()
    session.agent.update(agent)
    server = session.backend.base_url

    def remember(conn) -> None:
        meta.put(conn, meta.AGENT_ID, json.dumps(agent, ensure_ascii=False))
        meta.put(conn, meta.SERVER, server)

    return session.db.write(remember)


def open_session(base_dir: Path, backend: Backend, username: str, signed_in: SignIn | None,
                 cache_key: str | None = None, *, language: str = "zh_CN") -> Session:
    """Open the cache for this server+user. Without a fresh sign-in (offline start) the agent
    comes from the cache, and sync waits until the user signs in."""
    # A damaged cache file is moved aside and rebuilt, keeping unsent work (store/recovery.py).
    cache_file = cache_path(base_dir, cache_key or backend.base_url, username)
    db, _recovery = open_cache(cache_file)
    if signed_in is not None:
        agent = signed_in.agent
        db.write_sync(meta.put, meta.AGENT_ID, json.dumps(agent, ensure_ascii=False))
        db.write_sync(meta.put, meta.SERVER, backend.base_url)
    else:
        stored = meta.get(db.reader(), meta.AGENT_ID)
        agent = json.loads(stored) if stored else {"id": "", "username": username, "name": username}
    blobs = BlobStore(attachments_path(cache_file), db)
    db.write(repair_pins)   # pins of staged files die with the process that staged them
    transfers = Transfers()
    # Features load with the first sync.
    engine = SyncEngine(db, backend, features=default_features, blobs=blobs, transfers=transfers)
    sync = SyncService(db, engine)
    conversations = ConversationService(db, agent, lambda: capabilities_of(backend))
    attachments = AttachmentService(db, backend, blobs, transfers=transfers, agent=agent)
    # After each sync the files of the agent's open conversations come down in the background.
    sync.synced.connect(attachments.prefetch_assigned)
    # Whatever any service queues wakes the sync loop at once, with or without a window.
    conversations.outbox_changed.connect(sync.outbox_changed)
    return Session(
        server_url=backend.base_url,
        username=username,
        agent=agent,
        db=db,
        backend=backend,
        sync=sync,
        conversations=conversations,
        search=SearchService(db),
        workflow=WorkflowService(db, agent, backend, conversations),
        customers=CustomerRecordsService(db, agent, backend, conversations),
        callbacks=CallbackService(db, agent, backend, conversations),
        agent_state=AgentStateService(db, agent, backend, conversations),
        presence=PresenceService(backend),
        outbox=OutboxService(conversations),
        diagnostics=DiagnosticsService(db, attachments),
        attachments=attachments,
        language=language,
    )
