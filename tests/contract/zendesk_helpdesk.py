"""The Zendesk fake as a contract-suite helpdesk: Prism in front of it checks every Support API
request and answer against Zendesk's published document; Help Center requests (not in that
document) pass a splitter straight to the fake."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agent_desktop.backends import zendesk_mapping as mapping
from agent_desktop.backends.zendesk import RATE_ENV
from tests.vendors import zendesk_fake
from tests.vendors.zendesk_fake import AGENT_EMAIL, AGENT_TOKEN, ZendeskFake

TICKET_UPDATE = re.compile(r"^/api/v2/tickets/\d+$")
# Zendesk's document lists only each operation's 200; its real 401 (bad token), 409 (safe_update),
# 422 and 429 pass Prism with this warning, which is therefore not a contract violation here.
UNDOCUMENTED_STATUS = "Unable to match the returned status code"


class ZendeskHelpdesk:
    kind = "zendesk"
    user, secret = AGENT_EMAIL, AGENT_TOKEN
    can_delete = True    # deleted tickets show in /api/v2/deleted_tickets (and as "deleted" in the export)
    can_merge = True     # the merged-away ticket is closed with `closed_by_merge`: it leaves the cache

    def __init__(self, fake: ZendeskFake, prism: Any, url: str) -> None:
        self.fake, self.prism, self.url = fake, prism, url

    def new_conversation(self, text: str) -> str:
        return self.fake.new_ticket(text)

    def customer_writes(self, conversation_id: str, text: str) -> None:
        self.fake.customer_writes(conversation_id, text)

    def someone_else_sets(self, conversation_id: str, **fields: Any) -> None:
        theirs: dict[str, Any] = {}
        if "status" in fields:
            theirs["status"] = mapping.STATUS_TO_ZENDESK[fields["status"]]
        if "priority" in fields:
            theirs["priority"] = fields["priority"]
        self.fake.colleague_sets(conversation_id, **theirs)

    def delete(self, conversation_id: str) -> None:
        self.fake.delete(conversation_id)

    def merge(self, source: str, target: str) -> None:
        self.fake.merge(source, target)

    def bodies(self, conversation_id: str) -> list[str]:
        return self.fake.bodies(conversation_id)

    def state(self, conversation_id: str) -> dict[str, Any]:
        ticket = self.fake.state(conversation_id)
        return {"status": mapping.STATUS_FROM_ZENDESK[ticket["status"]],
                "priority": mapping.priority_from_zendesk(ticket.get("priority"))}

    def visible_total(self) -> int:
        return len(self.fake.visible())

    def sends_a_message(self, method: str, path: str) -> bool:
        # A comment is a ticket update; the suite's lost-answer tests change no fields, so every
        # PUT to a ticket they make carries a comment.
        return method == "PUT" and bool(TICKET_UPDATE.match(path.split("?")[0]))

    def expire_credentials(self, backend: Any) -> None:
        backend.http.token = None
        backend.http.authorization = "Basic " + base64.b64encode(
            f"{AGENT_EMAIL}/token:revoked-token".encode()).decode()

    def violations(self) -> list[str]:
        return [line for line in self.prism.violations() if UNDOCUMENTED_STATUS not in line]

    def check_contract(self) -> None:
        found = self.violations()
        assert not found, "Prism found requests or answers breaking Zendesk's document:\n" + "\n".join(found[:20])


@contextmanager
def running(folder: Path, **options: Any) -> Iterator[ZendeskHelpdesk]:
    # The contract suite pulls far more often than Zendesk's 10 export requests a minute allow:
    # the adapter's pacing is raised for it (tests/zendesk_adapter test the pacing itself).
    before = os.environ.get(RATE_ENV)
    os.environ[RATE_ENV] = "100000"
    try:
        with zendesk_fake.stack(folder, **options) as (fake, prism, front):
            yield ZendeskHelpdesk(fake, prism, front.url)
    finally:
        if before is None:
            os.environ.pop(RATE_ENV, None)
        else:
            os.environ[RATE_ENV] = before
