"""Background tasks started for a widget never touch it after it is destroyed."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QWidget

from agent_desktop.ui.tasks import spawn
from tests.ui.conftest import run_until


def test_a_task_owned_by_a_destroyed_widget_is_cancelled_and_its_callback_dropped(qapp, loop):
    widget = QWidget()
    gate = asyncio.Event()
    reached: list[str] = []

    async def late_answer() -> int:
        await gate.wait()
        reached.append("resumed")  # would touch the widget here
        return 1

    task = spawn(late_answer(), on_done=reached.append, owner=widget)
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gate.set()
    run_until(loop, task.done)
    assert task.cancelled() and reached == []


def test_finished_tasks_leave_no_connection_on_their_owner(qapp, loop):
    widget = QWidget()
    results: list[int] = []

    async def answer(n: int) -> int:
        return n

    first = spawn(answer(-1), on_done=results.append, owner=widget)
    run_until(loop, first.done)
    baseline = widget.receivers("2destroyed(QObject*)")  # after PySide's own first-use connection
    tasks = [spawn(answer(n), on_done=results.append, owner=widget) for n in range(5)]
    run_until(loop, lambda: all(task.done() for task in tasks))
    assert sorted(results) == [-1, 0, 1, 2, 3, 4]
    assert widget.receivers("2destroyed(QObject*)") == baseline
    widget.deleteLater()


def test_a_task_asked_for_by_a_deleted_widget_never_starts(qapp, loop):
    widget = QWidget()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    started: list[str] = []

    async def work() -> None:
        started.append("ran")

    task = spawn(work(), owner=widget)   # used to raise "Signal source has been deleted"
    run_until(loop, task.done)
    assert task.cancelled() and started == []


def test_a_late_answer_to_a_deleted_widget_is_dropped_not_an_error(qtbot, loop, caplog) -> None:
    """A write is never cancelled with its widget (no owner), so its answer may arrive after the
    widget is gone: updating it must not raise into the event loop."""
    from PySide6.QtWidgets import QListWidget

    gone = QListWidget()
    gone.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    async def answer() -> str:
        return "key"

    task = spawn(answer(), on_done=lambda _k: gone.clear())
    loop.run_until_complete(task)
    loop.run_until_complete(asyncio.sleep(0))   # let the done callback run
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
