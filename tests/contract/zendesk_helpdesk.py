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
from agent_desktop.backends.zendesk import API_RATE_ENV, RATE_ENV, SEARCH_RATE_ENV
from tests.vendors import zendesk_fake
from tests.vendors.zendesk_fake import PLAIN_EMAIL, PLAIN_TOKEN, ZendeskFake

TICKET_UPDATE = re.compile(r"^/api/v2/tickets/\d+$")
# Zendesk's document lists only each operation's 200; its real 401 (bad token), 409 (safe_update),
# 422 and 429 pass Prism with this warning, which is therefore not a contract violation here.
UNDOCUMENTED_STATUS = "Unable to match the returned status code"


class ZendeskHelpdesk:
    """Signed in as a plain agent (role `agent`, the app's usual user): the suite proves the search
    export path; tests/zendesk_adapter keep the admin path (incremental exports) covered."""
    kind = "zendesk"
    user, secret = PLAIN_EMAIL, PLAIN_TOKEN
    can_delete = True    # deleted tickets show in /api/v2/deleted_tickets ("Allowed for: Agents")
    can_merge = True     # the merged-away ticket is closed with `closed_by_merge`: it leaves the cache

    def __init__(self, fake: ZendeskFake, prism: Any, url: str, user: str = PLAIN_EMAIL,
                 secret: str = PLAIN_TOKEN) -> None:
        self.fake, self.prism, self.url = fake, prism, url
        self.user, self.secret = user, secret

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
            f"{self.user}/token:revoked-token".encode()).decode()

    def violations(self) -> list[str]:
        return [line for line in self.prism.violations() if UNDOCUMENTED_STATUS not in line]

    def check_contract(self) -> None:
        found = self.violations()
        assert not found, "Prism found requests or answers breaking Zendesk's document:\n" + "\n".join(found[:20])


@contextmanager
def running(folder: Path, **options: Any) -> Iterator[ZendeskHelpdesk]:
    # The contract suite pulls far more often than Zendesk's limits allow (10 export, 100 search
    # export requests a minute): the adapter's pacing is raised for it (tests/zendesk_adapter test
    # the pacing itself).
    names = (RATE_ENV, SEARCH_RATE_ENV, API_RATE_ENV)
    before = {name: os.environ.get(name) for name in names}
    os.environ.update({name: "100000" for name in names})
    try:
        with zendesk_fake.stack(folder, **options) as (fake, prism, front):
            yield ZendeskHelpdesk(fake, prism, front.url)
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
