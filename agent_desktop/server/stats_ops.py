"""What the lead's dashboard actions and the channels' abandon report do to the data.

The readings themselves (queue tiles, agents table) are in `stats.py`; these are the writes behind
`stats_api.py`, each one transaction.
"""

from __future__ import annotations

from typing import Any

from . import db as store
from . import operations, stats
from . import scope as scopes
from .errors import ApiError


def reassign(database: store.Database, lead: dict[str, Any], conversation_id: str,
             changes: dict[str, Any]) -> dict[str, Any]:
    """Give a conversation to another agent and/or queue; a null assignee puts it back in the queue."""
    if not changes:
        raise ApiError(422, "nothing_to_change", "give assignee_id and/or queue_id")
    if changes.get("queue_id") is None:  # a conversation always has a queue: null means "keep it"
        changes = {name: value for name, value in changes.items() if name != "queue_id"}
    return operations.patch_conversation(database, conversation_id, changes, None, by=lead["id"])


def set_agent_queues(database: store.Database, lead: dict[str, Any], agent_id: str,
                     queue_ids: list[str]) -> dict[str, Any]:
    """The queues an agent works in (moving an agent between queues); duplicates count once."""
    queue_ids = list(dict.fromkeys(queue_ids))
    with database.transaction() as conn:
        agent = store.load(conn, "agent", agent_id)
        if agent is None:
            raise ApiError(404, "not_found", f"agent {agent_id!r} does not exist")
        unknown = [q for q in queue_ids if store.load(conn, "queue", q) is None]
        if unknown:
            raise ApiError(422, "unknown_queue", f"queue {unknown[0]!r} does not exist")
        if agent.get("queue_ids") != queue_ids:
            agent = store.store(conn, "agent", agent_id, {**agent, "queue_ids": queue_ids})
            scopes.mark_scope_changed(conn, agent_id)  # their client resyncs with the new scope
            stats._event(conn, stats.utcnow(), "agent_queues", agent_id=agent_id, by=lead["id"], queue_ids=queue_ids)
    return store.with_id(agent_id, agent)


def abandon_contact(database: store.Database, conversation_id: str) -> dict[str, Any]:
    """The customer left before an answer (hung up, closed the chat): resolved and tagged `abandoned`."""
    with database.transaction() as conn:
        conversation = store.load(conn, "conversation", conversation_id)
        if conversation is None:
            raise ApiError(404, "not_found", f"conversation {conversation_id!r} does not exist")
        if conversation.get("first_response_at") or conversation["status"] not in ("new", "open"):
            raise ApiError(409, "already_answered", "only a contact still waiting in the queue can be abandoned")
        now = stats.utcnow()
        stats.contact_abandoned(conn, conversation_id, now)
        tags = [*conversation.get("tags", []), "abandoned"]
        stored = store.store(conn, "conversation", conversation_id, {
            **conversation, "status": "resolved", "tags": list(dict.fromkeys(tags)), "waiting_since": None,
            "updated_at": stats.to_iso(now)})
    return store.with_id(conversation_id, stored)
