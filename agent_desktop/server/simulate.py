"""A stream of customer traffic for demos: new contacts and replies, posted to `/api/v1/inbound`.

It goes through HTTP like a real channel connector would, so the demo exercises the same path
(customer matching, reopening, SLA, change feed) that production traffic takes.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import requests

from .db import Database
from .demo_data import CHANNEL_WEIGHTS, inbound_text, make_person
from .ticker import Ticker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Contact:
    """A customer the simulator can write as again, on the channel of their open conversation."""

    channel: str
    name: str
    lang: str
    phone: str | None = None
    email: str | None = None
    handle: str | None = None

    def wire(self) -> dict[str, Any]:
        return {"name": self.name, "phone": self.phone, "email": self.email, "handle": self.handle}


def _lang(name: str) -> str:
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in name) else "en"


def contacts_from_database(database: Database, limit: int = 300) -> list[Contact]:
    """Customers with open work, newest first: the ones a reply would realistically come from."""
    rows = database.reader().execute(
        "SELECT c.channel, cu.data FROM conversations c JOIN customers cu ON cu.id = c.customer_id "
        "WHERE c.status IN ('new', 'open', 'pending') ORDER BY c.created_at DESC LIMIT ?",
        (limit,),
    ).fetchall()
    contacts = []
    for channel, data in rows:
        customer = json.loads(data)
        first = {field: (customer.get(field) or [None])[0] for field in ("phones", "emails", "handles")}
        contacts.append(Contact(channel, customer["name"], _lang(customer["name"]), first["phones"],
                                first["emails"], first["handles"]))
    return contacts


class Simulator(Ticker):
    """Every `interval` seconds, one inbound message: a new contact (`new_share`) or a customer reply."""

    thread_name = "demo-simulator"

    def __init__(self, base_url: str, integration_key: str, *, interval: float = 5.0,
                 contacts: Iterable[Contact] = (), seed: int | None = None, new_share: float = 0.4,
                 timeout: float = 10.0) -> None:
        super().__init__(interval)
        self.url = base_url.rstrip("/") + "/api/v1/inbound"
        self.new_share, self.timeout = new_share, timeout
        self._headers = {"X-Integration-Key": integration_key}
        self._contacts: deque[Contact] = deque(contacts, maxlen=500)
        self._rng = random.Random(seed)
        self._session = requests.Session()
        self.sent = 0

    def stop(self, timeout: float = 5.0) -> None:
        super().stop(timeout)
        self._session.close()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.step()
            except (requests.RequestException, ValueError) as exc:  # the server may be starting or gone
                log.info("simulator: %s", exc)

    def step(self) -> dict[str, Any]:
        """Post one message now; returns the server's answer."""
        rng = self._rng
        follow_up = bool(self._contacts) and rng.random() >= self.new_share
        if follow_up:
            contact = rng.choice(self._contacts)
        else:
            person = make_person(rng)
            channel = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
            contact = Contact(channel, person["name"], person["lang"], person["phone"],
                              person["email"] if rng.random() < 0.8 else None,
                              person["handle"] if channel == "social" else None)
        first = contact.name if contact.lang == "zh" else contact.name.split()[0]
        person = {"name": contact.name, "first": first, "lang": contact.lang, "phone": contact.phone or "",
                  "email": contact.email or ""}
        subject, body = inbound_text(rng, person, contact.channel, follow_up=follow_up)
        payload: dict[str, Any] = {"channel": contact.channel, "customer": contact.wire(), "subject": subject, "body": body,
                   "external_id": f"sim-{uuid.uuid4().hex}"}
        response = self._session.post(self.url, json=payload, headers=self._headers, timeout=self.timeout)
        response.raise_for_status()
        if not follow_up:
            self._contacts.append(contact)
        self.sent += 1
        return response.json()
