"""What the Diagnostics view shows: records the server sent that this app could not accept, the
cache's health and whether it was rebuilt. Reads on the calling thread; the check off it."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ..store import Database, diagnostics, recovery

if TYPE_CHECKING:
    from .attachments import AttachmentService

# A plain Python thread, not qasync's default QThread executor (whose threads abort at exit).
_CHECKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-check")


class DiagnosticsService:
    def __init__(self, db: Database, attachments: AttachmentService | None = None) -> None:
        self.db = db
        self.attachments = attachments

    def attachment_cache(self) -> tuple[int, int]:
        """(bytes, files) of downloaded and staged attachments kept on this computer."""
        if self.attachments is None:
            return 0, 0
        return self.attachments.cache_bytes(), self.attachments.cache_files()

    def invalid_count(self) -> int:
        return diagnostics.invalid_count(self.db.reader())

    def invalid_records(self) -> list[dict[str, Any]]:
        return diagnostics.invalid_records(self.db.reader())

    def rebuilt_notice(self) -> dict[str, Any] | None:
        """When the cache was found damaged and rebuilt: when, what was rescued, where the old file went."""
        return recovery.notice(self.db.reader())

    async def health(self) -> str:
        """"ok" or SQLite's complaint; reads the whole file, so off the GUI thread."""
        return await asyncio.get_event_loop().run_in_executor(_CHECKER, self.db.quick_check)

    async def clear_invalid(self) -> None:
        await asyncio.wrap_future(self.db.write(diagnostics.clear_invalid))
