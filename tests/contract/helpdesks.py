"""The helpdesks the contract suite runs against, behind one test-side interface.

Each `Helpdesk` is a real server on 127.0.0.1 (our reference server, a live Request Tracker 5)
with what a test needs to act on it *as someone else* — a customer writing in, another agent
changing a ticket, an administrator deleting or merging — and to read back the server's truth.
"""

from __future__ import annotations

import itertools
import time
from typing import Any, Protocol

import requests

from agent_desktop.backends.registry import make_backend
from tests.helpers import INTEGRATION_KEY, RunningServer

_numbers = itertools.count(1)


class Helpdesk(Protocol):
    kind: str
    url: str
    user: str
    secret: str
    can_delete: bool
    can_merge: bool

    def new_conversation(self, text: str) -> str:
        """A customer opens a new conversation; its id."""
        ...

    def customer_writes(self, conversation_id: str, text: str) -> None: ...

    def someone_else_sets(self, conversation_id: str, **fields: Any) -> None:
        """Another agent (or a lead) changes the ticket: fields in our terms (status, priority)."""
        ...

    def delete(self, conversation_id: str) -> None: ...

    def merge(self, source: str, target: str) -> None: ...

    def bodies(self, conversation_id: str) -> list[str]:
        """Every message body the server holds for the conversation, oldest first."""
        ...

    def state(self, conversation_id: str) -> dict[str, Any]:
        """status and priority in our terms, as the server holds them."""
        ...

    def visible_total(self) -> int:
        """How many conversations the agent may see (a first sync must bring them all)."""
        ...

    def sends_a_message(self, method: str, path: str) -> bool:
        """Is this request (as the adapter makes it) one that writes a reply or a note? The fault
        tests lose exactly those answers."""
        ...

    def expire_credentials(self, backend: Any) -> None:
        """Make the signed-in `backend` present credentials the server no longer accepts."""
        ...


def posts_to(method: str, path: str, *endings: str) -> bool:
    return method == "POST" and path.split("?")[0].endswith(endings)


def signed_in(helpdesk: Helpdesk, url: str | None = None, **options: Any):
    backend = make_backend(url or helpdesk.url, helpdesk.kind)
    if options:
        backend.http.timeout = options["timeout"]
    backend.sign_in(helpdesk.user, helpdesk.secret)
    return backend


class ReferenceHelpdesk:
    kind = "reference"
    user, secret = "agent1", "demo"
    can_delete = False   # the reference server never deletes a conversation (it leaves scope instead)
    can_merge = False    # merging arrives with issue 19

    def __init__(self, server: RunningServer) -> None:
        self.server = server
        self.url = server.url
        self._lead = server.token("lead1")
        self._phones: dict[str, str] = {}

    def _as_lead(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        answer = requests.request(method, f"{self.url}/api/v1{path}", timeout=15,
                                  headers={"Authorization": f"Bearer {self._lead}", **kwargs.pop("headers", {})},
                                  **kwargs)
        answer.raise_for_status()
        return answer

    def new_conversation(self, text: str) -> str:
        phone = f"+86 139{time.time_ns() % 10**8:08d}"
        answer = self.server.inbound(channel="phone", customer={"name": f"Contract {next(_numbers)}", "phone": phone},
                                     body=text)
        self._phones[answer["conversation_id"]] = phone
        # In a queue agent1 serves, so the agent's feed carries it.
        self._as_lead("PATCH", f"/conversations/{answer['conversation_id']}", json={"queue_id": self._agents_queue()})
        return answer["conversation_id"]

    def _agents_queue(self) -> str:
        agent = requests.get(f"{self.url}/api/v1/me", headers={"Authorization": f"Bearer {self.server.token()}"},
                             timeout=10).json()
        return agent["queue_ids"][0]

    def customer_writes(self, conversation_id: str, text: str) -> None:
        phone = self._phones[conversation_id]
        answer = requests.post(f"{self.url}/api/v1/inbound", timeout=10, headers={"X-Integration-Key": INTEGRATION_KEY},
                               json={"channel": "phone", "customer": {"name": "x", "phone": phone}, "body": text})
        answer.raise_for_status()
        assert answer.json()["conversation_id"] == conversation_id

    def someone_else_sets(self, conversation_id: str, **fields: Any) -> None:
        self._as_lead("PATCH", f"/conversations/{conversation_id}", json=fields)

    def delete(self, conversation_id: str) -> None:
        raise NotImplementedError

    def merge(self, source: str, target: str) -> None:
        raise NotImplementedError

    def bodies(self, conversation_id: str) -> list[str]:
        messages = self._as_lead("GET", f"/conversations/{conversation_id}/messages").json()
        items = messages["messages"] if isinstance(messages, dict) else messages
        return [m["body"] for m in items]

    def state(self, conversation_id: str) -> dict[str, Any]:
        record = self.server.conversation(conversation_id)
        return {"status": record["status"], "priority": record["priority"]}

    def visible_total(self) -> int:
        return sum(1 for entity, _ in self.server.feed(self.server.token()) if entity == "conversation")

    def sends_a_message(self, method: str, path: str) -> bool:
        return posts_to(method, path, "/messages", "/transfer")

    def expire_credentials(self, backend: Any) -> None:
        backend.http.authorization = None
        backend.http.token = "expired-or-revoked"
