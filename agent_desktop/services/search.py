"""Global search (Ctrl+K), off the GUI thread, newest request wins."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..store import Database
from ..store import search as store_search

# Hits per kind on the first page; "show more" doubles them.
FIRST_PAGE = {"customers": 20, "conversations": 20, "messages": 50}


@dataclass
class SearchResults:
    text: str
    customers: list[dict[str, Any]] = field(default_factory=list)
    conversations: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    page: int = 1   # how many pages' worth was asked for

    @property
    def empty(self) -> bool:
        return not (self.customers or self.conversations or self.messages)

    @property
    def more_possible(self) -> bool:
        """A kind came back full: there may be more than is shown."""
        return any(len(getattr(self, kind)) >= limit * self.page for kind, limit in FIRST_PAGE.items())


class SearchService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search")
        self._generation = 0

    def search_now(self, text: str, page: int = 1) -> SearchResults:
        """Blocking search on the calling thread (worker threads and tests); `page` pages' worth."""
        conn = self.db.reader()
        return SearchResults(
            text=text,
            customers=store_search.customers(conn, text, FIRST_PAGE["customers"] * page),
            conversations=store_search.conversations(conn, text, FIRST_PAGE["conversations"] * page),
            messages=store_search.messages(conn, text, FIRST_PAGE["messages"] * page),
            page=page,
        )

    async def search(self, text: str, page: int = 1) -> SearchResults | None:
        """Search on a worker thread; returns None if a newer search started meanwhile."""
        self._generation += 1
        mine = self._generation
        results = await asyncio.get_event_loop().run_in_executor(self._executor, self.search_now, text, page)
        return results if mine == self._generation else None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
