"""A stateful fake of Zendesk Support's API v2 on 127.0.0.1 — the endpoints the Zendesk adapter
uses, in the shapes of Zendesk's published OpenAPI document (tests/vendors/contracts/zendesk),
which Prism checks in front of it — plus the Help Center's article list, which that document
does not cover (it follows Zendesk's Help Center API reference examples and bypasses Prism).

It keeps the account in memory: groups, agents, end users, tickets with comments, the ticket
event stream, macros and articles, seeded deterministically (≥ 250 tickets over 4 groups, names
and messages in Chinese and English). Python methods act as *someone else* (a customer writes, a
colleague changes a ticket, an admin deletes or merges one) and read the truth back.

Two accounts sign in: the admin (`agent1@example.com`, may use the incremental exports) and a plain
agent (`agent2@example.com`, role `agent`), whom the exports refuse with Zendesk's 403; the agent
uses the search export (`/api/v2/search/export`), comment lists and `/api/v2/users/show_many`.

Run it for people: `python -m tests.vendors.zendesk_fake --port 0` prints one JSON line
`{"kind", "url", "user", "secret"}` (url: where the app connects, Prism in front) and serves.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import random
import re
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from agent_desktop.backends import zendesk_mapping as mapping
from tests.vendors.fake_http import Answer, FakeHttpServer, Request, Splitter

AGENT_EMAIL = "agent1@example.com"          # role admin: may use the incremental exports
AGENT_TOKEN = "zd-token-agent1-6f0c1d2e3b4a"
ADMIN_EMAIL, ADMIN_TOKEN = AGENT_EMAIL, AGENT_TOKEN
PLAIN_EMAIL = "agent2@example.com"          # role agent: the app's usual user, refused the exports
PLAIN_TOKEN = "zd-token-agent2-0d9e8f7a6b5c"
END_USER_EMAIL = "customer@example.com"
END_USER_TOKEN = "zd-token-enduser-9a8b7c"
UNAUTHORIZED = {"error": "Couldn't authenticate you"}
CONFLICT = {"error": "UpdateConflict",
            "description": "Safe Update prevented the update due to outdated ticket data. "
                           "Please fetch the latest ticket data and try again."}
EXPORT_PATHS = ("/api/v2/incremental/tickets/cursor", "/api/v2/incremental/users/cursor",
                "/api/v2/incremental/ticket_events")
FORBIDDEN = {"error": "Forbidden",
             "description": "You do not have access to this page. Please contact the account owner of this "
                            "help desk for further help."}
SEED_START = 1_717_200_000    # 2024-06-01: the seeded history lies before "now"

GROUPS = [("售后服务 Aftersales", "退款、退货与维修"), ("售前咨询 Presales", "Product questions before buying"),
          ("投诉处理 Complaints", "Escalated complaints"), ("General", "Everything else")]
ZH_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林"
ZH_GIVEN = ["伟", "娜", "敏", "洋", "静", "帆", "磊", "丽", "杰", "婷", "明", "悦", "晓峰", "雪梅", "建国", "子涵"]
EN_FIRST = ["Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Isla", "Jack", "Kate", "Liam"]
EN_LAST = ["Walker", "Smith", "Jones", "Brown", "Wilson", "Miller", "Lee", "Clark", "Turner", "Evans", "Young",
           "Scott", "Hall", "King"]


def _person(n: int, zh: bool) -> str:
    """The n-th distinct name (surname and given name cycle at different lengths), as people have
    them: 王晓峰, Alice Walker — no numbers."""
    if zh:
        return ZH_SURNAMES[n % len(ZH_SURNAMES)] + ZH_GIVEN[(n * 7) % len(ZH_GIVEN)]
    return f"{EN_FIRST[n % len(EN_FIRST)]} {EN_LAST[(n * 5) % len(EN_LAST)]}"
ZH_TEXTS = ["我的订单还没有发货，请帮我查一下。", "收到的商品有破损，想申请退款。", "发票抬头写错了，可以重开吗？",
            "请问这个型号支持七天无理由退货吗？", "快递显示已签收，但我没有收到。", "谢谢，问题已经解决了。"]
EN_TEXTS = ["My order has not shipped yet, could you check?", "The item arrived damaged, I would like a refund.",
            "Can you resend the invoice with the right company name?", "Does this model come with a warranty?",
            "Tracking says delivered but I have nothing.", "Thanks, that fixed it."]
AGENT_TEXTS = ["您好，已为您查询，订单预计明天发出。", "We have issued the refund; it takes 3-5 business days.",
               "已为您重新开具发票，请查收邮件。", "I have escalated this to our logistics team."]
NOTES = ["客户是老用户，注意语气。", "Checked with the warehouse: parcel lost.", "需要主管审批退款。"]
CHANNELS = ["email", "web", "voice", "chat", "native_messaging", "twitter", "whatsapp", "api"]
STATUSES = ["new", "open", "open", "pending", "hold", "solved", "closed"]
PRIORITIES: list[str | None] = ["low", "normal", "normal", "high", "urgent", None]
MACROS = [
    ("售后::退款确认", [("comment_value", "{{ticket.requester.name}}您好，您的退款已处理，工单号 {{ticket.id}}。"
                                       "如有疑问请回复本邮件。\n{{current_user.name}}"), ("status", "solved")]),
    ("Aftersales::Refund issued", [("comment_value", "Hi {{ticket.requester.first_name}},\n\nwe have refunded "
                                                     "your order. Ticket #{{ticket.id}} ({{ticket.title}}).\n\n"
                                                     "{{current_user.first_name}}")]),
    ("售前::产品咨询", [("comment_value_html", "<p>您好 {{ticket.requester.name}}，</p><p>感谢咨询，"
                                          "{{ticket.group.name}} 将尽快回复您。</p>")]),
    ("Complaints::Escalation acknowledged", [("comment_value", "Dear {{ticket.requester.name}}, your complaint "
                                                                "is with {{ticket.group.name}}. Custom field: "
                                                                "{{ticket.ticket_field_123}}.")]),
    ("General::Greeting", [("comment_value", "Hello {{ticket.requester.first_name}}, how can we help?")]),
    ("General::Close only", [("status", "closed")]),   # sets a field, writes nothing: no script
]
ARTICLES = [("如何申请退款", "zh-cn", "<p>登录账户，进入<strong>我的订单</strong>，点击“申请退款”。</p>", ["退款"]),
            ("How do I return an item?", "en-us", "<p>Open <b>My orders</b> and choose <i>Return</i>.</p>",
             ["returns"]),
            ("发票开具说明", "zh-cn", "<p>电子发票在发货后 24 小时内发送到您的邮箱。</p>", ["发票"]),
            ("Shipping times", "en-us", "<p>Orders ship within 2 business days.</p><p>Remote areas: 5 days.</p>",
             ["shipping"]),
            ("Draft: new policy", "en-us", "<p>Not yet published.</p>", [])]


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def _plain(body: str) -> str:
    """`plain_body` as Zendesk renders it from Markdown: the emphasis marks go, a link keeps its
    text only — no longer the text that was sent."""
    return _LINK.sub(r"\1", _BOLD.sub(r"\1", body))


def _html(body: str) -> str:
    escaped = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _LINK.sub(r'<a href="\2" rel="noreferrer">\1</a>', _BOLD.sub(r"<strong>\1</strong>", escaped))


def _clean(value: Any) -> Any:
    """The public shape: no private keys (`_…`), no nulls where the document allows none."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not k.startswith("_") and v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


