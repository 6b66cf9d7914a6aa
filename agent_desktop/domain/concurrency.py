"""Per-field concurrency: a queued ticket change conflicts only when someone else changed one of
its own fields since the agent's base; changes to other fields and new messages never do. Tags
(a set) travel as what the agent added and removed, merged onto whatever the server has now.

The sync engine decides with these rules for any backend: one with If-Match gets the newest
version it knows, one without still never overwrites a colleague's change unseen.
"""

from __future__ import annotations

from typing import Any

SET_FIELDS = frozenset({"tags"})


def base_of(shown: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """What the agent saw of each field they change: the base their change is relative to."""
    return {name: shown.get(name) for name in fields}


def rebase(fields: dict[str, Any], base: dict[str, Any], server: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The change to send onto `server` (the newest state known), and the fields that clash: changed
    on the server since `base` to something other than what the agent set."""
    send: dict[str, Any] = {}
    clashes: list[str] = []
    for name, mine in fields.items():
        if name in SET_FIELDS:
            send[name] = merge_set(base.get(name) or [], mine or [], server.get(name) or [])
            continue
        theirs, before = server.get(name), base.get(name)
        if theirs != before and theirs != mine:
            clashes.append(name)
        send[name] = mine
    return send, clashes


def merge_set(base: list[Any], mine: list[Any], theirs: list[Any]) -> list[Any]:
    """Theirs, less what the agent removed, plus what the agent added (theirs' order kept)."""
    removed = [item for item in base if item not in mine]
    added = [item for item in mine if item not in base]
    merged = [item for item in theirs if item not in removed]
    return merged + [item for item in added if item not in merged]


def already_in(send: dict[str, Any], server: dict[str, Any]) -> bool:
    """The server holds every value this change asks for (our own earlier attempt got through)."""
    return all(server.get(name) == value for name, value in send.items())
