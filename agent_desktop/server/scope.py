"""Who may see and change which conversation: the queue scope of an agent, and the PATCH role rule.

An agent sees a conversation when its queue is one of the agent's `queue_ids` or it is assigned
to them; a lead sees every conversation (leads manage the teams). With the server option
"agents see all" (`--agents-see-all`, small teams) every agent sees everything, as before.
Out of scope answers 404, like a conversation that does not exist: existence is not revealed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from . import db as store
from .errors import ApiError

AGENTS_SEE_ALL_ENV = "AGENT_DESKTOP_AGENTS_SEE_ALL"


@dataclass(frozen=True)
class Scope:
    """What one signed-in caller may see; `everything` for leads and under "agents see all"."""

    agent_id: str
    is_lead: bool
    everything: bool
    queue_ids: frozenset[str]

    @classmethod
    def of(cls, agent: dict[str, Any], *, agents_see_all: bool) -> Scope:
        is_lead = agent.get("role") == "lead"
        return cls(agent["id"], is_lead, is_lead or agents_see_all, frozenset(agent.get("queue_ids") or ()))

    def serves(self, queue_id: str | None) -> bool:
        return self.everything or (queue_id is not None and queue_id in self.queue_ids)

    def sees(self, conversation: dict[str, Any]) -> bool:
        return self.serves(conversation.get("queue_id")) or conversation.get("assignee_id") == self.agent_id


def not_found(conversation_id: str) -> ApiError:
    # The same answer as operations._not_found: an out-of-scope id looks like an unknown one.
    return ApiError(404, "not_found", f"conversation {conversation_id!r} does not exist")


def visible_conversation(database: store.Database, scope: Scope, conversation_id: str) -> dict[str, Any]:
    """The conversation (with id) if it exists and `scope` sees it; else 404."""
    data = database.get("conversation", conversation_id)
    if data is None or not scope.sees(data):
        raise not_found(conversation_id)
    return store.with_id(conversation_id, data)


def check_patch(scope: Scope, current: dict[str, Any], changes: dict[str, Any]) -> None:
    """The reassign rule applied to PATCH (`changes` are the fields that really change).

    A lead may do anything. An agent may take a conversation of a queue they serve that nobody
    else holds (assignee := themself) and give back their own (assignee := null); moving it to
    another queue is a transfer (POST …/transfer, with a hand-off note), and giving it to a
    colleague is a transfer or a lead's reassign.
    """
    if scope.is_lead:
        return
    if "queue_id" in changes:
        raise ApiError(403, "use_transfer", "moving a conversation to another queue is a transfer: "
                       "POST /api/v1/conversations/{id}/transfer with a hand-off note")
    if "assignee_id" not in changes:
        return
    target, holder = changes["assignee_id"], current.get("assignee_id")
    if target is None:
        if holder != scope.agent_id:
            raise ApiError(403, "not_your_conversation", "only its assignee (or a lead) may put a conversation "
                           "back in the queue")
    elif target != scope.agent_id:
        raise ApiError(403, "forbidden_assignment", "agents may assign a conversation only to themselves; "
                       "use transfer, or ask a lead to reassign")
    elif holder is not None:
        raise ApiError(403, "already_assigned", "the conversation is assigned to a colleague; ask them to "
                       "transfer it, or a lead to reassign it")
    elif not scope.serves(current.get("queue_id")):
        raise ApiError(403, "not_your_queue", "you do not serve this conversation's queue")


# -- the feed: what one caller's cursor-based client may be shown -----------------------------------


def viewer(scope: Scope, after_seq: int) -> store.Viewer | None:
    """The feed filter for `scope` (None: everything), read from `after_seq`."""
    if scope.everything:
        return None
    return store.Viewer(scope.agent_id, scope.queue_ids, fresh=after_seq == 0)


def _epoch_key(agent_id: str) -> str:
    return f"scope_epoch:{agent_id}"


def mark_scope_changed(conn: sqlite3.Connection, agent_id: str) -> None:
    """The agent's queues changed (inside the write): a cursor from before cannot be brought up to
    date (records of a new queue lie behind it), so it gets 410 and the client resyncs."""
    row = conn.execute("SELECT seq FROM changes WHERE entity = 'agent' AND entity_id = ?", (agent_id,)).fetchone()
    if row is not None:
        store.set_meta(conn, _epoch_key(agent_id), str(row[0]))


def note_mode(database: store.Database, agents_see_all: bool) -> None:
    """A server restarted with the other "agents see all" setting expires every cursor handed out
    before (they were filtered the other way)."""
    mode = "all" if agents_see_all else "queues"
    with database.transaction() as conn:
        previous = store.get_meta(conn, "scope_mode")
        if previous != mode:
            if previous is not None:
                last = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
                store.set_meta(conn, "scope_epoch", str(last[0] if last else 0))
            store.set_meta(conn, "scope_mode", mode)


def agent_epoch(database: store.Database, agent_id: str) -> int:
    """The feed position of the agent's last change of queues (0: never changed)."""
    return int(store.get_meta(database.reader(), _epoch_key(agent_id)) or 0)


def cursor_predates_scope(database: store.Database, agent_id: str, seq: int, issued_epoch: int | None) -> bool:
    """True when the scope that filtered the feed up to `seq` is no longer this agent's.

    A cursor below the agent's epoch is still good when it was handed out after the change (the
    pages of the resync it caused): those carry the epoch they were issued under (`seq@epoch`)."""
    mode_epoch = int(store.get_meta(database.reader(), "scope_epoch") or -1)
    epoch = agent_epoch(database, agent_id)
    return (seq < epoch and issued_epoch != epoch) or seq <= mode_epoch