class ZendeskFake(FakeHttpServer):
    def __init__(self, *, tickets: int = 260, seed: int = 16, export_page: int = 1000) -> None:
        super().__init__()
        self.export_page = export_page
        self._ids = itertools.count(10_000)
        self._seq = itertools.count(1)
        self.users: dict[int, dict[str, Any]] = {}
        self.groups: dict[int, dict[str, Any]] = {}
        self.tickets: dict[int, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.macros: list[dict[str, Any]] = []
        self.articles: list[dict[str, Any]] = []
        self.tokens: dict[str, tuple[str, int]] = {}       # email → (token, user id)
        self.refusals: deque[float | None] = deque()      # the next requests answered 429 (Retry-After)
        self.export_limit: int | None = None              # requests a minute per export, like Zendesk
        self.anonymous_on_bad_token = False
        self.index_keeps_deleted = False                  # search still lists deleted tickets (index lag)
        self.agents_may_list_deleted = True               # the document allows agents /deleted_tickets
        self.export_roles = {"admin"}                     # who may use the incremental exports
        self._export_log: dict[str, deque[float]] = {}
        self._ticket_numbers = itertools.count(1)
        self.files: dict[int, dict[str, Any]] = {}         # attachment id → {data, secret, record}
        self.uploads: dict[str, list[int]] = {}            # upload token → attachment ids, until attached
        self.public_url: str | None = None                 # where the adapter reaches us (the splitter)
        self._seed(random.Random(seed), tickets)
        self._routes_up()

    # -- seeding ---------------------------------------------------------------------------------
    def _user(self, name: str, email: str, role: str, at: int, **extra: Any) -> dict[str, Any]:
        uid = next(self._ids)
        user = {"id": uid, "url": f"https://example.zendesk.com/api/v2/users/{uid}.json", "name": name,
                "email": email, "role": role, "active": True, "verified": True, "locale": "en-US",
                "time_zone": "Beijing", "created_at": iso(at), "updated_at": iso(at), "tags": [],
                "_seq": next(self._seq), "_ts": at, **extra}
        self.users[uid] = user
        return user

    def _seed(self, rng: random.Random, count: int) -> None:
        at = SEED_START
        for name, description in GROUPS:
            gid = next(self._ids)
            self.groups[gid] = {"id": gid, "name": name, "description": description, "default": False,
                                "deleted": False, "is_public": True, "created_at": iso(at), "updated_at": iso(at),
                                "url": f"https://example.zendesk.com/api/v2/groups/{gid}.json"}
        group_ids = list(self.groups)
        self.me = self._user("Agent One 客服一号", AGENT_EMAIL, "admin", at, default_group_id=group_ids[0])
        self.tokens[AGENT_EMAIL] = (AGENT_TOKEN, self.me["id"])
        self.colleagues = [self._user(n, e, "agent", at) for n, e in
                           (("李客服 Li Kefu", "li@example.com"), ("Sam Agent", "sam@example.com"))]
        self.plain = self._user("Agent Two 客服二号", PLAIN_EMAIL, "agent", at, default_group_id=group_ids[0])
        self.tokens[PLAIN_EMAIL] = (PLAIN_TOKEN, self.plain["id"])
        self.members = {self.me["id"]: set(group_ids), self.colleagues[0]["id"]: set(group_ids[:2]),
                        self.colleagues[1]["id"]: set(group_ids[2:]), self.plain["id"]: set(group_ids)}
        customers = []
        for index in range(90):
            zh = index % 2 == 0
            name = _person(index // 2, zh)
            extra: dict[str, Any] = {"tags": ["vip"] if index % 9 == 0 else (["key_account"] if index % 13 == 0 else [])}
            if index % 3 == 0:
                extra["phone"] = f"+86 139{index:08d}"
            if index % 4 == 0:
                extra["organization_id"] = 900 + index % 5
            customers.append(self._user(name, f"customer{index}@example.com", "end-user", at, **extra))
        end_user = self._user("Portal User", END_USER_EMAIL, "end-user", at)
        self.tokens[END_USER_EMAIL] = (END_USER_TOKEN, end_user["id"])
        staff = [self.me, *self.colleagues, self.plain]
        for index in range(count):
            at = SEED_START + index * 600
            customer = customers[rng.randrange(len(customers))]
            zh = "\u4e00" <= customer["name"][0] <= "\u9fff"
            texts = ZH_TEXTS if zh else EN_TEXTS
            status = rng.choice(STATUSES)
            assignee = rng.choice(staff) if status != "new" else None
            ticket = self._ticket(customer["id"], texts[index % len(texts)][:40], texts[index % len(texts)],
                                  group_ids[index % len(group_ids)], rng.choice(CHANNELS), at,
                                  priority=rng.choice(PRIORITIES), status=status,
                                  assignee=assignee["id"] if assignee else None)
            for step in range(rng.randrange(1, 6)):
                at += 60
                if step % 2 == 0:
                    author = assignee or rng.choice(staff)
                    private = rng.random() < 0.25
                    text = rng.choice(NOTES) if private else rng.choice(AGENT_TEXTS)
                    self._comment(ticket, author["id"], text, not private, at)
                else:
                    self._comment(ticket, customer["id"], rng.choice(texts), True, at)
        for title, actions in MACROS:
            mid = next(self._ids)
            self.macros.append({"id": mid, "title": title, "active": True, "default": False, "position": mid,
                                "description": None, "restriction": None,
                                "actions": [{"field": f, "value": v} for f, v in actions],
                                "created_at": iso(SEED_START), "updated_at": iso(SEED_START),
                                "url": f"https://example.zendesk.com/api/v2/macros/{mid}.json"})
        for position, (title, locale, body, labels) in enumerate(ARTICLES):
            aid = 360_000_000 + position
            self.articles.append({
                "id": aid, "url": f"https://example.zendesk.com/api/v2/help_center/{locale}/articles/{aid}.json",
                "html_url": f"https://example.zendesk.com/hc/{locale}/articles/{aid}", "author_id": self.me["id"],
                "comments_disabled": False, "draft": title.startswith("Draft"), "promoted": False,
                "position": position, "vote_sum": 0, "vote_count": 0, "section_id": 7000, "created_at": iso(SEED_START),
                "updated_at": iso(SEED_START), "edited_at": iso(SEED_START), "name": title, "title": title,
                "source_locale": locale, "locale": locale, "outdated": False, "outdated_locales": [],
                "permission_group_id": 1, "user_segment_id": None, "label_names": labels, "body": body})

    def _ticket(self, requester: int, subject: str, text: str, group: int, channel: str, at: int, *,
                priority: str | None = None, status: str = "new", assignee: int | None = None) -> dict[str, Any]:
        tid = next(self._ticket_numbers)
        ticket = {"id": tid, "url": f"https://example.zendesk.com/api/v2/tickets/{tid}.json", "subject": subject,
                  "raw_subject": subject, "description": text, "status": status, "priority": priority,
                  "type": "question", "requester_id": requester, "submitter_id": requester, "assignee_id": assignee,
                  "group_id": group, "tags": [], "via": {"channel": channel}, "created_at": iso(at),
                  "updated_at": iso(at), "is_public": True, "has_incidents": False, "due_at": None,
                  "_comments": [], "_ts": at, "_seq": 0, "_deleted": None}
        self.tickets[tid] = ticket
        self._comment(ticket, requester, text, True, at, channel=channel)
        return ticket

    def _touch(self, ticket: dict[str, Any], at: int | None = None) -> int:
        """A change: `updated_at` moves (strictly: safe_update compares it) and the export sees it."""
        at = max(at if at is not None else int(time.time()), int(ticket["_ts"]) + 1)
        ticket["_ts"] = at
        ticket["updated_at"] = iso(at)
        ticket["generated_timestamp"] = at
        ticket["_seq"] = next(self._seq)
        return at

    def _event(self, ticket: dict[str, Any], author: int, at: int, children: list[dict[str, Any]],
               channel: str = "api") -> dict[str, Any]:
        audit = {"id": next(self._ids), "ticket_id": ticket["id"], "timestamp": at, "created_at": iso(at),
                 "updater_id": author, "via": {"channel": channel}, "event_type": "Audit", "child_events": children}
        self.events.append(audit)
        return audit

    def _comment(self, ticket: dict[str, Any], author: int, body: str, public: bool, at: int | None = None,
                 channel: str = "api", html: str = "", attachments: list[dict[str, Any]] = ()) -> dict[str, Any]:
        """`html`: the comment as written in HTML (`html_body`; the text is then its plain form);
        `attachments`: uploads' attachment records, attached now."""
        # The comment and its event carry the clock's time; only the ticket's `updated_at` is moved
        # on past an update in the same second (safe_update compares it).
        self._touch(ticket, at)
        at = at if at is not None else int(time.time())
        cid = next(self._ids)
        html_body = f"<div class=\"zd-comment\" dir=\"auto\">{html}</div>" if html else \
            f"<div class=\"zd-comment\"><p>{_html(body)}</p></div>"
        comment = {"id": cid, "type": "Comment", "author_id": author, "body": body, "plain_body": _plain(body),
                   "html_body": html_body, "public": public,
                   "created_at": iso(at), "attachments": list(attachments), "via": {"channel": channel},
                   "metadata": {}}
        ticket["_comments"].append(comment)
        if public:
            ticket["is_public"] = True
        self._event(ticket, author, at, [{**comment, "event_type": "Comment"}], channel)
        return comment

    # -- what someone else does ------------------------------------------------------------------
    def new_ticket(self, text: str, *, name: str = "Contract Customer", group: int | None = None) -> str:
        with self.lock:
            customer = self._user(name, f"c{next(self._ids)}@example.com", "end-user", int(time.time()))
            ticket = self._ticket(customer["id"], text[:60], text, group or next(iter(self.groups)), "web",
                                  int(time.time()))
            return str(ticket["id"])

    def customer_writes(self, ticket_id: str, text: str, *, html: str = "",
                        files: list[tuple[str, bytes, str]] = ()) -> None:
        """The customer writes (by e-mail: HTML when given) with `files`: (name, bytes, type)."""
        with self.lock:
            ticket = self.tickets[int(ticket_id)]
            attachments = [self._store_file(name, data, mime) for name, data, mime in files]
            self._comment(ticket, ticket["requester_id"], text, True, channel="email", html=html,
                          attachments=attachments)
            if ticket["status"] in ("pending", "hold", "solved"):
                ticket["status"] = "open"

    def colleague_sets(self, ticket_id: str, **fields: Any) -> None:
        """Another agent changes the ticket (fields in Zendesk's terms)."""
        with self.lock:
            ticket = self.tickets[int(ticket_id)]
            changes = [{"id": next(self._ids), "type": "Change", "event_type": "Change", "field_name": k,
                        "value": str(v), "previous_value": str(ticket.get(k))} for k, v in fields.items()]
            ticket.update(fields)
            self._touch(ticket)
            self._event(ticket, self.colleagues[0]["id"], int(time.time()), changes)

    def delete(self, ticket_id: str) -> None:
        with self.lock:
            ticket = self.tickets[int(ticket_id)]
            ticket["_deleted"] = iso(self._touch(ticket))

    def merge(self, source: str, target: str) -> None:
        """Zendesk's merge: the source is closed with a private note and the `closed_by_merge` tag; the
        target gets a private note quoting the source's last comment."""
        with self.lock:
            src, dst = self.tickets[int(source)], self.tickets[int(target)]
            last = src["_comments"][-1]["body"] if src["_comments"] else ""
            self._comment(src, self.colleagues[0]["id"], f"This request was closed and merged into request "
                                                         f"#{dst['id']} \"{dst['subject']}\".", False)
            src["status"] = "closed"
            src["tags"] = sorted({*src["tags"], mapping.MERGED_TAG})
            self._comment(dst, self.colleagues[0]["id"], f"Request #{src['id']} \"{src['subject']}\" was closed "
                                                         f"and merged into this request. Last comment in request "
                                                         f"#{src['id']}:\n\n{last}", False)

    def add_raw_ticket(self, fields: dict[str, Any]) -> str:
        """A ticket exactly as given (within the document), for malformed-record tests."""
        with self.lock:
            tid = next(self._ticket_numbers)
            self.tickets[tid] = {"id": tid, "_comments": [], "_ts": 0, "_deleted": None,
                                 "_seq": next(self._seq), **fields}
            return str(tid)

    def refuse(self, times: int = 1, retry_after: float | None = 7) -> None:
        """The next `times` requests get Zendesk's 429 (with `Retry-After`, or none)."""
        with self.lock:
            self.refusals.extend([retry_after] * times)

    # -- the truth -------------------------------------------------------------------------------
    def bodies(self, ticket_id: str) -> list[str]:
        with self.lock:
            return [c["body"] for c in self.tickets[int(ticket_id)]["_comments"]]

    def state(self, ticket_id: str) -> dict[str, Any]:
        with self.lock:
            return dict(self.tickets[int(ticket_id)])

    def visible(self) -> list[int]:
        with self.lock:
            return [t["id"] for t in self.tickets.values() if not t["_deleted"] and not mapping.is_merged_away(t)]

    # -- files -------------------------------------------------------------------------------------
    MAX_UPLOAD = 50 * 1024 * 1024

    def _store_file(self, name: str, data: bytes, mime: str) -> dict[str, Any]:
        """An attachment record as the Support API describes one; the bytes at its `content_url`
        (an address on the account, outside /api/v2, as Zendesk's are)."""
        aid = next(self._ids)
        secret = f"t{aid}x{len(data)}"
        base = self.public_url or self.url
        record = {"id": aid, "file_name": name, "content_url": f"{base}/attachments/token/{secret}/?name={aid}",
                  "mapped_content_url": f"{base}/attachments/token/{secret}/?name={aid}",
                  "content_type": mime, "size": len(data), "inline": False, "deleted": False,
                  "malware_access_override": False, "malware_scan_result": "malware_not_found",
                  "url": f"https://example.zendesk.com/api/v2/attachments/{aid}.json", "thumbnails": []}
        self.files[aid] = {"data": data, "secret": secret, "record": record}
        return record

    def _upload(self, request: Request) -> Answer:
        """POST /api/v2/uploads?filename=…[&token=…], the raw bytes as the body."""
        name = request.arg("filename")
        if not name:
            return Answer(400, {"error": "InvalidParameter", "description": "filename is required"})
        if len(request.raw) > self.MAX_UPLOAD:
            return Answer(413, {"error": "RequestEntityTooLarge", "description": "File too large"})
        token = request.arg("token") or f"upl{next(self._ids)}"
        if request.arg("token") and token not in self.uploads:
            return Answer(422, {"error": "InvalidToken", "description": "Upload token not found"})
        record = self._store_file(name, request.raw, request.headers.get("content-type") or "application/octet-stream")
        self.uploads.setdefault(token, []).append(record["id"])
        listed = [self.files[i]["record"] for i in self.uploads[token]]
        return Answer(201, {"upload": {"token": token, "attachment": _clean(record), "attachments": _clean(listed)}})

    def _attachment_show(self, request: Request) -> Answer:
        stored = self.files.get(int(request.params["id"]))
        if stored is None:
            return Answer(404, {"error": "RecordNotFound", "description": "Not found"})
        return Answer(200, {"attachment": _clean(stored["record"])})

    def _content(self, request: Request) -> Answer:
        stored = next((f for f in self.files.values() if f["secret"] == request.params["secret"]), None)
        if stored is None:
            return Answer(404, {"error": "RecordNotFound", "description": "Not found"})
        return Answer(200, raw=stored["data"], headers={"Content-Type": stored["record"]["content_type"],
                                                        "Content-Disposition": "attachment"})

    # -- HTTP ------------------------------------------------------------------------------------
    def authorize(self, request: Request) -> Answer | None:
        header = request.headers.get("authorization", "")
        user = None
        if header.startswith("Basic "):
            try:
                login, _, token = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                login, token = "", ""
            email, _, kind = login.partition("/")
            known = self.tokens.get(email)
            if kind == "token" and known and known[0] == token:
                user = known[1]
        if user is None and self.anonymous_on_bad_token and request.path == "/api/v2/users/me":
            # Some accounts answer a wrong token on /users/me as the anonymous user (id null).
            return Answer(200, {"user": {"name": "Anonymous user", "role": "end-user", "locale": "en-US"}})
        if user is None:
            return Answer(401, UNAUTHORIZED, {"WWW-Authenticate": 'Basic realm="Web Password"'})
        request.params["_user"] = str(user)
        with self.lock:
            if self.refusals:
                wait = self.refusals.popleft()
                return Answer(429, {"error": "TooManyRequests", "description": "Rate limit exceeded"},
                              {"Retry-After": str(int(wait))} if wait is not None else {})
            return self._export_limited(request)

    def _export_limited(self, request: Request) -> Answer | None:
        if self.export_limit is None or request.path not in EXPORT_PATHS:
            return None
        now = time.monotonic()
        window = self._export_log.setdefault(request.path, deque())
        while window and now - window[0] >= 60:
            window.popleft()
        if len(window) >= self.export_limit:
            wait = max(1, int(60 - (now - window[0])) + 1)
            return Answer(429, {"error": "APIRateLimitExceeded",
                                "description": "Number of allowed incremental export API requests per minute "
                                               "exceeded"}, {"Retry-After": str(wait)})
        window.append(now)
        return None

    def dispatch(self, request: Request) -> Answer:
        user = None
        refusal = None
        with self.lock:
            self.requests.append((request.method, request.path))
        refusal = self.authorize(request)
        if refusal is not None:
            return refusal
        user = int(request.params["_user"])
        if request.path in EXPORT_PATHS and self.users[user]["role"] not in self.export_roles:
            return Answer(403, FORBIDDEN)   # "Allowed for: Admins"
        if request.path == "/api/v2/deleted_tickets" and self.users[user]["role"] != "admin" \
                and not self.agents_may_list_deleted:
            return Answer(403, FORBIDDEN)   # an agent without the permission to delete tickets
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if match is not None and method == request.method:
                request.params = {**{k: v for k, v in match.groupdict().items() if v is not None}, "_user": str(user)}
                with self.lock:
                    return handler(request)
        return Answer(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def _routes_up(self) -> None:
        self.route("GET", "/api/v2/users/me", self._me_answer)
        self.route("GET", "/api/v2/groups/assignable", lambda r: Answer(200, {
            "groups": _clean(list(self.groups.values())), "next_page": None, "previous_page": None,
            "count": len(self.groups)}))
        self.route("GET", "/api/v2/macros/active", lambda r: Answer(200, {
            "macros": _clean(self.macros), "next_page": None, "previous_page": None, "count": len(self.macros)}))
        self.route("GET", r"/api/v2/help_center(?:/(?P<locale>[a-z-]+))?/articles", self._articles)
        self.route("GET", "/api/v2/incremental/users/cursor", self._users_export)
        self.route("GET", "/api/v2/incremental/tickets/cursor", self._tickets_export)
        self.route("GET", "/api/v2/incremental/ticket_events", self._events_export)
        self.route("GET", "/api/v2/deleted_tickets", self._deleted)
        self.route("GET", "/api/v2/search/export", self._search_export)
        self.route("GET", "/api/v2/users/show_many", self._show_many)
        self.route("GET", r"/api/v2/tickets/(?P<id>\d+)", self._show)
        self.route("PUT", r"/api/v2/tickets/(?P<id>\d+)", self._update)
        self.route("GET", r"/api/v2/tickets/(?P<id>\d+)/comments", self._comments)
        self.route("POST", "/api/v2/uploads", self._upload)
        self.route("GET", r"/api/v2/attachments/(?P<id>\d+)", self._attachment_show)
        self.route("GET", r"/attachments/token/(?P<secret>\w+)/", self._content)

    def _me_answer(self, request: Request) -> Answer:
        user = self.users[int(request.params["_user"])]
        return Answer(200, {"user": {**_clean(user), "authenticity_token": "fake-csrf"}})

    def _articles(self, request: Request) -> Answer:
        locale = request.params.get("locale")
        items = [a for a in self.articles if locale is None or a["locale"] == locale]
        per_page = min(int(request.arg("per_page", "30") or 30), 100)
        page = int(request.arg("page", "1") or 1)
        chunk = items[(page - 1) * per_page: page * per_page]
        more = page * per_page < len(items)
        base = "https://example.zendesk.com/api/v2/help_center/articles.json"
        return Answer(200, {"articles": chunk, "count": len(items), "page": page, "per_page": per_page,
                            "page_count": -(-len(items) // per_page), "sort_by": "position", "sort_order": "asc",
                            "previous_page": None if page == 1 else f"{base}?page={page - 1}&per_page={per_page}",
                            "next_page": f"{base}?page={page + 1}&per_page={per_page}" if more else None})

    @staticmethod
    def _decode(cursor: str | None) -> int:
        try:
            return int(base64.urlsafe_b64decode((cursor or "").encode()).decode()) if cursor else 0
        except ValueError:
            return 0

    @staticmethod
    def _encode(seq: int) -> str:
        return base64.urlsafe_b64encode(str(seq).encode()).decode()

    def _cursor_page(self, request: Request, items: list[dict[str, Any]], key: str, limit: int) -> Answer:
        cursor = request.arg("cursor")
        start = int(request.arg("start_time", "0") or 0)
        after = self._decode(cursor)
        chosen = sorted((i for i in items if (i["_seq"] > after if cursor else i.get("_ts", 0) >= start)),
                        key=lambda i: i["_seq"])
        page = chosen[:limit]
        last = page[-1]["_seq"] if page else after
        next_cursor = self._encode(last)
        path = request.path
        return Answer(200, {key: _clean(page), "after_cursor": next_cursor, "before_cursor": None,
                            "after_url": f"https://example.zendesk.com{path}.json?cursor={next_cursor}",
                            "before_url": None, "end_of_stream": len(chosen) <= limit})

    def _users_export(self, request: Request) -> Answer:
        per_page = min(int(request.arg("per_page", "1000") or 1000), 1000)
        return self._cursor_page(request, list(self.users.values()), "users", min(per_page, self.export_page))

    def _tickets_export(self, request: Request) -> Answer:
        visible = [t for t in self.tickets.values() if not t["_deleted"]]
        return self._cursor_page(request, visible, "tickets", self.export_page)

    def _events_export(self, request: Request) -> Answer:
        start = int(request.arg("start_time", "0") or 0)
        with_comments = "comment_events" in (request.arg("include") or "")
        chosen = [e for e in self.events if e["timestamp"] >= start]
        chosen.sort(key=lambda e: (e["timestamp"], e["id"]))
        page = chosen[:self.export_page]
        events = []
        for event in page:
            children = event["child_events"] if with_comments else [
                {"id": c["id"], "event_type": c["event_type"], "comment_present": True,
                 "comment_public": c["public"]} if c["event_type"] == "Comment" else c for c in event["child_events"]]
            events.append({**event, "child_events": children})
        end = page[-1]["timestamp"] if page else start
        done = len(chosen) <= self.export_page
        return Answer(200, {"ticket_events": _clean(events), "count": len(page), "end_time": end,
                            "end_of_stream": done,
                            "next_page": None if done else
                            f"https://example.zendesk.com/api/v2/incremental/ticket_events.json?start_time={end}"})

    def _deleted(self, request: Request) -> Answer:
        """Zendesk's offset pagination (`page`, `per_page` ≤ 100, `next_page` a URL or null)."""
        gone = [t for t in self.tickets.values() if t["_deleted"]]
        gone.sort(key=lambda t: (t["_deleted"], t["id"]), reverse=request.arg("sort_order") == "desc")
        per_page = max(1, min(int(request.arg("per_page", "100") or 100), 100))
        page = max(1, int(request.arg("page", "1") or 1))
        chunk = gone[(page - 1) * per_page: page * per_page]
        items = [{"id": t["id"], "subject": t.get("subject", ""), "deleted_at": t["_deleted"],
                  "previous_state": t.get("status", "open"), "actor": {"id": self.me["id"], "name": self.me["name"]}}
                 for t in chunk]
        base = (f"https://example.zendesk.com/api/v2/deleted_tickets.json?sort_by={request.arg('sort_by') or 'id'}"
                f"&sort_order={request.arg('sort_order') or 'asc'}&per_page={per_page}")
        more = page * per_page < len(gone)
        with_pages = {"next_page": f"{base}&page={page + 1}" if more else None,
                      "previous_page": f"{base}&page={page - 1}" if page > 1 else None}
        return Answer(200, {"deleted_tickets": items, **with_pages, "count": len(gone)})

    def _find(self, request: Request) -> dict[str, Any] | None:
        ticket = self.tickets.get(int(request.params["id"]))
        return None if ticket is None or ticket["_deleted"] else ticket

    def _show(self, request: Request) -> Answer:
        ticket = self._find(request)
        if ticket is None:
            return Answer(404, {"error": "RecordNotFound", "description": "Not found"})
        return Answer(200, {"ticket": _clean(ticket)})

    def _comments(self, request: Request) -> Answer:
        ticket = self._find(request)
        if ticket is None:
            return Answer(404, {"error": "RecordNotFound", "description": "Not found"})
        comments = list(ticket["_comments"])
        if request.arg("sort") == "-created_at" or request.arg("sort_order") == "desc":
            comments.reverse()
        size = min(int(request.arg("page[size]", "100") or 100), 100)
        start = self._decode(request.arg("page[after]"))
        page = comments[start:start + size]
        more = start + size < len(comments)
        after = self._encode(start + size) if more else None
        path = f"https://example.zendesk.com/api/v2/tickets/{ticket['id']}/comments.json"
        return Answer(200, {"comments": _clean(page),
                            "meta": {"has_more": more, "after_cursor": after, "before_cursor": None},
                            "links": {"next": f"{path}?page%5Bafter%5D={after}&page%5Bsize%5D={size}" if more else None,
                                      "prev": None}})

    # -- search export: what an agent may use instead of the incremental exports ----------------------
    QUERY_TERM = re.compile(r"^(?P<field>updated|created)(?P<op>>=|<=|>|<|:)(?P<value>\S+)$")

    def _matches(self, item: dict[str, Any], query: str) -> bool | None:
        """Zendesk's search syntax, the part the adapter uses: `updated>=2024-06-01T10:00:00Z` terms
        (ISO 8601 or a date), all of which must hold. None: a query this fake cannot read."""
        for term in query.split():
            found = self.QUERY_TERM.match(term)
            if found is None:
                return None
            when = mapping.version_of(found["value"] if "T" in found["value"] else found["value"] + "T00:00:00Z")
            mine = mapping.version_of(item.get(f"{found['field']}_at"))
            if when is None or mine is None:
                return None
            op = found["op"]
            if not {">=": mine >= when, "<=": mine <= when, ">": mine > when, "<": mine < when,
                    ":": when <= mine < when + 86400}[op]:
                return False
        return True

    def _search_export(self, request: Request) -> Answer:
        kind = request.arg("filter[type]")
        query = request.arg("query") or ""
        if kind not in ("ticket", "user") or "type:" in query:
            return Answer(400, {"error": "invalid", "description": "filter[type] must be ticket, organization, "
                                                                   "user or group (not in the query)"})
        if kind == "ticket":
            pool = [t for t in self.tickets.values() if self.index_keeps_deleted or not t["_deleted"]]
        else:
            pool = list(self.users.values())
        chosen = []
        for item in pool:
            verdict = self._matches(item, query)
            if verdict is None:
                return Answer(400, {"error": "invalid", "description": "Sorry, we could not read this query"})
            if verdict:
                chosen.append(item)
        chosen.sort(key=lambda i: (mapping.version_of(i.get("created_at")) or 0, i["id"]))   # created_at only
        size = min(int(request.arg("page[size]", "100") or 100), 1000)
        start = self._decode(request.arg("page[after]"))
        page = chosen[start:start + size]
        more = start + size < len(chosen)
        after = self._encode(start + size) if more else None
        results = [{**_clean(i), "result_type": kind, "name": i.get("name") or i.get("subject") or ""} for i in page]
        following = (f"https://example.zendesk.com/api/v2/search/export.json?filter%5Btype%5D={kind}"
                     f"&page%5Bafter%5D={after}&page%5Bsize%5D={size}") if more else None
        return Answer(200, {"results": results, "facets": None, "links": {"next": following, "prev": None},
                            "meta": {"has_more": more, "after_cursor": after, "before_cursor": None}})

    def _show_many(self, request: Request) -> Answer:
        wanted = [int(i) for i in (request.arg("ids") or "").split(",") if i.strip().isdigit()][:100]
        return Answer(200, {"users": [_clean(self.users[i]) for i in wanted if i in self.users]})

    def _update(self, request: Request) -> Answer:
        ticket = self._find(request)
        if ticket is None:
            return Answer(404, {"error": "RecordNotFound", "description": "Not found"})
        update = (request.body or {}).get("ticket") if isinstance(request.body, dict) else None
        if not isinstance(update, dict):
            return Answer(400, {"error": "InvalidParameter", "description": "ticket is missing"})
        if update.get("safe_update") and update.get("updated_stamp") != ticket["updated_at"]:
            return Answer(409, CONFLICT)
        author = int(request.params["_user"])
        if update.get("status") == "new" and ticket["status"] != "new":
            return Answer(422, {"error": "RecordInvalid", "description": "Record validation errors",
                                "details": {"status": [{"description": "Status: new is not valid"}]}})
        changes = []
        for field in ("status", "priority", "group_id", "assignee_id", "subject", "tags"):
            if field in update and update[field] != ticket.get(field):
                value = update[field]
                changes.append({"id": next(self._ids), "type": "Change", "field_name": field,
                                "value": " ".join(value) if isinstance(value, list) else str(value)})
                ticket[field] = value
        if "group_id" in update and "assignee_id" not in update and ticket.get("assignee_id") is not None \
                and update["group_id"] not in self.members.get(ticket["assignee_id"], set()):
            ticket["assignee_id"] = None   # Zendesk unassigns an agent who is not in the new group
        comment = update.get("comment")
        audit_events = list(changes)
        at = None
        if isinstance(comment, dict) and isinstance(comment.get("body"), str):
            tokens = comment.get("uploads") or []
            if not isinstance(tokens, list) or any(t not in self.uploads for t in tokens):
                return Answer(422, {"error": "RecordInvalid", "description": "Record validation errors",
                                    "details": {"uploads": [{"description": "Upload token not found"}]}})
            attached = [self.files[i]["record"] for t in tokens for i in self.uploads.pop(t)]
            html = comment.get("html_body") if isinstance(comment.get("html_body"), str) else ""
            made = self._comment(ticket, author, comment["body"], bool(comment.get("public", True)), html=html,
                                 attachments=attached)
            at = int(time.time())
            audit_events.insert(0, {"id": made["id"], "type": "Comment", "author_id": author, "body": made["body"],
                                    "html_body": made["html_body"], "plain_body": made["plain_body"],
                                    "public": made["public"], "attachments": _clean(attached)})
            if made["public"] and ticket["status"] == "new" and "status" not in update:
                ticket["status"] = "open"
        if changes and at is None:
            self._touch(ticket)
            at = int(time.time())
            self._event(ticket, author, at, [{**c, "event_type": "Change"} for c in changes])
        audit = {"id": next(self._ids), "ticket_id": ticket["id"], "created_at": iso(at or int(time.time())),
                 "author_id": author, "metadata": {}, "via": {"channel": "api"}, "events": audit_events}
        return Answer(200, {"ticket": _clean(ticket), "audit": audit})


def bypasses_prism(method: str, path: str, content_type: str = "") -> bool:
    """Help Center requests (outside the Support document), uploads (the document does not describe
    their binary body, so Prism cannot check it) and the files' own addresses (outside /api/v2)."""
    return (path.startswith("/api/v2/help_center/") or path.startswith("/attachments/")
            or (method == "POST" and path.split("?")[0] == "/api/v2/uploads"))


def _check_upload(method: str, path: str, status: int, payload: bytes) -> list[str]:
    if method == "POST" and path.split("?")[0] == "/api/v2/uploads" and status == 201:
        from tests.vendors.schema_check import check_zendesk
        return check_zendesk(json.loads(payload), "AttachmentUploadResponse")
    return []


class SplittingProxy(Splitter):
    """What Prism cannot check (`bypasses_prism`) goes to the fake, everything else to Prism: one
    address for the adapter, every Support request still validated. Upload answers are checked here
    against the document's `AttachmentUploadResponse` (violations in `violations`)."""

    def __init__(self, prism_url: str, fake_url: str, port: int = 0) -> None:
        super().__init__(prism_url, fake_url, bypasses_prism, _check_upload, port)


@contextmanager
def stack(folder: Any = None, port: int = 0, **options: Any) -> Iterator[tuple[ZendeskFake, Any, SplittingProxy]]:
    """The fake, Prism validating in front of it, and the splitter in front of both."""
    from tests.vendors.prism import ZENDESK_DOCUMENT, Prism

    fake = ZendeskFake(**options).start()
    try:
        with Prism(ZENDESK_DOCUMENT, upstream=fake.url, log_dir=folder) as prism, \
                SplittingProxy(prism.url, fake.url, port) as front:
            fake.public_url = front.url
            yield fake, prism, front
    finally:
        fake.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A seeded fake Zendesk (Prism in front) for trying the app")
    parser.add_argument("--port", type=int, default=0, help="where the app connects (0: a free port)")
    parser.add_argument("--tickets", type=int, default=260)
    args = parser.parse_args(argv)
    with stack(port=args.port, tickets=args.tickets) as (_fake, _prism, front):
        print(json.dumps({"kind": "zendesk", "url": front.url, "user": PLAIN_EMAIL, "secret": PLAIN_TOKEN}),
              flush=True)
        # SIGTERM as Ctrl+C: the `with` above then stops Prism too, never leaving it behind.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
