"""Routing waiting conversations to agents: availability, per-channel capacity, longest idle first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .enums import AgentState

# How many conversations of a channel an agent handles at once (the defaults).
DEFAULT_CAPACITY: dict[str, int] = {"phone": 1, "chat": 3, "email": 5, "web": 5, "social": 3}
# Voice blocks everything else: an agent on a call gets no chat offer, and vice versa no call while chatting.
EXCLUSIVE_CHANNELS = frozenset({"phone"})
OFFER_SECONDS = 30  # an offer not accepted in time goes to the next agent
BREAK_REASONS = ("lunch", "training", "meeting", "personal", "coaching")


@dataclass(frozen=True)
class AgentSlot:
    id: str
    state: str
    queue_ids: frozenset[str]
    idle_since: str            # ISO time the agent last became free; older = waited longer
    load: dict[str, int] = field(default_factory=dict)       # open conversations per channel
    capacity: dict[str, int] = field(default_factory=dict)   # overrides of DEFAULT_CAPACITY
    declined: frozenset[str] = frozenset()                   # conversations this agent declined

    def capacity_for(self, channel: str) -> int:
        return self.capacity.get(channel, DEFAULT_CAPACITY.get(channel, 1))

    def has_room(self, channel: str) -> bool:
        if self.load.get(channel, 0) >= self.capacity_for(channel):
            return False
        busy_elsewhere = any(count > 0 for ch, count in self.load.items() if ch != channel)
        if channel in EXCLUSIVE_CHANNELS and busy_elsewhere:
            return False
        return not any(self.load.get(ch, 0) > 0 for ch in EXCLUSIVE_CHANNELS if ch != channel)


def eligible(agent: AgentSlot, conversation_id: str, queue_id: str | None, channel: str) -> bool:
    return (agent.state == AgentState.AVAILABLE
            and (queue_id is None or queue_id in agent.queue_ids)
            and conversation_id not in agent.declined
            and agent.has_room(channel))


def choose_agent(agents: Iterable[AgentSlot], *, conversation_id: str, queue_id: str | None,
                 channel: str) -> AgentSlot | None:
    """The available agent of the queue with room on the channel who has been idle longest."""
    candidates = [a for a in agents if eligible(a, conversation_id, queue_id, channel)]
    if not candidates:
        return None
    return min(candidates, key=lambda a: (a.idle_since, a.id))


def routing_order(waiting: Iterable[dict]) -> list[dict]:
    """Who gets an agent first: urgent before low, then the earliest first-response deadline."""
    rank = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
    return sorted(waiting, key=lambda c: (rank.get(c.get("priority", "normal"), 2),
                                          c.get("first_response_due") or "9999", c.get("id", "")))
