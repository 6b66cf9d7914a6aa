"""The inbox model's paging after the performance work: same rows as SQL gives, fewer relayouts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from agent_desktop.store.inbox import ALL_OPEN, InboxView
from agent_desktop.ui.inbox_model import ID_ROLE, MAX_PAGE_SIZE, PAGE_SIZE, ROW_ROLE, InboxModel


class FakeService:
    """Keyset pages over a sorted list, recording every request (what ConversationService does in SQL)."""

    def __init__(self, count: int) -> None:
        self.rows = [{"id": f"cv-{i:06d}", "sla_due": f"2026-11-{1 + i // 100000:02d}T{i:09d}", "channel": "chat",
                      "status": "open", "customer_name": f"客户 {i}", "subject": f"subject {i}"}
                     for i in range(count)]
        self.requests: list[tuple[Any, int]] = []

    def inbox_page(self, view: InboxView, after: tuple[str, str] | None, limit: int) -> list[dict[str, Any]]:
        self.requests.append((after, limit))
        start = 0
        if after is not None:
            start = next(i for i, row in enumerate(self.rows) if (row["sla_due"], row["id"]) > after)
        return [dict(row) for row in self.rows[start:start + limit]]


def test_pages_grow_and_every_row_arrives_once_in_order(qapp):
    service = FakeService(9000)
    model = InboxModel(service)  # type: ignore[arg-type]
    model.set_view(InboxView(ALL_OPEN))
    assert model.rowCount() == PAGE_SIZE
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 9000
    assert [model.conversation_id(r) for r in range(9000)] == [row["id"] for row in service.rows]
    sizes = [limit for _, limit in service.requests]
    assert sizes[0] == PAGE_SIZE and max(sizes) == MAX_PAGE_SIZE
    assert len(sizes) < 9000 // PAGE_SIZE  # fewer fetches (each one relayouts every loaded row)
    assert service.requests[1][0] == (service.rows[PAGE_SIZE - 1]["sla_due"], service.rows[PAGE_SIZE - 1]["id"])


def test_roles_give_the_same_row_as_the_query(qapp):
    service = FakeService(300)
    model = InboxModel(service)  # type: ignore[arg-type]
    model.set_view(InboxView(ALL_OPEN))
    index = model.index(5)
    assert index.data(ROW_ROLE) == service.rows[5]
    assert index.data(ID_ROLE) == "cv-000005"
    assert "客户 5" in index.data(Qt.ItemDataRole.DisplayRole)
    assert model.row_of("cv-000007") == 7 and model.row_of("nope") == -1
    assert model.conversation_id(PAGE_SIZE) is None  # not loaded yet


def test_refresh_reports_reordering_and_keeps_the_loaded_range(qapp):
    service = FakeService(500)
    model = InboxModel(service)  # type: ignore[arg-type]
    model.set_view(InboxView(ALL_OPEN))
    model.fetchMore()
    loaded = model.rowCount()
    service.rows[3]["subject"] = "changed"
    assert model.refresh() is False and model.index(3).data(ROW_ROLE)["subject"] == "changed"
    service.rows.insert(0, service.rows.pop(10))
    assert model.refresh() is True
    assert model.rowCount() == loaded and model.conversation_id(0) == "cv-000010"
