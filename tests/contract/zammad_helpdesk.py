"""Zammad as a contract-suite helpdesk: the stateful fake of its REST API v1 (tests/vendors/zammad_fake.py).

Zammad publishes no OpenAPI document, so there is no Prism here: `check_contract()` asserts instead
that every request the adapter made is one of the documented endpoints the fake implements, and
that the fake saw no request Zammad would refuse (its `violations`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agent_desktop.backends import zammad_mapping
from tests.vendors.zammad_fake import PRIORITIES, STATE_TYPES, STATES, ZammadFake

_TICKET = re.compile(r"^/api/v1/tickets/\d+$")
# Ours → the fake's seeded ids (what a colleague picks in Zammad's UI).
STATE_IDS = {"new": 1, "open": 2, "pending": 3, "resolved": 7, "closed": 4}
PRIORITY_IDS = {"low": 1, "normal": 2, "high": 3, "urgent": 4}


class ZammadHelpdesk:
    kind = "zammad"
    can_delete = True    # an administrator deletes a ticket (DELETE /api/v1/tickets/{id}); the sweep sees it
    can_merge = True     # PUT /api/v1/ticket_merge/{source_id}/{target_number}: articles move to the target

    def __init__(self, fake: ZammadFake) -> None:
        self.fake = fake
        self.url = fake.url
        self.user, self.secret = fake.agent_login, fake.agent_token

    def new_conversation(self, text: str) -> str:
        return str(self.fake.new_ticket(text))

    def customer_writes(self, conversation_id: str, text: str) -> None:
        self.fake.customer_writes(int(conversation_id), text)

    def someone_else_sets(self, conversation_id: str, **fields: Any) -> None:
        update: dict[str, Any] = {}
        if "status" in fields:
            update["state_id"] = STATE_IDS[fields["status"]]
        if "priority" in fields:
            update["priority_id"] = PRIORITY_IDS[fields["priority"]]
        self.fake.colleague_sets(int(conversation_id), **update)

    def delete(self, conversation_id: str) -> None:
        self.fake.delete(int(conversation_id))

    def merge(self, source: str, target: str) -> None:
        self.fake.merge(int(source), int(target))

    def bodies(self, conversation_id: str) -> list[str]:
        return [body.strip() for body in self.fake.bodies(int(conversation_id))]

    def state(self, conversation_id: str) -> dict[str, Any]:
        ticket = self.fake.ticket(int(conversation_id))
        vocabulary = zammad_mapping.Vocabulary.read(
            [{"id": sid, "name": name, "state_type": STATE_TYPES[kind], "active": active}
             for sid, name, kind, active in STATES],
            [{"id": pid, "name": name, "default_create": default} for pid, name, default in PRIORITIES])
        return {"status": vocabulary.status_of(ticket), "priority": vocabulary.priority_of(ticket)}

    def visible_total(self) -> int:
        return self.fake.visible_total()

    def sends_a_message(self, method: str, path: str) -> bool:
        path = path.split("?")[0]
        # Replies and notes, and hand-offs: a ticket update carrying the note as its `article`.
        return (method == "POST" and path == "/api/v1/ticket_articles") or (method == "PUT" and bool(_TICKET.match(path)))

    def expire_credentials(self, backend: Any) -> None:
        backend.http.token = None
        backend.http.authorization = "Token token=" + "0" * 64

    def check_contract(self) -> None:
        undocumented = [f"{m} {p}" for m, p in self.fake.requests if not self.fake.documented(m, p)]
        assert not undocumented, f"requests to endpoints the fake does not implement: {undocumented[:10]}"
        assert not self.fake.violations, f"requests Zammad would refuse: {self.fake.violations[:10]}"


@contextmanager
def running(folder: Path) -> Iterator[ZammadHelpdesk]:
    fake = ZammadFake().start()
    try:
        yield ZammadHelpdesk(fake)
    finally:
        fake.stop()
