"""Customer records (客户档案) for the UI: the customer, finding one, their figures, timeline, orders
and notes; notes and tags edited, an unknown caller linked to a customer or created as a new one.
Every change is written locally with its outbox row and sent by the sync engine (services/workflow
FEATURE holds the send handlers)."""

from __future__ import annotations

import json
from typing import Any

from ..backends.base import Capability
from ..domain.timeutil import now_iso
from ..store import outbox
from ..store import workflow as store
from .workflow_base import CREATE_CUSTOMER, LINK, NOTE_ADD, NOTE_EDIT, TAGS, QueuedActions


class CustomerRecordsService(QueuedActions):
    """`changed` says "notes" or "customer"."""

    # -- reads ----------------------------------------------------------------------------------
    def customer(self, customer_id: str) -> dict[str, Any] | None:
        rows = self.db.reader().execute("SELECT * FROM customers WHERE id=?", (customer_id,)).fetchall()
        if not rows:
            return None
        names = [d[0] for d in self.db.reader().execute("SELECT * FROM customers LIMIT 0").description]
        row = dict(zip(names, rows[0], strict=True))
        for key in ("phones", "emails", "handles", "tags"):
            row[key] = json.loads(row[key] or "[]")
        return row

    def find_customers(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Customers whose name, phone or e-mail contains `text` (for linking an unknown caller)."""
        text = text.strip()
        if len(text) < 1:
            return []
        pattern = "%" + text.replace("%", "").replace("_", "") + "%"
        rows = self.db.reader().execute(
            "SELECT id, name, phones, emails FROM customers WHERE name LIKE ? OR phones LIKE ? OR emails LIKE ? "
            "ORDER BY name LIMIT ?", (pattern, pattern, pattern, limit)).fetchall()
        return [{"id": r[0], "name": r[1], "phones": ", ".join(json.loads(r[2] or "[]")),
                 "emails": ", ".join(json.loads(r[3] or "[]"))} for r in rows]

    def figures(self, customer_id: str) -> dict[str, Any]:
        return store.customer_figures(self.db.reader(), customer_id)

    def timeline(self, customer_id: str, before: tuple[str, str] | None = None, limit: int = 30) -> list[dict[str, Any]]:
        return store.customer_timeline(self.db.reader(), customer_id, before=before, limit=limit)

    def orders(self, customer_id: str) -> list[dict[str, Any]]:
        return store.customer_orders(self.db.reader(), customer_id)

    def notes(self, customer_id: str) -> list[dict[str, Any]]:
        return store.customer_notes(self.db.reader(), customer_id)

    # -- acting ---------------------------------------------------------------------------------
    async def add_note(self, customer_id: str, body: str) -> str:
        self._needs(Capability.CUSTOMERS)
        if not body.strip():
            raise ValueError("the note is empty")

        def write(conn):
            key = outbox.enqueue_action(conn, NOTE_ADD, "", {"customer_id": customer_id, "body": body.strip()})
            store.add_local_note(conn, key, {"customer_id": customer_id, "body": body.strip(),
                                             "author_id": self.agent_id, "author_name": str(self.agent.get("name", "")),
                                             "created_at": now_iso(), "updated_at": now_iso()})
            return key

        return await self._write(write, what="notes")

    async def edit_note(self, note_id: str, body: str) -> str:
        self._needs(Capability.CUSTOMERS)
        if not body.strip():
            raise ValueError("the note is empty")

        def write(conn):
            key = outbox.enqueue_action(conn, NOTE_EDIT, "", {"id": note_id, "body": body.strip()})
            store.set_local_note(conn, note_id, key, body.strip(), now_iso())
            return key

        return await self._write(write, what="notes")

    async def set_tags(self, customer_id: str, tags: list[str]) -> str:
        self._needs(Capability.CUSTOMERS)
        clean = list(dict.fromkeys(t.strip() for t in tags if t.strip()))

        def write(conn):
            key = outbox.enqueue_action(conn, TAGS, "", {"customer_id": customer_id, "tags": clean})
            store.set_local_customer_tags(conn, customer_id, clean)
            return key

        return await self._write(write, what="customer")

    async def link_customer(self, conversation_id: str, customer_id: str) -> str:
        self._needs(Capability.CUSTOMERS)
        def write(conn):
            key = outbox.enqueue_action(conn, LINK, conversation_id, {"customer_id": customer_id})
            conn.execute("UPDATE conversations SET customer_id=? WHERE id=?", (customer_id, conversation_id))
            return key

        return await self._write(write, what="customer", conversation_id=conversation_id)

    async def create_customer(self, conversation_id: str, *, name: str, company: str = "", phone: str = "",
                              email: str = "") -> str:
        """An unknown caller is a new customer: create them on the server and link the conversation."""
        self._needs(Capability.CUSTOMERS)
        if not name.strip():
            raise ValueError("the customer needs a name")
        payload = {"name": name.strip(), "company": company.strip(), "phone": phone.strip() or None,
                   "email": email.strip() or None}

        def write(conn):
            return outbox.enqueue_action(conn, CREATE_CUSTOMER, conversation_id, payload)

        return await self._write(write, what="customer", conversation_id=conversation_id)

