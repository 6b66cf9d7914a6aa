"""A stateful fake of Zammad's REST API v1 on 127.0.0.1, for the adapter's tests and for people.

Zammad publishes **no OpenAPI document** (its maintainers declined one: zammad-documentation #74
and #269), so there is no Prism in front of this fake. Its answers are written from Zammad's
documented responses (docs.zammad.org, "REST API": tickets, ticket articles, users, organizations,
groups, ticket states and priorities, text modules, tags, knowledge base) and from Zammad's source
(app/controllers/tickets_controller.rb — `index` ordered by id, at most 100 a page; `search`
answered from the database when there is no free-text query (concerns/can_search.rb), at most
200 a page; `ticket_merge`; ticket_articles_controller.rb `index_by_ticket`; the seeds in
db/seeds/ticket_states.rb, ticket_priorities.rb, ticket_article_types.rb). Records carry the
`attributes_with_association_names` shape that `expand=true` gives.

In place of Prism's checks the fake is strict: a request to a path it does not know, a query
parameter an endpoint does not take, a page larger than Zammad gives, or a body Zammad would refuse
is recorded in `violations` (and answered as Zammad would, 404 or 422), and the contract suite's
`check_contract()` asserts there were none.

Seeded deterministically: 3 groups, 260 tickets, customers with Chinese and English names in 4
organisations (one VIP), 2–5 articles each (some Chinese, some internal notes, a few System
notices), text modules with Zammad's `#{…}` variables, and a knowledge base in zh-cn and en-us.
The priorities are Zammad's three plus a "4 urgent" an administrator added (Zammad has no urgent
priority by default; see docs/backends/zammad.md).

`python -m tests.vendors.zammad_fake --port 0` serves it and prints one JSON line
{"kind", "url", "user", "secret"}.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import json
import random
import re
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.vendors.fake_http import Answer, FakeHttpServer, Request

API = "/api/v1"
SEED_START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)   # seeded history lies in the past

STATE_TYPES = {1: "new", 2: "open", 3: "pending reminder", 4: "pending action", 5: "closed", 6: "merged",
               7: "removed"}
STATES = [  # db/seeds/ticket_states.rb: (id, name, state type id, active)
    (1, "new", 1, True), (2, "open", 2, True), (3, "pending reminder", 3, True), (4, "closed", 5, True),
    (5, "merged", 6, True), (6, "removed", 7, False), (7, "pending close", 4, True)]
PRIORITIES = [(1, "1 low", False), (2, "2 normal", True), (3, "3 high", False), (4, "4 urgent", False)]
ARTICLE_TYPES = {1: "email", 2: "sms", 3: "chat", 4: "fax", 5: "phone", 6: "twitter status",
                 7: "twitter direct-message", 8: "facebook feed post", 9: "facebook feed comment", 10: "note",
                 11: "web", 12: "telegram personal-message", 13: "facebook direct-message", 14: "whatsapp message"}
SENDERS = {1: "Agent", 2: "Customer", 3: "System"}
GROUPS = [(1, "Users", "默认组 default group"), (2, "销售 Sales", "售前咨询 presales"),
          (3, "售后 Support", "售后服务 after-sales")]

ZH_FAMILY = "王李张刘陈杨赵黄周吴"
ZH_GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军"]
EN_FIRST = ["Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Ivy", "Jack"]
EN_LAST = ["Smith", "Brown", "Taylor", "Wilson", "Clark"]
ZH_LINES = ["我的订单还没有发货，请帮忙查一下。", "申请退款，商品有质量问题。", "发票抬头需要修改。",
            "请问什么时候可以送达？", "客服您好，账号登录不了。"]
EN_LINES = ["My order has not arrived yet.", "I would like a refund, please.", "Please correct the invoice address.",
            "When will the technician come?", "I cannot sign in to my account."]
AGENT_LINES = ["您好，已为您查询，请稍候。", "Thanks for reaching out, we are on it.", "已安排退款，3 个工作日内到账。",
               "We have sent a replacement."]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def token_for(login: str) -> str:
    """Zammad's access tokens are 64 URL-safe characters; these are derived from the login."""
    return hashlib.sha256(f"zammad-fake:{login}".encode()).hexdigest()


