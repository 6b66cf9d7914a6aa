"""Demo data of the workflow feature: escalation tiers as queues, wrap-up codes, the SLA policy
table, orders for most customers, customer notes, callbacks (回访), CSAT scores and agent presence.

Deterministic from the seed (`random.Random(seed + 44)`), times relative to `now`.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from agent_desktop.domain.timeutil import to_iso, utcnow

from . import db as store
from .demo_vocab import PRODUCTS

Record = tuple[str, dict[str, Any]]

# Escalation tiers: second-line after-sales and the serious-complaints desk.
ESCALATION_QUEUES = [
    ("q-aftersales-l2", "售后二线", "After-sales line 2", "复杂售后问题的二线支持 / second-line after-sales support"),
    ("q-complaints-desk", "投诉专席", "Complaints desk", "严重投诉专席处理 / serious complaints desk"),
]
ESCALATION_MEMBERS = {"q-aftersales-l2": ("agent4", "agent8", "agent9", "lead1"),
                      "q-complaints-desk": ("agent6", "agent7", "lead1")}

DISPOSITIONS = [
    ("resolved-first", "一次解决", "Solved on this contact", True),
    ("refund-issued", "已退款", "Refund issued", True),
    ("replacement-sent", "已换货/补发", "Replacement sent", True),
    ("info-provided", "已解答咨询", "Information provided", True),
    ("order-placed", "已下单", "Order placed", True),
    ("escalated-solved", "升级后解决", "Solved after escalation", True),
    ("no-response", "客户未回复", "Customer did not respond", False),
    ("duplicate", "重复工单", "Duplicate", False),
    ("spam", "无效/骚扰", "Spam or abuse", False),
]

# minutes: (first response, resolution) per tier × priority; queues override below.
_TIER_MINUTES = {
    "vip": {"urgent": (1, 120), "high": (2, 240), "normal": (5, 480), "low": (15, 1440)},
    "key_account": {"urgent": (2, 240), "high": (5, 480), "normal": (10, 720), "low": (30, 2880)},
    "standard": {"urgent": (5, 480), "high": (15, 1440), "normal": (60, 2880), "low": (240, 4320)},
}
_QUEUE_MINUTES = {
    ("q-complaints", None): (10, 1440),          # complaints: answer fast, resolve within a day
    ("q-complaints-desk", None): (5, 720),
    ("q-aftersales-l2", None): (60, 2880),
}
ORDER_STATUSES = ("paid", "shipped", "delivered", "delivered", "delivered", "refunded", "cancelled")


def prepare(data: Any) -> None:
    """Before the core records are written: add the escalation queues and their members."""
    known = {queue_id for queue_id, _ in data.queues}
    for queue_id, name, name_en, description in ESCALATION_QUEUES:
        if queue_id not in known:
            data.queues.append((queue_id, {"name": name, "name_en": name_en, "description": description,
                                           "version": 1}))
    for _agent_id, agent in data.agents:
        for queue_id, members in ESCALATION_MEMBERS.items():
            if agent["username"] in members and queue_id not in agent["queue_ids"]:
                agent["queue_ids"].append(queue_id)


def build_sla_policies() -> list[Record]:
    records: list[Record] = []
    for tier, table in _TIER_MINUTES.items():
        for priority, (first, resolution) in table.items():
            records.append((f"sla-{tier}-{priority}", {"queue_id": None, "tier": tier, "priority": priority,
                                                       "first_response_minutes": first,
                                                       "resolution_minutes": resolution, "version": 1}))
    for (queue_id, queue_tier), (first, resolution) in _QUEUE_MINUTES.items():
        records.append((f"sla-{queue_id}", {"queue_id": queue_id, "tier": queue_tier, "priority": None,
                                            "first_response_minutes": first, "resolution_minutes": resolution,
                                            "version": 1}))
        # VIPs stay faster than the queue's general target.
        records.append((f"sla-{queue_id}-vip", {"queue_id": queue_id, "tier": "vip", "priority": None,
                                                "first_response_minutes": max(1, first // 2),
                                                "resolution_minutes": resolution // 2, "version": 1}))
    return records


def build_orders(rng: random.Random, now: datetime, customers: list[Record]) -> list[Record]:
    records: list[Record] = []
    for index, (customer_id, customer) in enumerate(customers):
        if rng.random() < 0.15:
            continue  # most customers, not all, have bought something
        for number in range(rng.choice((1, 1, 2, 3, 4))):
            lines = rng.sample(PRODUCTS, rng.choice((1, 1, 2)))
            items: list[dict[str, Any]] = [{"name": name if customer["name"].isascii() is False else name_en,
                      "quantity": rng.choice((1, 1, 1, 2)), "price": f"{price:.2f}"}
                     for name, name_en, price, _sku in lines]
            total = sum(float(item["price"]) * item["quantity"] for item in items)
            placed = now - timedelta(days=rng.uniform(1, 400))
            records.append((f"o-{index + 1:05d}-{number + 1}", {
                "customer_id": customer_id, "number": f"{placed:%Y%m%d}{rng.randrange(10**6):06d}",
                "status": rng.choice(ORDER_STATUSES), "total": f"{total:.2f}", "currency": "CNY",
                "placed_at": to_iso(placed), "items": items, "version": 1,
            }))
    return records


def build_notes(rng: random.Random, now: datetime, customers: list[Record], agents: list[Record]) -> list[Record]:
    bodies = ["偏好电话联系，工作日 18 点后方便。", "上次退款处理慢，客户不满，注意安抚。",
              "企业采购对接人，发票需开增值税专票。", "Prefers e-mail; do not call before 10:00.",
              "Asked about bulk pricing twice; pass to pre-sales.", "老客户，多次复购，可适当给予优惠券。"]
    names = {aid: data["name"] for aid, data in agents}
    records: list[Record] = []
    for index, (customer_id, _) in enumerate(customers):
        if rng.random() < 0.3:
            author = rng.choice(list(names))
            when = to_iso(now - timedelta(days=rng.uniform(1, 200)))
            records.append((f"cn-{index + 1:05d}", {
                "customer_id": customer_id, "body": rng.choice(bodies), "author_id": author,
                "author_name": names[author], "created_at": when, "updated_at": when, "version": 1,
            }))
    return records


def build_feedback(rng: random.Random, now: datetime, conversations: list[Record],
                   agent1: str) -> tuple[list[Record], list[Record]]:
    """CSAT for about a third of resolved/closed conversations; callbacks for low scores and a few by hand."""
    csat: list[Record] = []
    callbacks: list[Record] = []
    finished = [(cid, c) for cid, c in conversations if c["status"] in ("resolved", "closed")]
    for cid, conversation in finished:
        if rng.random() > 0.35:
            continue
        score = rng.choices((1, 2, 3, 4, 5), (4, 6, 12, 30, 48))[0]
        rated = conversation.get("updated_at") or to_iso(now)
        csat.append((f"csat-{cid}", {"conversation_id": cid, "customer_id": conversation["customer_id"],
                                     "score": score, "comment": "" if score > 2 else "问题没有真正解决",
                                     "source": "survey", "agent_id": None, "created_at": rated, "version": 1}))
        if score <= 2 and rng.random() < 0.5:
            callbacks.append((f"cb-{len(callbacks) + 1:05d}", {
                "customer_id": conversation["customer_id"], "conversation_id": cid,
                "agent_id": conversation.get("assignee_id") or agent1,
                "due_at": to_iso(now + timedelta(hours=rng.uniform(-3, 30))), "status": "scheduled",
                "reason": "csat", "note": "问题没有真正解决", "attempts": 0,
                "created_at": rated, "version": 1,
            }))
    mine = [(cid, c) for cid, c in conversations if c.get("assignee_id") == agent1][:8]
    for offset, (cid, conversation) in enumerate(mine):
        callbacks.append((f"cb-{len(callbacks) + 1:05d}", {
            "customer_id": conversation["customer_id"], "conversation_id": cid, "agent_id": agent1,
            "due_at": to_iso(now + timedelta(minutes=rng.choice((-20, 15, 45, 90, 180, 600)) + offset)),
            "status": "scheduled", "reason": "manual", "note": "确认问题是否已解决 · check the fix worked",
            "attempts": 0, "created_at": to_iso(now - timedelta(hours=offset + 1)), "version": 1,
        }))
    return csat, callbacks


def build_statuses(data: Any, now: datetime) -> list[Record]:
    return [(agent_id, {"state": agent["state"], "reason": "lunch" if agent["state"] == "break" else "",
                        "since": to_iso(now - timedelta(minutes=5 + index * 3)), "capacity": {}, "version": 1})
            for index, (agent_id, agent) in enumerate(data.agents)]


def load(conn: sqlite3.Connection, data: Any, seed: int, now: datetime | None = None) -> None:
    """Write the workflow demo records (inside load_demo's transaction)."""
    rng = random.Random(seed + 44)
    moment = (now or utcnow()).replace(microsecond=0)
    agent1 = next(aid for aid, agent in data.agents if agent["username"] == "agent1")
    csat, callbacks = build_feedback(rng, moment, data.conversations, agent1)
    store.store_many(conn, "disposition", [(code, {"name": zh, "name_en": en, "resolves": resolves,
                                                   "position": index, "version": 1})
                                           for index, (code, zh, en, resolves) in enumerate(DISPOSITIONS)])
    store.store_many(conn, "sla_policy", build_sla_policies())
    store.store_many(conn, "order", build_orders(rng, moment, data.customers))
    store.store_many(conn, "customer_note", build_notes(rng, moment, data.customers, data.agents))
    store.store_many(conn, "csat", csat)
    store.store_many(conn, "callback", callbacks)
    store.store_many(conn, "agent_status", build_statuses(data, moment))
