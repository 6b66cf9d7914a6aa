"""A stateful fake of Chatwoot's Application API on 127.0.0.1, for the adapter's tests.

It answers the endpoints `agent_desktop/backends/chatwoot.py` uses, in the shapes of Chatwoot's
published OpenAPI document (`tests/vendors/contracts/chatwoot/swagger.json`; Prism in front checks
both directions), and behaves as Chatwoot does where the adapter relies on it:

- the conversation list is ordered by `last_activity_at`, newest first, 25 a page, and shows only
  conversations of the inboxes the user is a member of;
- every message moves the conversation's `last_activity_at` and `updated_at`, and every status,
  priority, label or assignment change writes an activity message ("… by …") as Chatwoot does;
- message lists give the newest 20 (`before=` pages back 20, `after=` forward 100), oldest first;
- a wrong `api_access_token` gets Chatwoot's 401 `{"error": "Invalid Access Token"}`; when told to
  rate-limit, it answers 429 with no Retry-After, as Rack::Attack's default responder does.

Test hooks: `broken` damages records in its answers, `ignores_before` makes message lists ignore
`before=`, `backdate()` moves a message into the past (the agent's own earlier reply).

Seeded deterministically: 344 conversations over 4 inboxes (the agent is a member of 3: 258 visible) and 3 teams,
contacts with Chinese and English names, several messages each (some Chinese, some private notes),
canned responses with Chatwoot's `{{contact.name}}` / `{{agent.name}}` variables.

`python -m tests.vendors.chatwoot_fake --port 0` starts it seeded (behind Prism unless --no-prism)
and prints one JSON line {"kind", "url", "user", "secret"}, then serves until killed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy as email_policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import quote

from tests.vendors.fake_http import Answer, FakeHttpServer, Request, Splitter

ACCOUNT = 1
TOKEN = "cw-agent-token-7f3a9c2e"
COLLEAGUE_TOKEN = "cw-colleague-token-11b4"
PAGE = 25
MESSAGES_BEFORE = 20
MESSAGES_AFTER = 100
SEED_START = 1_748_736_000   # 2025-06-01T00:00:00Z: seeded history lies in the past
A = r"/api/v1/accounts/(?P<account>\d+)"
CONV = A + r"/conversations/(?P<cid>\d+)"

STATUS_TO_CHATWOOT = {"new": "open", "open": "open", "pending": "pending", "resolved": "resolved",
                      "closed": "resolved"}
PRIORITY_TO_CHATWOOT = {"urgent": "urgent", "high": "high", "normal": None, "low": "low"}
PRIORITY_FROM_CHATWOOT = {"urgent": "urgent", "high": "high", "medium": "normal", None: "normal", "low": "low"}

SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"]
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军"]
ENGLISH = ["Alice Johnson", "Bob Smith", "Carol White", "David Brown", "Emma Davis", "Frank Miller",
           "Grace Lee", "Henry Wilson", "Ivy Chen", "Jack Taylor"]
COMPANIES = ["Acme Ltd", "北京星辰科技有限公司", "Globex", "上海恒通贸易", ""]
CUSTOMER_LINES = ["我的订单还没有发货，请帮忙查一下。", "I would like a refund for order {n}.",
                  "发票什么时候能开好？", "The app crashes when I open settings.", "请问退款多久到账？",
                  "Can I change my delivery address?", "快递显示已签收但我没有收到。", "My account is locked."]
AGENT_LINES = ["您好，我们正在为您查询，请稍候。", "Thanks for reaching out, I am checking this now.",
               "已为您提交退款申请，预计3个工作日到账。", "Could you send us a screenshot, please?"]
NOTES = ["客户很着急，优先处理。", "Checked with logistics: parcel is in Shanghai.", "VIP customer, handle with care."]


class ChatwootFake(FakeHttpServer):
    def __init__(self, *, conversations: int = 344, seed: int = 16) -> None:
        super().__init__()
        self.tokens = {TOKEN: 1, COLLEAGUE_TOKEN: 2}
        self._clock = float(SEED_START)
        self._ids = {"conversation": 0, "message": 0, "contact": 0, "attachment": 0}
        self.files: dict[int, dict[str, Any]] = {}   # attachment id → {data, key, name, json}
        self.public_url: str | None = None           # where the adapter reaches us (a splitter in front)
        self.users: dict[int, dict[str, Any]] = {}
        self.teams: dict[int, dict[str, Any]] = {}
        self.team_members: dict[int, list[int]] = {}
        self.inboxes: dict[int, dict[str, Any]] = {}
        self.inbox_members: dict[int, set[int]] = {}
        self.contacts: dict[int, dict[str, Any]] = {}
        self.conversations: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.canned: list[dict[str, Any]] = []
        self.answers: list[tuple[str, str, int]] = []   # (method, path, status) of every answer
        self.rate_limited = 0          # answer this many requests with 429 (Rack::Attack's style)
        self.broken: dict[str, Any] = {}   # test hooks: damaged records ("conversation:7", "message:9", "profile")
        self.ignores_before = False    # test hook: message lists answer `before=` with the newest page again
        self._live = False   # while seeding the clock is the seed's; from start() on, the real one
        self._seed(random.Random(seed), conversations)
        self._routes_for_api()

    # -- time --------------------------------------------------------------------------------------
    def _now(self) -> float:
        """Strictly increasing: two changes in one microsecond still get different updated_at."""
        now = time.time() if self._live else self._clock + 37.0
        self._clock = max(now, self._clock + 0.001)
        return round(self._clock, 6)

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    # -- seeding -----------------------------------------------------------------------------------
    def _seed(self, rng: random.Random, count: int) -> None:
        for uid, name, email, role, availability in (
                (1, "Li Na 李娜", "agent1@example.com", "agent", "online"),
                (2, "Zhang Wei 张伟", "agent2@example.com", "agent", "busy"),
                (3, "Olivia Admin", "admin@example.com", "administrator", "offline")):
            self.users[uid] = {"id": uid, "name": name, "email": email, "role": role, "availability": availability}
        for tid, name, description in ((1, "售后服务 After-sales", "Returns, refunds, repairs"),
                                       (2, "售前咨询 Pre-sales", "Questions before buying"),
                                       (3, "投诉 Complaints", "Escalated complaints")):
            self.teams[tid] = {"id": tid, "name": name, "description": description}
        self.team_members = {1: [1, 2], 2: [1], 3: [2, 3]}
        for iid, name, channel, extra in ((1, "Website chat 网站客服", "Channel::WebWidget", {}),
                                          (2, "Support mail", "Channel::Email", {}),
                                          (3, "WhatsApp", "Channel::TwilioSms", {"medium": "whatsapp"}),
                                          (4, "VIP hotline", "Channel::Api", {})):
            self.inboxes[iid] = {"id": iid, "name": name, "channel_type": channel, **extra}
        self.inbox_members = {1: {1, 2, 3}, 2: {1, 2, 3}, 3: {1, 2, 3}, 4: {2, 3}}   # agent1 not in inbox 4
        self.canned = [
            {"id": 1, "short_code": "greet", "content": "您好 {{contact.name}}，我是{{agent.name}}，很高兴为您服务。"},
            {"id": 2, "short_code": "refund", "content": "Hi {{ contact.name | default: 'there' }}, your refund "
                                                         "for conversation {{conversation.id}} is on its way."},
            {"id": 3, "short_code": "bye", "content": "Thanks for contacting {{inbox.name}}. — {{agent.name}}"},
            {"id": 4, "short_code": "物流", "content": "{{contact.first_name}}您好，包裹正在派送中。"},
        ]
        for canned in self.canned:
            canned.update({"account_id": ACCOUNT, "created_at": "2025-05-20T08:00:00.000Z",
                           "updated_at": "2025-05-20T08:00:00.000Z"})
        for n in range(count):
            chinese = n % 2 == 0
            name = (rng.choice(SURNAMES) + rng.choice(GIVEN) + ("先生" if n % 4 == 0 else "")) if chinese \
                else f"{rng.choice(ENGLISH)} {n}"
            contact = self._new_contact(name, f"customer{n}@example.com", f"+86 139{n:08d}",
                                        company=rng.choice(COMPANIES), tier=rng.choice(["vip", "standard", "standard"]))
            inbox = 1 + n % 4
            cid = self._new_conversation(contact["id"], inbox, team=1 + n % 3,
                                         text=rng.choice(CUSTOMER_LINES).format(n=1000 + n))
            conversation = self.conversations[cid]
            if n % 3:
                self._add_message(cid, rng.choice(AGENT_LINES), message_type=1, sender_user=1 + n % 2)
            if n % 5 == 0:
                self._add_message(cid, rng.choice(NOTES), message_type=1, sender_user=2, private=True)
            if n % 2:
                self._add_message(cid, rng.choice(CUSTOMER_LINES).format(n=n), message_type=0)
            if n % 7 == 0:
                self._set(cid, "status", "resolved", by=2)
            elif n % 7 == 1:
                self._set(cid, "status", "pending", by=2)
            priority = [None, "low", "medium", "high", "urgent", None][n % 6]
            if priority:
                self._set(cid, "priority", priority, by=2)
            if n % 4 == 0:
                self._set(cid, "assignee", 1 + n % 2, by=3)
            if n % 9 == 0:
                conversation["labels"] = ["refund"] if n % 2 else ["vip", "物流"]
            if inbox == 2:
                conversation["additional_attributes"] = {"mail_subject": f"Order {1000 + n}: question"}

    def _new_contact(self, name: str, email: str | None, phone: str | None, *, company: str = "",
                     tier: str = "standard") -> dict[str, Any]:
        contact_id = self._next("contact")
        contact = {"id": contact_id, "name": name, "email": email, "phone_number": phone, "identifier": None,
                   "company": company, "tier": tier, "created_at": int(self._now())}
        self.contacts[contact_id] = contact
        return contact

    def _new_conversation(self, contact_id: int, inbox: int, *, team: int | None, text: str) -> int:
        cid = self._next("conversation")
        now = self._now()
        self.conversations[cid] = {
            "id": cid, "inbox_id": inbox, "contact_id": contact_id, "status": "open", "priority": None,
            "assignee_id": None, "team_id": team, "labels": [], "created_at": now, "updated_at": now,
            "last_activity_at": now, "first_reply_created_at": None, "waiting_since": now,
            "additional_attributes": {}, "uuid": str(uuid.UUID(int=cid)),
        }
        self.messages[cid] = []
        self._add_message(cid, text, message_type=0)
        return cid

    def _add_message(self, cid: int, content: str, *, message_type: int, sender_user: int | None = None,
                     private: bool = False, files: list[tuple[str, bytes, str]] = (),
                     email_html: str = "") -> dict[str, Any]:
        """`files`: (name, bytes, type); `email_html`: an incoming e-mail's HTML, kept as Chatwoot
        keeps it (`content_type` incoming_email, `content_attributes.email.html_content.full`)."""
        conversation = self.conversations[cid]
        now = self._now()
        mid = self._next("message")
        message = {"id": mid, "content": content, "conversation_id": cid,
                   "inbox_id": conversation["inbox_id"], "message_type": message_type, "private": private,
                   "created_at": int(now), "sender_user": sender_user,
                   "attachments": [self._store_file(mid, *item) for item in files], "email_html": email_html}
        self.messages[cid].append(message)
        # Chatwoot's Message#set_conversation_activity: every message, activity ones too.
        conversation["last_activity_at"] = now
        conversation["updated_at"] = now
        if message_type == 0:
            if conversation["status"] in ("resolved", "snoozed"):
                conversation["status"] = "open"   # a customer's reply reopens it
            if conversation["waiting_since"] is None:
                conversation["waiting_since"] = now
        elif message_type == 1 and not private and sender_user is not None:
            conversation["waiting_since"] = None
            if conversation["first_reply_created_at"] is None:
                conversation["first_reply_created_at"] = now
        return message

    MAX_FILE = 40 * 1024 * 1024

    def _store_file(self, mid: int, name: str, data: bytes, mime: str) -> int:
        """Attachment#push_event_data's shape; `data_url` an ActiveStorage redirect on our host
        that leads to the blob (Chatwoot's addresses for a file, outside the API document)."""
        aid = self._next("attachment")
        key = f"blob{aid}k{len(data)}"
        kind = mime.split("/")[0] if mime.split("/")[0] in ("image", "audio", "video") else "file"
        extension = name.rsplit(".", 1)[1].lower() if "." in name else None
        self.files[aid] = {"data": data, "key": key, "name": name, "mime": mime, "message_id": mid,
                           "json": {"id": aid, "message_id": mid, "file_type": kind, "account_id": ACCOUNT,
                                    "extension": extension, "file_size": len(data), "width": None, "height": None}}
        return aid

    def _attachment_json(self, aid: int) -> dict[str, Any]:
        stored = self.files[aid]
        base = self.public_url or self.url
        url = f"{base}/rails/active_storage/blobs/redirect/{stored['key']}/{quote(stored['name'])}"
        return {**stored["json"], "data_url": url, "thumb_url": url if stored["json"]["file_type"] == "image" else ""}

    def _blob_redirect(self, request: Request) -> Answer:
        stored = next((f for f in self.files.values() if f["key"] == request.params["key"]), None)
        if stored is None:
            return Answer(404, {"error": "not found"})
        return Answer(302, None, {"Location": f"/rails/active_storage/disk/{stored['key']}/{request.params['name']}"})

    def _blob(self, request: Request) -> Answer:
        stored = next((f for f in self.files.values() if f["key"] == request.params["key"]), None)
        if stored is None:
            return Answer(404, {"error": "not found"})
        return Answer(200, raw=stored["data"], headers={"Content-Type": stored["mime"],
                                                        "Content-Disposition": "attachment"})

    @staticmethod
    def _form(request: Request) -> tuple[dict[str, str], list[tuple[str, bytes, str]]] | None:
        """A multipart/form-data body (Rack's reading): text fields, and the `attachments[]` files."""
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return None
        parsed = BytesParser(policy=email_policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.raw)
        if not parsed.is_multipart():
            return None
        fields: dict[str, str] = {}
        files: list[tuple[str, bytes, str]] = []
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            data = part.get_payload(decode=True) or b""
            if filename is not None and name == "attachments[]":
                files.append((filename, data, part.get_content_type()))
            elif isinstance(name, str):
                fields[name] = data.decode("utf-8")
        return fields, files

    def _set(self, cid: int, field: str, value: Any, *, by: int) -> None:
        """A change as Chatwoot records it: the field, updated_at, and an activity message."""
        conversation = self.conversations[cid]
        who = self.users[by]["name"]
        if field == "status":
            conversation["status"] = value
            text = f"Conversation was marked {value} by {who}"
        elif field == "priority":
            conversation["priority"] = value
            text = f"{who} set the priority to {value}" if value else f"{who} removed the priority"
        elif field == "assignee":
            conversation["assignee_id"] = value
            text = f"Assigned to {self.users[value]['name']} by {who}" if value else f"Conversation unassigned by {who}"
        elif field == "team":
            conversation["team_id"] = value
            text = f"Assigned to {self.teams[value]['name']} team by {who}" if value else f"Unassigned from team by {who}"
        elif field == "labels":
            conversation["labels"] = value
            text = f"{who} set labels {', '.join(value)}"
        else:
            raise ValueError(field)
        conversation["updated_at"] = self._now()
        self._add_message(cid, text, message_type=2)

    # -- what someone else does --------------------------------------------------------------------
    def customer_opens(self, text: str, *, name: str | None = None, inbox: int = 1, team: int = 1) -> int:
        with self.lock:
            n = self._ids["contact"] + 1
            contact = self._new_contact(name or f"Contract customer {n}", f"new{n}@example.com", None)
            return self._new_conversation(contact["id"], inbox, team=team, text=text)

    def customer_writes(self, cid: int, text: str, *, files: list[tuple[str, bytes, str]] = (),
                        email_html: str = "") -> None:
        with self.lock:
            self._add_message(cid, text, message_type=0, files=files, email_html=email_html)

    def colleague_sets(self, cid: int, **fields: Any) -> None:
        """Another agent changes the conversation (fields in Chatwoot's terms: status, priority,
        assignee, team, labels)."""
        with self.lock:
            for name, value in fields.items():
                self._set(cid, name, value, by=2)

    def delete(self, cid: int) -> None:
        """An administrator deletes it in Chatwoot's web UI (the API document offers no DELETE)."""
        with self.lock:
            self.conversations.pop(cid, None)
            self.messages.pop(cid, None)

    def backdate(self, cid: int, message_id: int, seconds: float) -> None:
        """As if the message had been written `seconds` earlier (an agent's own earlier reply)."""
        with self.lock:
            for message in self.messages[cid]:
                if message["id"] == message_id:
                    message["created_at"] = int(message["created_at"] - seconds)

    def rate_limit(self, requests: int) -> None:
        with self.lock:
            self.rate_limited = requests

    def visible(self, user: int = 1) -> list[int]:
        with self.lock:
            return [cid for cid, c in self.conversations.items() if user in self.inbox_members[c["inbox_id"]]]

    def bodies(self, cid: int) -> list[str]:
        with self.lock:
            return [m["content"] for m in self.messages.get(cid, []) if m["message_type"] != 2]

    def truth(self, cid: int) -> dict[str, Any]:
        with self.lock:
            return dict(self.conversations[cid])

    # -- JSON in Chatwoot's shapes -------------------------------------------------------------------
    def _user_json(self, uid: int) -> dict[str, Any]:
        user = self.users[uid]
        return {"id": uid, "account_id": ACCOUNT, "availability_status": user["availability"],
                "auto_offline": True, "confirmed": True, "email": user["email"], "available_name": user["name"],
                "name": user["name"], "role": user["role"], "thumbnail": "", "custom_role_id": None}

    def _profile_json(self, uid: int) -> dict[str, Any]:
        user = self.users[uid]
        return {"id": uid, "account_id": ACCOUNT, "available_name": user["name"], "avatar_url": "",
                "confirmed": True, "display_name": None, "message_signature": None, "email": user["email"],
                "hmac_identifier": "", "inviter_id": None, "name": user["name"], "provider": "email",
                "pubsub_token": f"pubsub-{uid}", "role": user["role"], "ui_settings": {}, "uid": user["email"],
                "type": None, "custom_attributes": {},
                "accounts": [{"id": ACCOUNT, "name": "Demo 演示", "status": "active", "active_at": None,
                              "role": user["role"], "permissions": [user["role"]],
                              "availability": user["availability"], "availability_status": user["availability"],
                              "auto_offline": True, "custom_role_id": None, "custom_role": None}]}

    def _contact_json(self, contact_id: int) -> dict[str, Any]:
        contact = self.contacts[contact_id]
        return {"additional_attributes": {"company_name": contact["company"]} if contact["company"] else {},
                "availability_status": "offline", "email": contact["email"], "id": contact_id,
                "name": contact["name"], "phone_number": contact["phone_number"], "blocked": False,
                "identifier": contact["identifier"], "thumbnail": "",
                "custom_attributes": {"tier": contact["tier"]}, "last_activity_at": contact["created_at"],
                "created_at": contact["created_at"]}

    def _message_json(self, message: dict[str, Any]) -> dict[str, Any]:
        conversation = self.conversations.get(message["conversation_id"], {})
        body: dict[str, Any] = {
            "id": message["id"], "content": message["content"], "account_id": ACCOUNT,
            "inbox_id": message["inbox_id"], "conversation_id": message["conversation_id"],
            "message_type": message["message_type"], "created_at": message["created_at"],
            "updated_at": message["created_at"], "private": message["private"],
            "status": "sent", "source_id": None, "content_type": "text", "content_attributes": {},
            "sender_type": None, "sender_id": None, "external_source_ids": {}, "additional_attributes": {},
            "processed_message_content": message["content"], "sentiment": {},
        }
        if message.get("attachments"):   # messages/_message.json.jbuilder: only when there are some
            body["attachments"] = [self._attachment_json(a) for a in message["attachments"]]
        if message.get("email_html"):
            body["content_type"] = "incoming_email"
            body["content_attributes"] = {"email": {"html_content": {"full": message["email_html"]},
                                                    "text_content": {"full": message["content"]}}}
        if message["message_type"] == 0 and conversation:
            body.update(sender_type="Contact", sender_id=conversation["contact_id"])
            body["sender"] = {**self._contact_json(conversation["contact_id"]), "type": "contact"}
        elif message["sender_user"] is not None:
            body.update(sender_type="User", sender_id=message["sender_user"])
            body["sender"] = {**self._user_json(message["sender_user"]), "type": "user"}
        for key, value in self.broken.get(f"message:{message['id']}", {}).items():
            if value is None:
                body.pop(key, None)
            else:
                body[key] = value
        return body

    def _conversation_json(self, cid: int) -> dict[str, Any]:
        c = self.conversations[cid]
        messages = self.messages[cid]
        last = next((m for m in reversed(messages) if m["message_type"] != 2), None)
        meta: dict[str, Any] = {"sender": self._contact_json(c["contact_id"]),
                                "channel": self.inboxes[c["inbox_id"]]["channel_type"], "hmac_verified": False}
        if c["assignee_id"] is not None:
            meta["assignee"] = self._profile_json(c["assignee_id"])
        if c["team_id"] is not None:
            team = self.teams[c["team_id"]]
            meta["team"] = {"id": team["id"], "name": team["name"]}
        body = {
            "id": cid, "messages": [self._message_json(messages[-1])] if messages else [], "account_id": ACCOUNT,
            "uuid": c["uuid"], "additional_attributes": c["additional_attributes"], "agent_last_seen_at": 0,
            "assignee_last_seen_at": 0, "can_reply": True, "contact_last_seen_at": 0, "custom_attributes": {},
            "inbox_id": c["inbox_id"], "labels": list(c["labels"]), "muted": False, "snoozed_until": None,
            "status": c["status"], "created_at": int(c["created_at"]), "updated_at": c["updated_at"],
            "timestamp": c["last_activity_at"], "first_reply_created_at":
                int(c["first_reply_created_at"]) if c["first_reply_created_at"] else None,
            "unread_count": 0, "last_non_activity_message": self._message_json(last) if last else None,
            "last_activity_at": c["last_activity_at"], "priority": c["priority"],
            "waiting_since": int(c["waiting_since"]) if c["waiting_since"] else None, "sla_policy_id": None,
            "meta": meta,
        }
        for key, value in self.broken.get(f"conversation:{cid}", {}).items():
            if value is None:
                body.pop(key, None)
            else:
                body[key] = value
        return body

    # -- the API -----------------------------------------------------------------------------------
    def authorize(self, request: Request) -> Answer | None:
        if request.path.startswith("/rails/active_storage/"):
            return None   # ActiveStorage's addresses are signed: no token needed
        if self.rate_limited > 0:
            with self.lock:
                self.rate_limited -= 1
            return Answer(429, None, {"Content-Type": "text/plain"})   # Rack::Attack: no Retry-After
        uid = self.tokens.get(request.headers.get("api_access_token", ""))
        if uid is None:
            return Answer(401, {"error": "Invalid Access Token"})
        account = request.path.split("/")[4] if request.path.startswith("/api/v1/accounts/") else None
        if account is not None and account != str(ACCOUNT):
            return Answer(401, {"error": "You are not authorized to access this account"})
        return None

    def _routes_for_api(self) -> None:
        self.route("GET", r"/api/v1/profile", lambda r: Answer(200, {**self._profile_json(self._uid(r)),
                                                                      **self.broken.get("profile", {})}))
        self.route("GET", A + r"/teams", lambda r: Answer(200, [
            {**t, "allow_auto_assign": True, "account_id": ACCOUNT, "is_member": self._uid(r) in
             self.team_members[t["id"]]} for t in self.teams.values()]))
        self.route("GET", A + r"/teams/(?P<tid>\d+)/team_members", self._team_members)
        self.route("GET", A + r"/agents", lambda r: Answer(200, [self._user_json(u) for u in self.users]))
        self.route("GET", A + r"/canned_responses", lambda r: Answer(200, [dict(c) for c in self.canned]))
        self.route("GET", A + r"/inboxes", self._inboxes)
        self.route("GET", A + r"/conversations", self._list)
        self.route("GET", CONV, self._show)
        self.route("GET", CONV + r"/messages", self._messages)
        self.route("POST", CONV + r"/messages", self._post_message)
        self.route("POST", CONV + r"/toggle_status", self._toggle_status)
        self.route("POST", CONV + r"/toggle_priority", self._toggle_priority)
        self.route("POST", CONV + r"/assignments", self._assign)
        self.route("POST", CONV + r"/labels", self._labels)
        self.route("GET", r"/rails/active_storage/blobs/redirect/(?P<key>\w+)/(?P<name>[^/]+)", self._blob_redirect)
        self.route("GET", r"/rails/active_storage/disk/(?P<key>\w+)/(?P<name>[^/]+)", self._blob)

    def dispatch(self, request: Request) -> Answer:
        answer = super().dispatch(request)
        with self.lock:
            self.answers.append((request.method, request.path, answer.status))
        return answer

    def _uid(self, request: Request) -> int:
        return self.tokens[request.headers.get("api_access_token", "")]

    def _conversation_for(self, request: Request) -> tuple[int, Answer | None]:
        cid = int(request.params["cid"])
        conversation = self.conversations.get(cid)
        if conversation is None:
            return cid, Answer(404, {"error": "Resource could not be found"})
        if self._uid(request) not in self.inbox_members[conversation["inbox_id"]]:
            return cid, Answer(403, {"error": "You are not authorized to do this action"})
        return cid, None

    def _team_members(self, request: Request) -> Answer:
        tid = int(request.params["tid"])
        if tid not in self.teams:
            return Answer(404, {"error": "Resource could not be found"})
        return Answer(200, [self._user_json(u) for u in self.team_members[tid]])

    def _inboxes(self, request: Request) -> Answer:
        uid = self._uid(request)
        payload = []
        for inbox in self.inboxes.values():
            if uid in self.inbox_members[inbox["id"]] or self.users[uid]["role"] == "administrator":
                payload.append({"id": inbox["id"], "name": inbox["name"], "channel_type": inbox["channel_type"],
                                "avatar_url": "", "enable_auto_assignment": True, "greeting_enabled": False,
                                "greeting_message": None, "working_hours_enabled": False,
                                "phone_number": None, "provider": None,
                                **({"medium": inbox["medium"]} if "medium" in inbox else {})})
        return Answer(200, {"payload": payload})

    def _list(self, request: Request) -> Answer:
        uid = self._uid(request)
        status = request.arg("status", "open")
        assignee = request.arg("assignee_type", "all")
        try:
            page = max(1, int(request.arg("page", "1") or 1))
        except ValueError:
            return Answer(400, {"error": "page must be a number"})
        found = [c for c in self.conversations.values() if uid in self.inbox_members[c["inbox_id"]]
                 and (status == "all" or c["status"] == status)]
        counts = {"mine_count": sum(1 for c in found if c["assignee_id"] == uid),
                  "unassigned_count": sum(1 for c in found if c["assignee_id"] is None),
                  "all_count": len(found)}
        counts["assigned_count"] = counts["all_count"] - counts["unassigned_count"]
        if assignee == "me":
            found = [c for c in found if c["assignee_id"] == uid]
        elif assignee == "unassigned":
            found = [c for c in found if c["assignee_id"] is None]
        elif assignee == "assigned":
            found = [c for c in found if c["assignee_id"] is not None]
        found.sort(key=lambda c: (c["last_activity_at"], c["id"]), reverse=True)
        chunk = found[(page - 1) * PAGE: page * PAGE]
        return Answer(200, {"data": {"meta": counts, "payload": [self._conversation_json(c["id"]) for c in chunk]}})

    def _show(self, request: Request) -> Answer:
        cid, refusal = self._conversation_for(request)
        return refusal or Answer(200, self._conversation_json(cid))

    def _messages(self, request: Request) -> Answer:
        cid, refusal = self._conversation_for(request)
        if refusal:
            return refusal
        messages = self.messages[cid]
        before, after = request.arg("before"), request.arg("after")
        if after:
            chosen = [m for m in messages if m["id"] > int(after)][:MESSAGES_AFTER]
        elif before and not self.ignores_before:
            chosen = [m for m in messages if m["id"] < int(before)][-MESSAGES_BEFORE:]
        else:
            chosen = messages[-MESSAGES_BEFORE:]
        c = self.conversations[cid]
        meta = {"labels": list(c["labels"]), "additional_attributes": c["additional_attributes"]}
        return Answer(200, {"meta": meta, "payload": [self._message_json(m) for m in chosen]})

    def _post_message(self, request: Request) -> Answer:
        cid, refusal = self._conversation_for(request)
        if refusal:
            return refusal
        form = self._form(request)
        files: list[tuple[str, bytes, str]] = []
        if form is not None:   # Messages::MessageBuilder: content and attachments[] from the form
            fields, files = form
            body: dict[str, Any] = {"content": fields.get("content", ""), "message_type": fields.get("message_type"),
                                    "private": fields.get("private") == "true"}
            for name, data, _mime in files:
                if len(data) > self.MAX_FILE:
                    return Answer(422, {"error": f"{name}: File size is too big"})
        else:
            body = request.body if isinstance(request.body, dict) else {}
        content = body.get("content")
        if not isinstance(content, str) or (not content and not files):
            return Answer(404, {"error": "content is missing"})
        incoming = body.get("message_type") == "incoming"
        message = self._add_message(cid, content, message_type=0 if incoming else 1,
                                    sender_user=None if incoming else self._uid(request),
                                    private=body.get("private") is True, files=files)
        return Answer(200, self._message_json(message))

    def _toggle_status(self, request: Request) -> Answer:
        cid, refusal = self._conversation_for(request)
        if refusal:
            return refusal
        status = (request.body or {}).get("status")
        if status not in ("open", "resolved", "pending"):
            return Answer(404, {"error": f"unknown status {status!r}"})
        if self.conversations[cid]["status"] != status:
            self._set(cid, "status", status, by=self._uid(request))
        return Answer(200, {"meta": {}, "payload": {"success": True, "current_status": status,
                                                    "conversation_id": cid}})

    def _toggle_priority(self, request: Request) -> Answer:
        cid, refusal = self._conversation_for(request)
        if refusal:
            return refusal
        priority = (request.body or {}).get("priority")
        value = None if priority == "none" else priority
        if self.conversations[cid]["priority"] != value:
            self._set(cid, "priority", value, by=self._uid(request))
        return Answer(200)

    def _assign(self, request: Request) -> Answer:
        cid, refusal = self._conversation_for(request)
        if refusal:
            return refusal
        body = request.body if isinstance(request.body, dict) else {}
        uid = self._uid(request)
        if "assignee_id" in body:
            agent = body["assignee_id"] if body["assignee_id"] in self.users else None
            if self.conversations[cid]["assignee_id"] != agent:
                self._set(cid, "assignee", agent, by=uid)
            return Answer(200, self._profile_json(agent) if agent else {})
        if "team_id" in body:
            team = body["team_id"] if body["team_id"] in self.teams else None
            if self.conversations[cid]["team_id"] != team:
                self._set(cid, "team", team, by=uid)
            return Answer(200, {**self.teams[team], "account_id": ACCOUNT} if team else {})
        return Answer(404, {"error": "assignee_id or team_id is needed"})

    def _labels(self, request: Request) -> Answer:
        cid, refusal = self._conversation_for(request)
        if refusal:
            return refusal
        labels = (request.body or {}).get("labels")
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            return Answer(404, {"error": "labels must be a list"})
        if self.conversations[cid]["labels"] != labels:
            self._set(cid, "labels", list(labels), by=self._uid(request))
        return Answer(200, {"payload": list(labels)})

    def start(self) -> ChatwootFake:
        self._live = True
        super().start()
        return self


_MESSAGES = re.compile(r"^/api/v1/accounts/\d+/conversations/\d+/messages$")


def bypasses_prism(method: str, path: str, content_type: str = "") -> bool:
    """ActiveStorage's file addresses (outside the document), and a message with files: the document
    describes its multipart body, but Prism refuses binary parts ("Reserved characters used in
    request body"), so it goes straight to the fake and its answer is checked here instead."""
    return path.startswith("/rails/active_storage/") or (
        method == "POST" and content_type.startswith("multipart/form-data") and bool(_MESSAGES.match(path.split("?")[0])))


def check_bypassed(method: str, path: str, status: int, payload: bytes) -> list[str]:
    """A multipart message's answer against the document's schemas for that operation's 200."""
    if method != "POST" or status != 200:
        return []
    from tests.vendors.schema_check import check_chatwoot
    answer = json.loads(payload)
    return check_chatwoot(answer, "generic_id") + check_chatwoot(answer, "message")


@contextmanager
def stack(folder: Any) -> Iterator[tuple[ChatwootFake, Any, Splitter]]:
    """The fake, Prism validating in front of it, and the splitter in front of both (for files)."""
    from tests.vendors.prism import CHATWOOT_DOCUMENT, Prism

    fake = ChatwootFake().start()
    try:
        with Prism(CHATWOOT_DOCUMENT, upstream=fake.url, log_dir=folder) as prism, \
                Splitter(prism.url, fake.url, bypasses_prism, check_bypassed) as front:
            fake.public_url = front.url
            yield fake, prism, front
    finally:
        fake.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A seeded fake of Chatwoot's Application API")
    parser.add_argument("--port", type=int, default=0, help="where the app connects (0: any free port)")
    parser.add_argument("--no-prism", action="store_true", help="serve the fake itself, without Prism in front")
    args = parser.parse_args(argv)
    fake = ChatwootFake().start()
    stop = threading.Event()
    if args.no_prism:
        url = fake.url
        if args.port:
            print("--port is used with Prism only; the fake took a free port", file=sys.stderr)
        _announce(url)
        _serve(stop)
        return
    from tests.vendors.prism import CHATWOOT_DOCUMENT, Prism

    prism = Prism(CHATWOOT_DOCUMENT, upstream=fake.url)
    if args.port:
        prism.port, prism.url = args.port, f"http://127.0.0.1:{args.port}"
    with prism:
        _announce(prism.url)
        _serve(stop)


def _announce(url: str) -> None:
    print(json.dumps({"kind": "chatwoot", "url": f"{url}/app/accounts/{ACCOUNT}", "user": "agent1@example.com",
                      "secret": TOKEN}), flush=True)


def _serve(stop: threading.Event) -> None:
    """Until SIGTERM or Ctrl+C: either way the `with` blocks above stop Prism too."""
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