class ZammadFake(FakeHttpServer):
    """The fake's state lives behind `self.lock`; handlers run under it (FakeHttpServer.dispatch)."""

    agent_login = "agent1"
    agent_password = "agent1-pass"

    def __init__(self, *, tickets: int = 260, seed: int = 16) -> None:
        super().__init__()
        self.violations: list[str] = []
        self._clock = SEED_START
        self._limit_left = 0
        self._limit_retry_after: str | None = None
        self._overrides: dict[int, dict[str, Any]] = {}   # rendered ticket fields broken on purpose
        # (method, path pattern, query it must hold, action, times left): see `intercept`
        self._hooks: list[list[Any]] = []
        self.users: dict[int, dict[str, Any]] = {}
        self.organizations: dict[int, dict[str, Any]] = {}
        self.tickets: dict[int, dict[str, Any]] = {}
        self.articles: dict[int, dict[str, Any]] = {}
        self._by_ticket: dict[int, list[int]] = {}   # ticket id → its article ids (the lookups stay cheap)
        self.tags: dict[int, list[str]] = {}
        self.text_modules: dict[int, dict[str, Any]] = {}
        self.kb: dict[str, dict[str, dict[str, Any]]] = {}
        self._ids = {"user": 0, "ticket": 0, "article": 0, "store": 0}
        self.files: dict[int, dict[str, Any]] = {}   # Store id → {article_id, data, mime, filename}
        self._seed(random.Random(seed), tickets)
        self._clock = max(self._clock, datetime.now(UTC) - timedelta(hours=1))
        self._routes_documented()

    # -- time and ids ------------------------------------------------------------------------------
    def _tick(self) -> str:
        """Zammad's clock for a change now: real time, strictly increasing (ms precision)."""
        self._clock = max(datetime.now(UTC), self._clock + timedelta(milliseconds=1))
        return _iso(self._clock)

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    # -- seed ------------------------------------------------------------------------------------------
    def _seed(self, rng: random.Random, count: int) -> None:
        stamp = _iso(SEED_START)
        for oid, name, vip in ((1, "Zammad Foundation", False), (2, "华东贸易有限公司", True),
                               (3, "Acme Ltd", False), (4, "北京云科技", False)):
            self.organizations[oid] = {"id": oid, "name": name, "shared": True, "domain": "", "domain_assignment": False,
                                       "active": True, "vip": vip, "note": "", "updated_by_id": 1, "created_by_id": 1,
                                       "created_at": stamp, "updated_at": stamp, "member_ids": []}
        self._add_user("-", "", "", "", roles=["Customer"], active=False)          # id 1: the system user
        self.agent_id = self._add_user(self.agent_login, "明", "李", "agent1@zammad.example.com",
                                       roles=["Agent"], password=self.agent_password)
        self.colleague_id = self._add_user("agent2", "Anna", "Berg", "agent2@zammad.example.com", roles=["Agent"])
        self.admin_id = self._add_user("admin", "Ada", "Admin", "admin@zammad.example.com", roles=["Admin", "Agent"])
        customers = []
        for n in range(80):
            if n % 2 == 0:
                first, last = ZH_GIVEN[n % 10] + ZH_GIVEN[(n // 10) % 10], ZH_FAMILY[(n // 2) % 10]
                email = f"kehu{n}@example.cn"
            else:
                first, last = EN_FIRST[n % 10], EN_LAST[(n // 10) % 5]
                email = f"{first.lower()}.{last.lower()}{n}@example.com"
            uid = self._add_user(email, first, last, email, roles=["Customer"], organization_id=(n % 5) or None,
                                 phone=f"+86 10 {8000_0000 + n}", mobile=f"+86 139{n:08d}", vip=n % 17 == 0)
            customers.append(uid)
        moment = SEED_START
        for n in range(count):
            moment += timedelta(minutes=rng.randint(3, 40))
            customer = customers[rng.randrange(len(customers))]
            kind = rng.choice(["email", "email", "phone", "web", "chat", "sms"])
            zh = n % 3 != 2
            text = ZH_LINES[n % 5] if zh else EN_LINES[n % 5]
            tid = self._add_ticket(customer, text.rstrip("。.!?？！")[:48], group_id=1 + n % 3, kind=kind,
                                   state_id=rng.choice([1, 2, 2, 2, 3, 4, 7]), priority_id=rng.choice([1, 2, 2, 2, 3, 4]),
                                   owner_id=rng.choice([1, self.agent_id, self.colleague_id]), body=text, at=moment)
            for m in range(rng.randint(1, 4)):
                moment += timedelta(seconds=rng.randint(30, 600))
                if m % 3 == 2:
                    self._add_article(tid, "内部备注：已联系仓库。 internal: checked stock", self.colleague_id,
                                      sender="Agent", kind="note", internal=True, at=moment)
                elif m % 2 == 0:
                    self._add_article(tid, AGENT_LINES[(n + m) % 4], self.agent_id, sender="Agent", kind=kind,
                                      at=moment, html=kind == "email")
                else:
                    self._add_article(tid, ZH_LINES[(n + m) % 5] if zh else EN_LINES[(n + m) % 5], customer,
                                      sender="Customer", kind=kind, at=moment)
            if n % 40 == 5:
                self._add_article(tid, "Ticket escalated by SLA.", 1, sender="System", kind="note", internal=True,
                                  at=moment)
            if n % 4 == 0:
                self.tags[tid] = ["退款" if zh else "refund", "vip"] if n % 8 == 0 else ["发货"]
        self._clock = moment
        self._seed_text_modules(stamp)
        self._seed_knowledge_base(stamp)

    def _add_user(self, login: str, first: str, last: str, email: str, *, roles: list[str], active: bool = True,
                  organization_id: int | None = None, phone: str = "", mobile: str = "", vip: bool = False,
                  password: str | None = None) -> int:
        uid = self._next("user")
        stamp = _iso(SEED_START)
        org = self.organizations.get(organization_id or 0)
        self.users[uid] = {
            "id": uid, "organization_id": organization_id, "login": login, "firstname": first, "lastname": last,
            "email": email, "image": None, "web": "", "phone": phone, "fax": "", "mobile": mobile, "department": "",
            "street": "", "zip": "", "city": "", "country": "", "address": "", "vip": vip, "verified": False,
            "active": active, "note": "", "last_login": None, "source": None, "login_failed": 0,
            "out_of_office": False, "preferences": {}, "updated_by_id": 1, "created_by_id": 1,
            "created_at": stamp, "updated_at": stamp,
            "role_ids": [{"Admin": 1, "Agent": 2, "Customer": 3}[r] for r in roles], "roles": roles,
            "organization_ids": [], "authorization_ids": [], "karma_user_ids": [],
            "group_ids": {str(g[0]): ["full"] for g in GROUPS} if "Agent" in roles else {},
            "organization": org["name"] if org else None,
            "_password": password, "_token": token_for(login) if "Agent" in roles else None,
        }
        return uid

    def _add_ticket(self, customer: int, title: str, *, group_id: int, kind: str, state_id: int, priority_id: int,
                    owner_id: int, body: str, at: datetime) -> int:
        tid = self._next("ticket")
        stamp = _iso(at)
        user = self.users[customer]
        self.tickets[tid] = {
            "id": tid, "group_id": group_id, "priority_id": priority_id, "state_id": state_id,
            "organization_id": user["organization_id"], "number": str(31000 + tid), "title": title,
            "owner_id": owner_id, "customer_id": customer, "note": None, "first_response_at": None,
            "first_response_escalation_at": None, "first_response_in_min": None, "first_response_diff_in_min": None,
            "close_at": None, "close_escalation_at": None, "close_in_min": None, "close_diff_in_min": None,
            "update_escalation_at": None, "update_in_min": None, "update_diff_in_min": None,
            "last_close_at": None, "last_contact_at": stamp, "last_contact_agent_at": None,
            "last_contact_customer_at": stamp, "last_owner_update_at": None,
            "create_article_type_id": next(k for k, v in ARTICLE_TYPES.items() if v == kind),
            "create_article_sender_id": 2, "article_count": 0, "escalation_at": None, "pending_time": None,
            "type": None, "time_unit": None, "preferences": {}, "updated_by_id": customer, "created_by_id": customer,
            "created_at": stamp, "updated_at": stamp,
        }
        self._add_article(tid, body, customer, sender="Customer", kind=kind, at=at)
        return tid

    def _add_article(self, tid: int, body: str, author: int, *, sender: str, kind: str, at: datetime | None = None,
                     internal: bool = False, html: bool = False, to: str = "", raw_html: bool = False,
                     files: list[tuple[str, bytes, str, str]] = ()) -> dict[str, Any]:
        """`raw_html`: `body` is HTML already; `files`: (name, bytes, type, Content-ID or "")."""
        aid = self._next("article")
        stamp = _iso(at) if at else self._tick()
        user = self.users[author]
        html = html or raw_html
        content = body if raw_html else f"<div>{body}</div>" if html else body
        article = {
            "id": aid, "ticket_id": tid, "type_id": next(k for k, v in ARTICLE_TYPES.items() if v == kind),
            "sender_id": next(k for k, v in SENDERS.items() if v == sender),
            "from": f"{user['firstname']} {user['lastname']}".strip() or user["login"], "to": to, "cc": None,
            "subject": None, "reply_to": None, "message_id": None, "message_id_md5": None, "in_reply_to": None,
            "content_type": "text/html" if html else "text/plain", "references": None, "body": content,
            "internal": internal, "preferences": {}, "updated_by_id": author, "created_by_id": author,
            "origin_by_id": None, "created_at": stamp, "updated_at": stamp,
            "attachments": [self._store_file(aid, *item) for item in files],
        }
        self.articles[aid] = article
        self._by_ticket.setdefault(tid, []).append(aid)
        ticket = self.tickets[tid]
        ticket["article_count"] += 1
        if sender == "Customer":
            ticket["last_contact_customer_at"] = stamp
        elif sender == "Agent" and not internal:
            ticket["last_contact_agent_at"] = stamp
            ticket["first_response_at"] = ticket["first_response_at"] or stamp
        ticket["updated_at"] = stamp
        ticket["updated_by_id"] = author
        return article

    def _store_file(self, aid: int, name: str, data: bytes, mime: str, content_id: str = "") -> dict[str, Any]:
        """Store#add: the file kept by the article; described as Zammad's article JSON does (the size
        as a string, the type in `preferences`)."""
        fid = self._next("store")
        preferences: dict[str, Any] = {"Content-Type": mime, "Mime-Type": mime}
        if content_id:
            preferences.update({"Content-ID": content_id, "Content-Disposition": "inline"})
        self.files[fid] = {"article_id": aid, "data": data, "mime": mime, "filename": name}
        return {"id": fid, "store_file_id": 7000 + fid, "filename": name, "size": str(len(data)),
                "preferences": preferences}

    def _seed_text_modules(self, stamp: str) -> None:
        modules = [
            ("问候 Greeting", "hi,问候", "<p>#{ticket.customer.firstname} 您好，</p><p>我是 #{user.firstname}，很高兴为您服务。</p>"),
            ("Refund policy", "refund", "Dear #{ticket.customer.fullname},<br><br>your refund for ticket "
                                        "#{ticket.number} is on its way.<br>#{user.fullname}"),
            ("发票 Invoice", "invoice,发票", "<p>您好 #{ticket.customer.firstname}，发票已重新开具，抬头为 "
                                           "#{ticket.organization.name}。</p>"),
            ("Closing", "bye", "Kind regards,<br>#{user.fullname}<br>#{ticket.group.name}"),
            ("工单确认 Ticket received", "ack", "您的工单「#{ticket.title}」已收到，我们会尽快处理。"),
            ("Old promotion", "promo", "Summer sale!"),
        ]
        for n, (name, keywords, content) in enumerate(modules, start=1):
            self.text_modules[n] = {"id": n, "user_id": None, "name": name, "keywords": keywords, "content": content,
                                    "note": "", "active": n != 6, "foreign_id": None, "updated_by_id": 1,
                                    "created_by_id": 1, "created_at": stamp, "updated_at": stamp, "group_ids": []}

    def _seed_knowledge_base(self, stamp: str) -> None:
        kb = self.kb
        kb["KnowledgeBase"] = {"1": {"id": 1, "iconset": "FontAwesome", "color_highlight": "#38ae6a",
                                     "color_header": "#f9fafb", "color_header_link": "hsl(206,8%,50%)",
                                     "homepage_layout": "grid", "category_layout": "grid", "active": True,
                                     "show_feed_icon": False, "custom_address": None, "created_at": stamp,
                                     "updated_at": stamp, "translation_ids": [1], "kb_locale_ids": [1, 2],
                                     "category_ids": [1, 2], "answer_ids": [1, 2, 3, 4, 5]}}
        kb["KnowledgeBaseLocale"] = {"1": {"id": 1, "knowledge_base_id": 1, "system_locale_id": 10, "primary": True},
                                     "2": {"id": 2, "knowledge_base_id": 1, "system_locale_id": 2, "primary": False}}
        kb["Locale"] = {"10": {"id": 10, "locale": "zh-cn", "alias": "zh", "name": "Chinese (Sim.) (简体中文)"},
                        "2": {"id": 2, "locale": "en-us", "alias": "en", "name": "English (United States)"}}
        kb["KnowledgeBaseCategory"] = {str(c): {"id": c, "knowledge_base_id": 1, "parent_id": None,
                                                "category_icon": "f115", "position": c, "created_at": stamp,
                                                "updated_at": stamp, "translation_ids": [c]} for c in (1, 2)}
        kb["KnowledgeBaseCategoryTranslation"] = {
            "1": {"id": 1, "title": "退换货 Returns", "kb_locale_id": 1, "category_id": 1},
            "2": {"id": 2, "title": "Invoices", "kb_locale_id": 2, "category_id": 2}}
        answers = [  # (answer id, category, locale, title, body, published, archived)
            (1, 1, 1, "如何申请退款", "<p>在订单页点击「申请退款」，3 个工作日内到账。</p>", True, False),
            (2, 1, 2, "How do I return an item?", "<p>Open your order and choose <b>Return</b>.</p>", True, False),
            (3, 2, 2, "Changing an invoice address", "<p>Reply with the new address; we reissue it.</p>", False, False),
            (4, 2, 1, "发票抬头修改", "<p>发送新的抬头信息，我们会重新开具发票。</p>", True, False),
            (5, 1, 2, "Old returns policy", "<p>Archived.</p>", True, True),
        ]
        kb["KnowledgeBaseAnswer"], kb["KnowledgeBaseAnswerTranslation"], kb["_contents"] = {}, {}, {}
        for aid, category, locale, title, body, published, archived in answers:
            kb["KnowledgeBaseAnswer"][str(aid)] = {
                "id": aid, "category_id": category, "promoted": False, "internal_note": None, "position": aid,
                "archived_at": stamp if archived else None, "archived_by_id": 1 if archived else None,
                "internal_at": None if published else stamp, "internal_by_id": None if published else 1,
                "published_at": stamp if published else None, "published_by_id": 1 if published else None,
                "created_at": stamp, "updated_at": stamp, "translation_ids": [aid], "attachments": [],
                "tags": ["faq"]}
            kb["KnowledgeBaseAnswerTranslation"][str(aid)] = {
                "id": aid, "title": title, "kb_locale_id": locale, "answer_id": aid, "content_id": 100 + aid,
                "created_by_id": 1, "updated_by_id": 1, "created_at": stamp, "updated_at": stamp}
            kb["_contents"][str(100 + aid)] = {"id": 100 + aid, "body": body}

    # -- routing, auth and the checks that stand in for Prism ---------------------------------------
    def _routes_documented(self) -> None:
        routes = [
            ("GET", r"/users/me", self._me), ("GET", r"/users/(?P<id>\d+)", self._user),
            ("GET", r"/organizations/(?P<id>\d+)", self._organization),
            ("GET", r"/groups", self._groups), ("GET", r"/ticket_states", self._states),
            ("GET", r"/ticket_priorities", self._priorities),
            ("GET", r"/tickets", self._tickets_index), ("GET", r"/tickets/search", self._tickets_search),
            ("GET", r"/tickets/(?P<id>\d+)", self._ticket_show), ("PUT", r"/tickets/(?P<id>\d+)", self._ticket_update),
            ("DELETE", r"/tickets/(?P<id>\d+)", self._ticket_destroy),
            ("PUT", r"/ticket_merge/(?P<source>\d+)/(?P<target>\d+)", self._ticket_merge),
            ("GET", r"/ticket_articles/by_ticket/(?P<id>\d+)", self._articles_by_ticket),
            ("POST", r"/ticket_articles", self._article_create),
            ("GET", r"/ticket_attachment/(?P<tid>\d+)/(?P<aid>\d+)/(?P<id>\d+)", self._attachment_show),
            ("GET", r"/tags", self._tags), ("POST", r"/tags/add", self._tag_add),
            ("DELETE", r"/tags/remove", self._tag_remove),
            ("GET", r"/text_modules", self._text_modules), ("POST", r"/knowledge_bases/init", self._kb_init),
        ]
        for method, pattern, handler in routes:
            self.route(method, API + pattern, handler)

    def documented(self, method: str, path: str) -> bool:
        """Is (method, path) one of the documented endpoints this fake implements?"""
        return any(m == method and p.match(path.split("?")[0]) for m, p, _h in self._routes)

    def _violation(self, request: Request, text: str) -> None:
        self.violations.append(f"{request.method} {request.path}: {text}")

    def dispatch(self, request: Request) -> Answer:
        if not self.documented(request.method, request.path):
            with self.lock:
                self._violation(request, "not an endpoint of Zammad's REST API that this fake implements")
        with self.lock:
            action = self._hook_for(request)
            if action is not None:
                answer = action(request)   # what someone else does right then, or the answer itself
                if answer is not None:
                    self.requests.append((request.method, request.path))
                    return answer
        return super().dispatch(request)

    def intercept(self, method: str, path: str, action: Callable[[Request], Answer | None], *,
                  query: dict[str, str] | None = None, times: int = 1) -> None:
        """Run `action` (under the lock) when a request to `path` (a regex under /api/v1, e.g.
        r"/tickets") with these query values arrives, the next `times` times: it may change the
        state (a deletion between two pages) or return the Answer to give instead."""
        with self.lock:
            self._hooks.append([method, re.compile(f"^{API}{path}$"), dict(query or {}), action, times])

    def _hook_for(self, request: Request) -> Callable[[Request], Answer | None] | None:
        for hook in self._hooks:
            method, pattern, query, action, left = hook
            if (left > 0 and method == request.method and pattern.match(request.path)
                    and all(request.arg(k) == v for k, v in query.items())):
                hook[4] -= 1
                return action
        return None

    def authorize(self, request: Request) -> Answer | None:
        with self.lock:
            if self._limit_left > 0:   # Zammad has no API rate limit; a proxy in front may add one
                self._limit_left -= 1
                headers = {"Retry-After": self._limit_retry_after} if self._limit_retry_after else {}
                return Answer(429, {"error": "Too Many Requests"}, headers)
            header = request.headers.get("authorization", "")
            user = self._user_for(header)
            if user is None:
                message = "Invalid BasicAuth credentials" if header.startswith("Basic ") else "Invalid token!"
                return Answer(401, {"error": message, "error_human": message})
            request.headers["x-fake-caller"] = str(user["id"])   # dispatch resets params; headers stay
            return None

    def _user_for(self, header: str) -> dict[str, Any] | None:
        if header.startswith("Token token="):
            token = header[len("Token token="):]
            return next((u for u in self.users.values() if u["_token"] and u["_token"] == token and u["active"]), None)
        if header.startswith("Basic "):
            try:
                login, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return None
            return next((u for u in self.users.values() if u["login"] == login and u["_password"]
                         and u["_password"] == password and u["active"]), None)
        return None

    @staticmethod
    def _caller(request: Request) -> int:
        return int(request.headers.get("x-fake-caller") or 0)

    def _only(self, request: Request, *allowed: str) -> None:
        for name in request.query:
            if name not in allowed:
                self._violation(request, f"query parameter {name!r} is not one this endpoint takes")

    def _paging(self, request: Request, *, maximum: int, default: int) -> tuple[int, int]:
        try:
            page = int(request.arg("page", "1") or 1)
            per_page = int(request.arg("per_page", str(default)) or default)
        except ValueError:
            self._violation(request, "page and per_page must be numbers")
            return 0, default
        if per_page > maximum:
            self._violation(request, f"per_page {per_page} is more than Zammad gives ({maximum})")
        per_page = min(per_page, maximum)
        return (max(page, 1) - 1) * per_page, per_page

    # -- rendering -------------------------------------------------------------------------------------
    def _login(self, uid: int | None) -> str | None:
        user = self.users.get(uid or 0)
        return user["login"] if user else None

    def render_user(self, uid: int) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in self.users[uid].items() if not k.startswith("_")}

    def render_ticket(self, tid: int) -> dict[str, Any]:
        ticket = copy.deepcopy(self.tickets[tid])
        ticket.update({
            "article_ids": sorted(self._by_ticket.get(tid, [])),
            "ticket_time_accounting_ids": [], "group": next(g[1] for g in GROUPS if g[0] == ticket["group_id"]),
            "organization": (self.organizations.get(ticket["organization_id"] or 0) or {}).get("name"),
            "state": next(s[1] for s in STATES if s[0] == ticket["state_id"]),
            "priority": next(p[1] for p in PRIORITIES if p[0] == ticket["priority_id"]),
            "owner": self._login(ticket["owner_id"]), "customer": self._login(ticket["customer_id"]),
            "created_by": self._login(ticket["created_by_id"]), "updated_by": self._login(ticket["updated_by_id"]),
            "create_article_type": ARTICLE_TYPES[ticket["create_article_type_id"]],
            "create_article_sender": SENDERS[ticket["create_article_sender_id"]],
        })
        ticket.update(self._overrides.get(tid, {}))
        return ticket

    def render_article(self, article: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(article)
        out.update({"type": ARTICLE_TYPES[article["type_id"]], "sender": SENDERS[article["sender_id"]],
                    "created_by": self._login(article["created_by_id"]),
                    "updated_by": self._login(article["updated_by_id"]), "time_unit": None})
        return out

    def _readable(self, uid: int, tid: int) -> bool:
        ticket, user = self.tickets.get(tid), self.users.get(uid)
        if ticket is None or user is None:
            return False
        return str(ticket["group_id"]) in user["group_ids"]

    def _not_found(self) -> Answer:
        return Answer(404, {"error": "Couldn't find Ticket", "error_human": "Couldn't find Ticket"})

    # -- handlers: people and vocabulary ---------------------------------------------------------------
    def _me(self, request: Request) -> Answer:
        self._only(request, "expand")
        return Answer(200, self.render_user(self._caller(request)))

    def _user(self, request: Request) -> Answer:
        self._only(request, "expand")
        uid = int(request.params["id"])
        if uid not in self.users:
            return Answer(404, {"error": "Couldn't find User", "error_human": "Couldn't find User"})
        return Answer(200, self.render_user(uid))

    def _organization(self, request: Request) -> Answer:
        self._only(request, "expand")
        org = self.organizations.get(int(request.params["id"]))
        if org is None:
            return Answer(404, {"error": "Couldn't find Organization"})
        return Answer(200, copy.deepcopy(org))

    def _index(self, request: Request, items: list[dict[str, Any]]) -> Answer:
        self._only(request, "expand", "page", "per_page")
        offset, per_page = self._paging(request, maximum=500, default=500)
        return Answer(200, items[offset:offset + per_page])

    def _groups(self, request: Request) -> Answer:
        stamp = _iso(SEED_START)
        return self._index(request, [{"id": gid, "signature_id": None, "email_address_id": None, "name": name,
                                      "assignment_timeout": None, "follow_up_possible": "yes",
                                      "follow_up_assignment": True, "active": True, "note": note, "updated_by_id": 1,
                                      "created_by_id": 1, "created_at": stamp, "updated_at": stamp, "user_ids": []}
                                     for gid, name, note in GROUPS])

    def _states(self, request: Request) -> Answer:
        stamp = _iso(SEED_START)
        return self._index(request, [{"id": sid, "state_type_id": type_id, "name": name, "next_state_id": None,
                                      "ignore_escalation": sid > 2, "default_create": sid == 1,
                                      "default_follow_up": sid == 2, "note": None, "active": active,
                                      "updated_by_id": 1, "created_by_id": 1, "created_at": stamp, "updated_at": stamp,
                                      "state_type": STATE_TYPES[type_id]} for sid, name, type_id, active in STATES])

    def _priorities(self, request: Request) -> Answer:
        stamp = _iso(SEED_START)
        return self._index(request, [{"id": pid, "name": name, "default_create": default, "ui_icon": None,
                                      "ui_color": None, "note": None, "active": True, "updated_by_id": 1,
                                      "created_by_id": 1, "created_at": stamp, "updated_at": stamp}
                                     for pid, name, default in PRIORITIES])

    # -- handlers: tickets -------------------------------------------------------------------------------
    def _tickets_index(self, request: Request) -> Answer:
        self._only(request, "expand", "page", "per_page")
        offset, per_page = self._paging(request, maximum=100, default=100)
        me = self._caller(request)
        ids = sorted(t for t in self.tickets if self._readable(me, t))[offset:offset + per_page]
        return Answer(200, [self.render_ticket(t) for t in ids])

    _CONDITION = re.compile(r"^condition\[ticket\.updated_at\]\[(operator|value)\]$")

    def _tickets_search(self, request: Request) -> Answer:
        self._only(request, "expand", "page", "per_page", "sort_by", "order_by", "query",
                   "condition[ticket.updated_at][operator]", "condition[ticket.updated_at][value]")
        offset, per_page = self._paging(request, maximum=200, default=50)
        if request.arg("query"):
            self._violation(request, "a free-text query needs Elasticsearch; the adapter must not depend on it")
        operator = request.arg("condition[ticket.updated_at][operator]")
        value = request.arg("condition[ticket.updated_at][value]")
        if operator not in (None, "after (absolute)", "before (absolute)"):
            self._violation(request, f"unknown selector operator {operator!r}")
        if request.arg("sort_by", "updated_at") not in ("updated_at", "created_at", "id"):
            self._violation(request, "unknown sort_by")
        if request.arg("order_by", "desc") not in ("asc", "desc"):
            self._violation(request, "order_by must be asc or desc")
        me = self._caller(request)
        found = [t for t in self.tickets.values() if self._readable(me, t["id"])]
        if value is not None:
            try:
                edge = _parse(value)
            except ValueError:
                self._violation(request, f"condition value {value!r} is not a time")
                return Answer(422, {"error": "invalid condition"})
            later = operator == "after (absolute)"
            found = [t for t in found if (_parse(t["updated_at"]) > edge) == later]
        key = request.arg("sort_by", "updated_at") or "updated_at"
        found.sort(key=lambda t: (t[key], t["id"]), reverse=request.arg("order_by", "desc") == "desc")
        return Answer(200, [self.render_ticket(t["id"]) for t in found[offset:offset + per_page]])

    def _ticket_show(self, request: Request) -> Answer:
        self._only(request, "expand")
        tid = int(request.params["id"])
        if tid not in self.tickets:
            return self._not_found()
        if not self._readable(self._caller(request), tid):
            return Answer(403, {"error": "Not authorized", "error_human": "Not authorized"})
        return Answer(200, self.render_ticket(tid))

    UPDATABLE = {"state_id", "priority_id", "group_id", "owner_id", "title", "pending_time", "article"}

    def _ticket_update(self, request: Request) -> Answer:
        self._only(request, "expand")
        tid, me = int(request.params["id"]), self._caller(request)
        if tid not in self.tickets:
            return self._not_found()
        if not self._readable(me, tid):
            return Answer(403, {"error": "Not authorized", "error_human": "Not authorized"})
        body = request.body if isinstance(request.body, dict) else {}
        problem = self._check_update(body)
        if problem:
            self._violation(request, problem)
            return Answer(422, {"error": problem, "error_human": problem})
        article = body.get("article")
        if article is not None:
            problem = self._check_article({**article, "ticket_id": tid}, ticket_update=True)
            if problem:
                self._violation(request, problem)
                return Answer(422, {"error": problem, "error_human": problem})
        # ticket.with_lock { update!; article_create }: both or neither
        self._apply(tid, {k: v for k, v in body.items() if k != "article"}, me)
        if article is not None:
            self._create_article(tid, article, me)
        return Answer(200, self.render_ticket(tid))

    def _check_update(self, body: dict[str, Any]) -> str | None:
        unknown = set(body) - self.UPDATABLE
        if unknown:
            return f"attributes this adapter must not send: {sorted(unknown)}"
        if "state_id" in body:
            state = next((s for s in STATES if s[0] == body["state_id"]), None)
            if state is None:
                return f"no state with id {body['state_id']!r}"
            if STATE_TYPES[state[2]] in ("pending reminder", "pending action") and not body.get("pending_time"):
                return "a pending state needs a pending_time"
            if STATE_TYPES[state[2]] in ("merged", "removed"):
                return "merged and removed are not set by an update"
        if "priority_id" in body and body["priority_id"] not in {p[0] for p in PRIORITIES}:
            return f"no priority with id {body['priority_id']!r}"
        if "group_id" in body and body["group_id"] not in {g[0] for g in GROUPS}:
            return f"no group with id {body['group_id']!r}"
        if "owner_id" in body and body["owner_id"] not in self.users:
            return f"no user with id {body['owner_id']!r}"
        return None

    def _apply(self, tid: int, fields: dict[str, Any], by: int) -> None:
        ticket = self.tickets[tid]
        ticket.update(fields)
        if "state_id" in fields:
            kind = STATE_TYPES[next(s[2] for s in STATES if s[0] == fields["state_id"])]
            ticket["close_at"] = self._clock_iso() if kind == "closed" else ticket["close_at"]
            if kind not in ("pending reminder", "pending action"):
                ticket["pending_time"] = None
        ticket["updated_at"] = self._tick()
        ticket["updated_by_id"] = by

    def _clock_iso(self) -> str:
        return _iso(self._clock)

    def _ticket_destroy(self, request: Request) -> Answer:
        tid = int(request.params["id"])
        if tid not in self.tickets:
            return self._not_found()
        if "Admin" not in self.users[self._caller(request)]["roles"]:
            return Answer(403, {"error": "Not authorized", "error_human": "Not authorized"})
        self.delete(tid)
        return Answer(200, None)

    def _ticket_merge(self, request: Request) -> Answer:
        source = int(request.params["source"])
        target = next((t for t in self.tickets.values() if t["number"] == request.params["target"]), None)
        if target is None:
            return Answer(200, {"result": "failed", "message": "The target ticket number could not be found."})
        if source not in self.tickets:
            return Answer(200, {"result": "failed", "message": "The source ticket could not be found."})
        self.merge(source, target["id"])
        return Answer(200, {"result": "success", "target_ticket": copy.deepcopy(target),
                            "source_ticket": copy.deepcopy(self.tickets[source])})

    # -- handlers: articles and tags -----------------------------------------------------------------
    def _articles_by_ticket(self, request: Request) -> Answer:
        self._only(request, "expand")
        tid = int(request.params["id"])
        if tid not in self.tickets:
            return self._not_found()
        if not self._readable(self._caller(request), tid):
            return Answer(403, {"error": "Not authorized", "error_human": "Not authorized"})
        return Answer(200, [self.render_article(self.articles[a]) for a in sorted(self._by_ticket.get(tid, []))])

    ARTICLE_KEYS = {"ticket_id", "body", "content_type", "type", "internal", "sender", "to", "cc", "subject",
                    "from", "reply_to", "in_reply_to", "time_unit", "attachments"}
    MAX_FILE = 10 * 1000 * 1000        # per file (see docs/backends/zammad.md)
    MAX_REQUEST = 50 * 1000 * 1000     # nginx's client_max_body_size in Zammad's packages

    def _check_files(self, files: Any) -> str | None:
        """`attachments: [{filename, data (base64), mime-type}]` as ticket_articles_controller takes them."""
        if not isinstance(files, list):
            return "attachments must be a list"
        for item in files:
            if not isinstance(item, dict) or set(item) != {"filename", "data", "mime-type"}:
                return "each attachment needs exactly filename, data and mime-type"
            if not all(isinstance(item[k], str) and item[k] for k in item):
                return "an attachment's filename, data and mime-type must be non-empty strings"
            try:
                data = base64.b64decode(item["data"], validate=True)
            except ValueError:
                return f"the data of {item['filename']!r} is not base64"
            if len(data) > self.MAX_FILE:
                return f"{item['filename']!r} is larger than {self.MAX_FILE} bytes"
        return None

    def _check_article(self, article: Any, *, ticket_update: bool = False) -> str | None:
        if not isinstance(article, dict):
            return "the article must be an object"
        unknown = set(article) - self.ARTICLE_KEYS
        if unknown:
            return f"article attributes Zammad does not take: {sorted(unknown)}"
        if not isinstance(article.get("body"), str) or not article["body"]:
            return "an article needs a body"
        if "attachments" in article and (problem := self._check_files(article["attachments"])):
            return problem
        if not isinstance(article.get("ticket_id"), int) and not ticket_update:
            return "an article needs a numeric ticket_id"
        if article.get("type", "note") not in ARTICLE_TYPES.values():
            return f"unknown article type {article.get('type')!r}"
        if article.get("sender", "Agent") not in SENDERS.values():
            return f"unknown sender {article.get('sender')!r}"
        if article.get("content_type", "text/plain") not in ("text/plain", "text/html"):
            return "content_type must be text/plain or text/html"
        if not isinstance(article.get("internal", False), bool):
            return "internal must be true or false"
        if article.get("type") in ("email", "sms") and not article.get("internal") and not article.get("to"):
            return f"a {article['type']} reply needs a 'to' (Zammad would have no one to send it to)"
        return None

    def _article_create(self, request: Request) -> Answer:
        self._only(request, "expand")
        if len(request.raw) > self.MAX_REQUEST:   # nginx answers before Zammad sees it
            return Answer(413, {"error": "Request Entity Too Large"})
        body = request.body
        problem = self._check_article(body)
        if problem:
            self._violation(request, problem)
            return Answer(422, {"error": problem, "error_human": problem})
        tid, me = int(body["ticket_id"]), self._caller(request)
        if tid not in self.tickets:
            return self._not_found()
        if not self._readable(me, tid):
            return Answer(403, {"error": "Not authorized", "error_human": "Not authorized"})
        article = self._create_article(tid, body, me)
        return Answer(201, self.render_article(article))

    def _create_article(self, tid: int, body: dict[str, Any], by: int) -> dict[str, Any]:
        files = [(f["filename"], base64.b64decode(f["data"]), f["mime-type"], "") for f in body.get("attachments") or ()]
        return self._add_article(tid, body["body"], by, sender=body.get("sender", "Agent"),
                                 kind=body.get("type", "note"), internal=bool(body.get("internal", False)),
                                 raw_html=body.get("content_type") == "text/html", to=str(body.get("to") or ""),
                                 files=files)

    def _attachment_show(self, request: Request) -> Answer:
        """GET /ticket_attachment/{ticket}/{article}/{id}: the bytes, when all three belong together."""
        self._only(request, "disposition", "view")
        tid, aid, fid = (int(request.params[k]) for k in ("tid", "aid", "id"))
        stored, article = self.files.get(fid), self.articles.get(aid)
        if (stored is None or article is None or stored["article_id"] != aid or article["ticket_id"] != tid
                or not self._readable(self._caller(request), tid)):
            return Answer(404, {"error": "No such attachment", "error_human": "No such attachment"})
        return Answer(200, raw=stored["data"], headers={
            "Content-Type": stored["mime"], "Content-Disposition": "attachment",
            "X-Content-Type-Options": "nosniff"})

    def _tag_body(self, request: Request) -> tuple[int, str] | None:
        body = request.body if isinstance(request.body, dict) else {}
        if body.get("object") != "Ticket" or not isinstance(body.get("o_id"), int) or not isinstance(body.get("item"), str):
            self._violation(request, "tags need object 'Ticket', a numeric o_id and an item")
            return None
        return body["o_id"], body["item"]

    def _tags(self, request: Request) -> Answer:
        self._only(request, "object", "o_id")
        if request.arg("object") != "Ticket" or not (request.arg("o_id") or "").isdigit():
            self._violation(request, "tags need object=Ticket and a numeric o_id")
            return Answer(422, {"error": "invalid object"})
        return Answer(200, {"tags": list(self.tags.get(int(request.arg("o_id") or 0), []))})

    def _tag_add(self, request: Request) -> Answer:
        found = self._tag_body(request)
        if found is None:
            return Answer(422, {"error": "invalid tag"})
        tid, item = found
        if item not in self.tags.setdefault(tid, []):
            self.tags[tid].append(item)
            if tid in self.tickets:
                self._apply(tid, {}, self._caller(request))
        return Answer(200, {})

    def _tag_remove(self, request: Request) -> Answer:
        found = self._tag_body(request)
        if found is None:
            return Answer(422, {"error": "invalid tag"})
        tid, item = found
        if item in self.tags.get(tid, []):
            self.tags[tid].remove(item)
            if tid in self.tickets:
                self._apply(tid, {}, self._caller(request))
        return Answer(200, {})

    # -- handlers: text modules and knowledge base ---------------------------------------------------
    def _text_modules(self, request: Request) -> Answer:
        return self._index(request, [copy.deepcopy(m) for _, m in sorted(self.text_modules.items())])

    def _kb_init(self, request: Request) -> Answer:
        self._only(request)
        body = request.body if isinstance(request.body, dict) else {}
        unknown = set(body) - {"answer_translation_content_ids"}
        if unknown:
            self._violation(request, f"knowledge_bases/init takes only answer_translation_content_ids, not {sorted(unknown)}")
        assets = {k: copy.deepcopy(v) for k, v in self.kb.items() if not k.startswith("_")}
        wanted = {str(i) for i in body.get("answer_translation_content_ids") or []}
        if wanted:
            assets["KnowledgeBaseAnswerTranslationContent"] = {
                i: copy.deepcopy(c) for i, c in self.kb["_contents"].items() if i in wanted}
        return Answer(200, assets)

    # -- what someone else does (Python, under the lock) -------------------------------------------
    def new_ticket(self, text: str, *, group_id: int = 1, kind: str = "email", customer: int | None = None) -> int:
        with self.lock:
            if customer is None:
                n = len(self.users) + 1
                email = f"contract{n}@example.com"
                customer = self._add_user(email, "客户", f"{n}号", email, roles=["Customer"], mobile=f"+86 138{n:08d}")
            self._clock = max(self._clock, datetime.now(UTC))
            return self._add_ticket(customer, text[:60], group_id=group_id, kind=kind, state_id=1, priority_id=2,
                                    owner_id=1, body=text, at=datetime.fromisoformat(self._tick().replace("Z", "+00:00")))

    def customer_writes(self, tid: int, text: str, *, html: str = "",
                        files: list[tuple[str, bytes, str, str]] = ()) -> None:
        """The customer writes (an HTML e-mail when `html` is given, its text then ignored) with
        `files`: (name, bytes, type, Content-ID or "")."""
        with self.lock:
            ticket = self.tickets[tid]
            kind = ARTICLE_TYPES[ticket["create_article_type_id"]]
            self._add_article(tid, html or text, ticket["customer_id"], sender="Customer", kind=kind,
                              raw_html=bool(html), files=files)
            if ticket["state_id"] != 1:
                ticket["state_id"] = 2   # a follow-up reopens (state "open": default_follow_up)

    def colleague_sets(self, tid: int, **fields: Any) -> None:
        """Another agent changes the ticket in Zammad's UI: state_id, priority_id, group_id, owner_id."""
        with self.lock:
            if "state_id" in fields and next(s[2] for s in STATES if s[0] == fields["state_id"]) in (3, 4):
                fields.setdefault("pending_time", _iso(datetime.now(UTC) + timedelta(days=1)))
            self._apply(tid, fields, self.colleague_id)

    def delete(self, tid: int) -> None:
        """An administrator deletes the ticket (DELETE /tickets/{id}): it and its articles are gone."""
        with self.lock:
            self.tickets.pop(tid, None)
            for aid in self._by_ticket.pop(tid, []):
                del self.articles[aid]
            self.tags.pop(tid, None)

    def merge(self, source: int, target: int) -> None:
        """Ticket#merge_to: the source's articles move to the target, the source becomes "merged",
        and both are touched."""
        with self.lock:
            for aid in self._by_ticket.pop(source, []):
                self.articles[aid]["ticket_id"] = target
                self._by_ticket.setdefault(target, []).append(aid)
            self.tickets[target]["article_count"] += self.tickets[source]["article_count"]
            self.tickets[source]["article_count"] = 0
            self._apply(source, {"state_id": 5}, self.admin_id)
            self._apply(target, {}, self.admin_id)

    def break_ticket(self, tid: int, **rendered: Any) -> None:
        """Render these fields of the ticket as given (a malformed record, on purpose)."""
        with self.lock:
            self._overrides[tid] = rendered
            self._apply(tid, {}, self.admin_id)

    def rate_limit(self, count: int, retry_after: str | None = "7") -> None:
        """The next `count` requests get 429 (Zammad has none; a reverse proxy in front may)."""
        with self.lock:
            self._limit_left, self._limit_retry_after = count, retry_after

    # -- the truth, read back -----------------------------------------------------------------------
    def bodies(self, tid: int) -> list[str]:
        with self.lock:
            return [re.sub(r"<[^>]+>", "", self.articles[a]["body"]) for a in sorted(self._by_ticket.get(tid, []))]

    def ticket(self, tid: int) -> dict[str, Any]:
        with self.lock:
            return self.render_ticket(tid)

    def state_type(self, tid: int) -> str:
        with self.lock:
            return STATE_TYPES[next(s[2] for s in STATES if s[0] == self.tickets[tid]["state_id"])]

    def visible_total(self) -> int:
        with self.lock:
            return sum(1 for t in self.tickets.values() if self._readable(self.agent_id, t["id"])
                       and next(s[2] for s in STATES if s[0] == t["state_id"]) not in (6, 7))

    @property
    def agent_token(self) -> str:
        return token_for(self.agent_login)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args(argv)
    fake = ZammadFake()
    if args.port:
        # fake_http binds port 0; for a fixed port the server class is given that port instead.
        import tests.vendors.fake_http as fake_http
        original = fake_http.ThreadingHTTPServer
        fake_http.ThreadingHTTPServer = lambda address, handler: original((address[0], args.port), handler)  # type: ignore[misc]
        try:
            fake.start()
        finally:
            fake_http.ThreadingHTTPServer = original  # type: ignore[misc]
    else:
        fake.start()
    print(json.dumps({"kind": "zammad", "url": fake.url, "user": fake.agent_login, "secret": fake.agent_token}),
          flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
