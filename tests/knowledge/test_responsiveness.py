"""Typing never waits on the knowledge search, and only the newest answer is used."""

from __future__ import annotations

import asyncio

from agent_desktop.services.knowledge import KnowledgeService
from agent_desktop.ui.composer import Composer
from tests.ui.conftest import run_until

from .conftest import AGENT


class SlowSource:
    """A quick-insert source whose searches answer only when the test opens the gate (a cold disk)."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answered = 0
        self.gate = asyncio.Event()

    async def quick_search(self, text: str):
        self.asked.append(text)
        await self.gate.wait()
        self.answered += 1
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
    qtbot.keyClicks(composer.editor, "/refund")
    # Every keystroke landed while no search had answered: typing never waited for one.
    assert composer.editor.toPlainText() == "/refund"
    assert source.answered == 0
    source.gate.set()
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
