"""A live Request Tracker 5 as a contract-suite helpdesk: staff changes over REST2 as root, a
customer's messages through RT's Perl API as that customer (as RT's mail gateway would)."""

from __future__ import annotations

import itertools
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

from agent_desktop.backends import rt_mapping
from tests.contract.helpdesks import posts_to

RT_LIB = "/usr/share/request-tracker5/lib"
_numbers = itertools.count(1)

CUSTOMER_WRITES = r"""
use strict; use warnings; use utf8;
use lib '%(lib)s';
use RT; RT::LoadConfig(); RT::Init();
binmode STDIN, ':encoding(UTF-8)';
my ($email, $ticket_id) = @ARGV;
my $text = do { local $/; <STDIN> };
my $user = RT::User->new(RT->SystemUser);
my ($uid) = $user->LoadOrCreateByEmail(EmailAddress => $email, RealName => $email);
my $me = RT::CurrentUser->new; $me->Load($user->Id);
my $ticket = RT::Ticket->new($me);
my $mime = MIME::Entity->build(Type => 'text/plain', Charset => 'UTF-8', Data => [Encode::encode('UTF-8', $text)]);
if ($ticket_id) {
    $ticket->Load($ticket_id) or die "no ticket $ticket_id";
    my ($ok, $msg) = $ticket->Correspond(MIMEObj => $mime);
    die "correspond: $msg" unless $ok;
    print $ticket->Id, "\n";
} else {
    my ($id, undef, $msg) = $ticket->Create(Queue => 'General', Subject => 'Contract suite contact',
                                            Requestor => [$email], MIMEObj => $mime);
    die "create: $msg" unless $id;
    print "$id\n";
}
"""


class RequestTrackerHelpdesk:
    kind = "rt"
    can_delete = True
    can_merge = True

    def __init__(self, rt: Any) -> None:
        self.rt = rt
        self.url = rt.url
        # The agent signs in with its auth token, as docs/backends/rt.md advises (a password works too).
        self.user, self.secret = rt.agent.name, rt.agent.token or rt.agent.password
        self._root = requests.Session()
        self._root.auth = ("root", rt.root_password)
        self._customers: dict[str, str] = {}

    def _rest(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self._root.request(method, f"{self.url}/REST/2.0{path}", timeout=30, **kwargs)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def _as_customer(self, email: str, text: str, ticket_id: str | None = None) -> str:
        env = {**os.environ, **self.rt.env()}
        done = subprocess.run(["perl", "-e", CUSTOMER_WRITES % {"lib": RT_LIB}, email, ticket_id or "0"],
                              input=text, capture_output=True, text=True, env=env, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"RT refused the customer's message: {done.stderr[-800:]}")
        return done.stdout.strip().splitlines()[-1]

    def new_conversation(self, text: str) -> str:
        email = f"contract{next(_numbers)}.{time.time_ns()}@example.com"
        ticket_id = self._as_customer(email, text)
        self._customers[ticket_id] = email
        return ticket_id

    def customer_writes(self, conversation_id: str, text: str) -> None:
        self._as_customer(self._customers[conversation_id], text, conversation_id)

    def someone_else_sets(self, conversation_id: str, **fields: Any) -> None:
        update: dict[str, Any] = {}
        if "status" in fields:
            update["Status"] = rt_mapping.STATUS_TO_RT[fields["status"]]
        if "priority" in fields:
            update["Priority"] = rt_mapping.PRIORITY_TO_RT[fields["priority"]]
        self._rest("PUT", f"/ticket/{conversation_id}", json=update)

    def delete(self, conversation_id: str) -> None:
        self._rest("PUT", f"/ticket/{conversation_id}", json={"Status": "deleted"})

    def merge(self, source: str, target: str) -> None:
        self._rest("PUT", f"/ticket/{source}", json={"MergeInto": int(target)})

    def bodies(self, conversation_id: str) -> list[str]:
        history = self._rest("GET", f"/ticket/{conversation_id}/history", params={"per_page": 100, "fields": "Type"})
        ids = [int(t["id"]) for t in history["items"] if t.get("Type") in rt_mapping.MESSAGE_TYPES]
        if not ids:
            return []
        parts = self._rest("POST", "/attachments", params={"per_page": 100, "fields": "TransactionId,ContentType,Content"},
                           json=[{"field": "TransactionId", "operator": "IN", "value": ids}])
        by_txn: dict[int, list[dict[str, Any]]] = {}
        for part in parts["items"]:
            by_txn.setdefault(int(rt_mapping.ref_id(part["TransactionId"]) or 0), []).append(part)
        return [rt_mapping.body_of(by_txn.get(i, [])).strip() for i in sorted(ids)]

    def state(self, conversation_id: str) -> dict[str, Any]:
        ticket = self._rest("GET", f"/ticket/{conversation_id}")
        return {"status": rt_mapping.STATUS_FROM_RT[ticket["Status"]],
                "priority": rt_mapping.priority_from_rt(ticket["Priority"])}

    def visible_total(self) -> int:
        answer = requests.get(f"{self.url}/REST/2.0/tickets", params={"query": "id > 0", "per_page": 1},
                              auth=self.rt.agent.basic_auth, timeout=30)
        answer.raise_for_status()
        return int(answer.json()["total"])

    def sends_a_message(self, method: str, path: str) -> bool:
        return posts_to(method, path, "/correspond", "/comment")

    def expire_credentials(self, backend: Any) -> None:
        backend.http.token = None
        backend.http.authorization = "token 1-1-00000000000000000000000000000000"


class LocalRT:
    """An RT already running (a developer's `python -m tests.rt.rt_server`), for trying the suite."""

    def __init__(self, url: str, config: Path, root_password: str = "root-pass") -> None:
        from tests.rt.rt_server import Account

        self.url, self.config = url, config
        self.agent, self.root_password = Account("agent1", "agent1-pass"), root_password

    def env(self) -> dict[str, str]:
        return {"RT_SITE_CONFIG": str(self.config), "RT_SITE_CONFIG_DIR": str(self.config.parent / "conf.d")}
