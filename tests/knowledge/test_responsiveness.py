"""Typing never waits on the knowledge search, and only the newest answer is used."""

from __future__ import annotations

import asyncio
import time

from agent_desktop.services.knowledge import KnowledgeService
from agent_desktop.ui.composer import Composer
from tests.ui.conftest import run_until

from .conftest import AGENT


class SlowSource:
    """A quick-insert source whose search takes 300 ms, like a cold disk."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def quick_search(self, text: str):
        self.asked.append(text)
        await asyncio.sleep(0.3)
        return [{"id": f"s-{text}", "title": f"title {text}", "body": f"body {text}", "shortcut": text}]

    def quick_render(self, item):
        return item["body"]

    def quick_used(self, item):
        pass


def test_typing_does_not_wait_for_a_slow_search_and_the_newest_query_wins(qtbot, loop):
    composer = Composer()
    qtbot.addWidget(composer)
    composer.show()
    source = SlowSource()
    composer.set_quick_insert_source(source)
    composer.editor.setFocus()
    started = time.perf_counter()
    qtbot.keyClicks(composer.editor, "/refund")
    typing_ms = (time.perf_counter() - started) * 1000
    assert typing_ms < 250, typing_ms          # 7 keystrokes, each search takes 300 ms
    run_until(loop, lambda: composer.popup.isVisible() and composer.popup.current_script() is not None)
    assert source.asked[-1] == "refund"
    assert composer.popup.current_script()["id"] == "s-refund"   # older, slower answers never land
    qtbot.keyClick(composer.editor, "\r")
    assert composer.editor.toPlainText() == "body refund"


def test_suggestions_newest_request_wins(kdb, loop):
    service = KnowledgeService(kdb, AGENT)
    try:
        async def both():
            return await asyncio.gather(service.search_articles("退款"), service.search_articles("发票"))
        first, second = loop.run_until_complete(both())
        assert first is None
        assert second and "发票" in second[0]["title"]
    finally:
        service.close()
