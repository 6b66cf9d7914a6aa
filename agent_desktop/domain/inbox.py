"""Which conversations an inbox view lists (the store queries them, the UI shows them)."""

from __future__ import annotations

from dataclasses import dataclass

MINE = "mine"
UNASSIGNED = "unassigned"
ALL_OPEN = "all"
QUEUE = "queue"
CHANNEL = "channel"


@dataclass(frozen=True)
class InboxView:
    """Which open conversations to list: kind is mine | unassigned | all | queue | channel."""

    kind: str
    value: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}" if self.value else self.kind
