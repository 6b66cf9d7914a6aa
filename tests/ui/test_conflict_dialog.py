"""The conflict dialog says who changed the conversation and when, in the agent's words."""

from __future__ import annotations

from agent_desktop.ui.collision import ConflictDialog


def _conflict(**server: object) -> dict:
    return {"key": "k1", "mine": {"priority": "urgent", "assignee_id": "a-agent1"},
            "server": {"priority": "low", "assignee_id": None, "version": 7, **server}, "error": ""}


def test_names_who_changed_it_and_when(qtbot) -> None:
    dialog = ConflictDialog(_conflict(updated_by="a-agent2", updated_at="2026-12-03T06:05:00Z"),
                            names={"a-agent2": "陈静", "a-agent1": "王芳"})
    qtbot.addWidget(dialog)
    intro = dialog.intro.text()
    assert "by 陈静 at " in intro and "a-agent2" not in intro
    cells = [[dialog.table.item(r, c).text() for c in range(3)] for r in range(dialog.table.rowCount())]
    assert ["Assignee", "王芳", "nobody"] in cells                       # names, not ids
    assert not any("urgent" == cell for row in cells for cell in row)   # labels, not wire values


def test_it_shows_the_base_both_started_from(qtbot) -> None:
    conflict = {**_conflict(updated_by="a-agent2"), "base": {"priority": "normal", "assignee_id": "a-agent1"}}
    dialog = ConflictDialog(conflict, names={"a-agent1": "王芳"})
    qtbot.addWidget(dialog)
    assert dialog.table.columnCount() == 4
    cells = [[dialog.table.item(r, c).text() for c in range(4)] for r in range(dialog.table.rowCount())]
    assert ["Priority", "Urgent", "Low", "Normal"] in cells


def test_without_who_it_still_says_when_and_an_unknown_agent_by_id(qtbot) -> None:
    when_only = ConflictDialog(_conflict(updated_at="2026-12-03T06:05:00Z"))
    qtbot.addWidget(when_only)
    assert "(last at " in when_only.intro.text()
    unknown = ConflictDialog(_conflict(updated_by="a-gone"))
    qtbot.addWidget(unknown)
    assert "(by a-gone)" in unknown.intro.text()
