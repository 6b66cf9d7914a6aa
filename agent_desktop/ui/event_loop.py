"""The asyncio loop on Qt's event loop (qasync), kept "running" between runs.

qasync steps asyncio tasks from Qt events. Qt also delivers events outside `run_forever`
(qasync's own last `processEvents()` in `run_until_complete`, shutdown, pytest-qt key clicks),
and a task stepped then finds no running loop and dies ("no running event loop"). In a
single-loop Qt application the loop is, in effect, always the running one, so we say so.
"""

from __future__ import annotations

import asyncio

import qasync


class AppEventLoop(qasync.QEventLoop):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        asyncio.events._set_running_loop(self)

    def _after_run_forever(self) -> None:
        super()._after_run_forever()
        if not self.is_closed():
            asyncio.events._set_running_loop(self)

    def close(self) -> None:
        asyncio.events._set_running_loop(None)
        super().close()
