"""Chatwoot as a contract-suite helpdesk: the stateful fake (tests/vendors/chatwoot_fake.py) behind
Prism, which checks every request and answer against Chatwoot's published OpenAPI document."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.contract.helpdesks import posts_to
from tests.vendors.chatwoot_fake import (
    ACCOUNT,
    PRIORITY_FROM_CHATWOOT,
    PRIORITY_TO_CHATWOOT,
    STATUS_TO_CHATWOOT,
    TOKEN,
    ChatwootFake,
)
from tests.vendors.prism import CHATWOOT_DOCUMENT, Prism

# Prism's warning for a status code the operation does not list. Chatwoot sends 401 from every
# endpoint and 429 from Rack::Attack, but the document lists 401 only on some and 429 on none: an
# answer with such a code is Chatwoot's real behaviour, so exactly those warnings are expected.
UNLISTED_STATUS = "Unable to match the returned status code"


def _documented_statuses() -> list[tuple[str, re.Pattern[str], set[int]]]:
    document = json.loads(CHATWOOT_DOCUMENT.read_text())
    found = []
    for path, item in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", r"[^/]+", path) + "$")
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                codes = {int(code) for code in operation["responses"] if code.isdigit()}
                found.append((method.upper(), pattern, codes))
    return found


class ChatwootHelpdesk:
    kind = "chatwoot"
    user, secret = "agent1@example.com", TOKEN
    # The Application API document has no DELETE for a conversation (an administrator deletes one
    # in the web UI only), so the adapter cannot be told of a deletion: see docs/backends/chatwoot.md.
    can_delete = False
    # Chatwoot merges contacts (actions/contact_merge), never conversations.
    can_merge = False

    def __init__(self, fake: ChatwootFake, prism: Prism) -> None:
        self.fake, self.prism = fake, prism
        self.url = f"{prism.url}/app/accounts/{ACCOUNT}"   # as the browser shows it

    def new_conversation(self, text: str) -> str:
        return str(self.fake.customer_opens(text))

    def customer_writes(self, conversation_id: str, text: str) -> None:
        self.fake.customer_writes(int(conversation_id), text)

    def someone_else_sets(self, conversation_id: str, **fields: Any) -> None:
        theirs: dict[str, Any] = {}
        if "status" in fields:
            theirs["status"] = STATUS_TO_CHATWOOT[fields["status"]]
        if "priority" in fields:
            theirs["priority"] = PRIORITY_TO_CHATWOOT[fields["priority"]]
        self.fake.colleague_sets(int(conversation_id), **theirs)

    def delete(self, conversation_id: str) -> None:
        raise NotImplementedError("Chatwoot's API cannot delete a conversation")

    def merge(self, source: str, target: str) -> None:
        raise NotImplementedError("Chatwoot cannot merge conversations")

    def bodies(self, conversation_id: str) -> list[str]:
        return self.fake.bodies(int(conversation_id))

    def state(self, conversation_id: str) -> dict[str, Any]:
        truth = self.fake.truth(int(conversation_id))
        status = {"snoozed": "pending"}.get(truth["status"], truth["status"])
        return {"status": status, "priority": PRIORITY_FROM_CHATWOOT[truth["priority"]]}

    def visible_total(self) -> int:
        return len(self.fake.visible())

    def sends_a_message(self, method: str, path: str) -> bool:
        return posts_to(method, path, "/messages")

    def expire_credentials(self, backend: Any) -> None:
        backend.http.auth_headers = {"api_access_token": "revoked-token"}

    def check_contract(self) -> None:
        violations = self.prism.violations()
        expected = self._unlisted_answers()
        unexpected = [line for line in violations if UNLISTED_STATUS not in line]
        unlisted = [line for line in violations if UNLISTED_STATUS in line]
        assert not unexpected, "Prism found answers or requests breaking Chatwoot's document:\n" + \
            "\n".join(unexpected[:20])
        assert len(unlisted) <= expected, (f"{len(unlisted)} answers with a status the document does not "
                                           f"list, but the fake sent only {expected} (401/429)")

    def _unlisted_answers(self) -> int:
        documented = _documented_statuses()
        count = 0
        for method, path, status in list(self.fake.answers):
            for doc_method, pattern, codes in documented:
                if doc_method == method and pattern.match(path):
                    count += status in (401, 429) and status not in codes
                    break
        return count


@contextmanager
def running(folder: Path) -> Iterator[ChatwootHelpdesk]:
    fake = ChatwootFake().start()
    try:
        with Prism(CHATWOOT_DOCUMENT, upstream=fake.url, log_dir=folder) as prism:
            yield ChatwootHelpdesk(fake, prism)
    finally:
        fake.stop()
