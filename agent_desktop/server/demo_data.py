"""Deterministic demo data: a seeded generator combining small vocabularies into a busy contact centre.

`build_demo(seed, now)` is pure (same seed and `now` → same data); `load_demo` writes it into an
empty `Database` in one transaction. Times are relative to `now`, so the inbox looks live
whenever the demo starts. The text helpers (`make_person`, `inbound_text`) also feed the simulator.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from agent_desktop.domain.enums import OPEN_STATUSES
from agent_desktop.domain.sla import targets_for
from agent_desktop.domain.text import safe_display
from agent_desktop.domain.timeutil import parse_iso as _parse
from agent_desktop.domain.timeutil import to_iso, utcnow

from . import auth, demo_files, knowledge_demo, stats_demo, workflow_demo
from . import db as store
from . import files as file_store
from .demo_vocab import (
    AGENTS,
    CASES,
    CITIES_EN,
    CITIES_ZH,
    COMMON,
    COMPANY_CITIES,
    COMPANY_NAMES_EN,
    COMPANY_SUFFIXES_EN,
    COMPANY_TRADES,
    COMPANY_TRADES_EN,
    COMPANY_WORDS,
    COURIERS_EN,
    COURIERS_ZH,
    CUSTOMER_TAGS,
    FIRST_NAMES,
    GIVEN_NAMES,
    HONORIFICS,
    LAST_NAMES,
    LEADS,
    MAIL_DOMAINS_EN,
    MAIL_DOMAINS_ZH,
    PHONE_PREFIXES_ZH,
    PRODUCTS,
    QUEUES,
    SURNAMES,
    TEXT,
    TOPIC_WEIGHTS,
    TOPICS,
)

DEMO_PASSWORD = "demo"
DEFAULT_SEED = 7
DEFAULT_CUSTOMERS = 320
DEFAULT_CONVERSATIONS = 2500
MINE_OPEN = 40  # open-ish conversations assigned to agent1, so "Mine" is full but not endless

STATUS_WEIGHTS = {"new": 8, "open": 20, "pending": 10, "resolved": 40, "closed": 22}
CHANNEL_WEIGHTS = {"chat": 30, "email": 25, "phone": 20, "web": 13, "social": 12}
PRIORITY_WEIGHTS = {"low": 15, "normal": 60, "high": 18, "urgent": 7}
TIER_SHARES = (("vip", 0.08), ("key_account", 0.15))  # the rest are standard
# Follow-up/update pairs added to a thread, by channel: chats ping-pong, calls are short.
EXTRA_ROUNDS = {"chat": (0, 4), "social": (0, 2), "email": (0, 2), "web": (0, 1), "phone": (0, 1)}
# Minutes between messages: (customer answering, agent answering) by channel.
GAP_MINUTES = {
    "chat": ((0.3, 3), (0.5, 4)),
    "phone": ((10, 240), (2, 30)),
    "social": ((10, 300), (5, 90)),
    "web": ((60, 1440), (30, 600)),
    "email": ((60, 1440), (30, 600)),
}

Record = tuple[str, dict[str, Any]]


def agent_id(username: str) -> str:
    """The stable id of a demo account: `agent1` → `a-agent1`."""
    return f"a-{username}"


@dataclass
class DemoData:
    queues: list[Record]
    agents: list[Record]
    customers: list[Record]
    conversations: list[Record]
    messages: list[Record]
    # Files on a few of those messages (server/demo_files.py): their rows and bytes.
    files: list[demo_files.DemoFile] = field(default_factory=list)

    def entities(self) -> Iterator[tuple[str, list[Record]]]:
        """Parents before children, so a client applying the feed in order never sees a dangling id."""
        yield "queue", self.queues
        yield "agent", self.agents
        yield "customer", self.customers
        yield "conversation", self.conversations
        yield "message", self.messages

    def digest(self) -> str:
        sha = hashlib.sha256()
        for entity, records in self.entities():
            for record_id, data in records:
                sha.update(f"{entity}\t{record_id}\t".encode())
                sha.update(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())
        return sha.hexdigest()


# -- people and text ------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    return text.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").lower()


def make_person(rng: random.Random, lang: str | None = None) -> dict[str, str]:
    """A random customer identity: name, first name, language, phone, e-mail, social handle."""
    lang = lang or ("zh" if rng.random() < 0.68 else "en")
    if lang == "zh":
        surname, surname_py = rng.choice(SURNAMES)
        if rng.random() < 0.2:  # 王先生 / 李女士: how many callers give their name
            name = surname + rng.choice(HONORIFICS)
            login = f"{surname_py}{rng.randint(10, 9999)}"
        else:
            given, given_py = rng.choice(GIVEN_NAMES)
            name = surname + given
            login = surname_py + given_py + (str(rng.randint(1, 999)) if rng.random() < 0.7 else "")
        first = name
        phone = f"+86 {rng.choice(PHONE_PREFIXES_ZH)}{rng.randrange(10**8):08d}"
        email = f"{login}@{rng.choice(MAIL_DOMAINS_ZH)}"
    else:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first} {last}"
        login = _ascii(f"{first}.{last}") + (str(rng.randint(1, 99)) if rng.random() < 0.5 else "")
        if rng.random() < 0.5:
            phone = f"+1 {rng.choice(['212', '415', '646', '312'])} {rng.randint(200, 999)} {rng.randrange(10**4):04d}"
        else:
            phone = f"+44 7700 9{rng.randrange(10**5):05d}"
        email = f"{login}@{rng.choice(MAIL_DOMAINS_EN)}"
    handle = "@" + login.replace(".", "_")
    return {"name": name, "first": first, "lang": lang, "phone": phone, "email": email, "handle": handle}


def make_company(rng: random.Random, lang: str) -> str:
    if lang == "zh":
        return f"{rng.choice(COMPANY_CITIES)}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_TRADES)}有限公司"
    return f"{rng.choice(COMPANY_NAMES_EN)} {rng.choice(COMPANY_TRADES_EN)} {rng.choice(COMPANY_SUFFIXES_EN)}"


def make_slots(rng: random.Random, lang: str, when: datetime, person: dict[str, str],
               company: str = "", agent_name: str = "") -> dict[str, str]:
    """Values for the template slots of one conversation (same order number all the way through)."""
    zh = lang == "zh"
    product, product2 = rng.sample(PRODUCTS, 2)
    ordered = when - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 1440))
    courier, prefix = rng.choice(COURIERS_ZH if zh else COURIERS_EN)
    price = product[2] * rng.choice((1, 1, 1, 2, 3))
    coupon = rng.choice((20, 30, 50, 100))
    return {
        "order": f"{ordered:%Y%m%d}{rng.randrange(10**5):05d}",
        "product": product[0] if zh else product[1],
        "product2": product2[0] if zh else product2[1],
        "model": product[3],
        "amount": f"¥{price:,.2f}" if zh else f"${price / 7:,.2f}",
        "date": f"{ordered.month}月{ordered.day}日" if zh else f"{ordered:%b} {ordered.day}",
        "courier": courier,
        "tracking": f"{prefix}{rng.randrange(10**10):010d}",
        "city": rng.choice(CITIES_ZH if zh else CITIES_EN),
        "days": str(rng.randint(3, 9)),
        "refund_days": str(rng.choice((1, 3, 5, 7))),
        "company": company or make_company(rng, lang),
        "email": person.get("email") or "billing@example.com",
        "tax_id": f"91{rng.randrange(10**16):016d}" if zh else f"GB{rng.randrange(10**9):09d}",
        "invoice_no": f"{rng.randrange(10**8):08d}",
        "coupon": str(coupon),
        "coupon_usd": f"${coupon // 5}",
        "phone_tail": (person.get("phone") or "0000")[-4:],
        "points": str(rng.randrange(500, 20000, 100)),
        "qty": str(rng.choice((10, 20, 50, 100, 200))),
        "customer": person["name"],
        "first": person["first"],
        "agent": agent_name,
    }


def _join(parts: list[str], lang: str) -> str:
    parts = [part.strip() for part in parts if part.strip()]
    return ("" if lang == "zh" else " ").join(parts)


class ThreadText:
    """The text of one conversation: one case (subject, problem, solution), slots, no line said twice."""

    def __init__(self, rng: random.Random, topic: str, lang: str, channel: str, slots: dict[str, str]) -> None:
        self.rng, self.topic, self.lang, self.channel, self.slots = rng, topic, lang, channel, slots
        self.text, self.common = TEXT[lang][topic], COMMON[lang]
        self.subject_line, self.problem, self.solution = rng.choice(CASES[lang][topic])
        self._used: set[str] = set()

    def _pick(self, *options: list[str]) -> str:
        pool = [line for group in options for line in group]
        fresh = [line for line in pool if line not in self._used] or pool
        line = self.rng.choice(fresh)
        self._used.add(line)
        return line

    def _finish(self, parts: list[str], direction: str) -> str:
        body = _join(parts, self.lang).format_map(self.slots)
        if self.channel in ("email", "phone"):  # e-mails get salutations, calls are logged as transcripts
            frame = self.rng.choice(self.common[f"{self.channel}_{direction}"])
            body = frame.format_map({**self.slots, "body": body})
        return body

    def subject(self) -> str:
        return self.subject_line.format_map(self.slots)

    def customer(self, stage: str) -> str:
        """A customer message: `open` (the first one), `follow`, `nudge` or `thanks`."""
        rng = self.rng
        if stage == "open":
            parts = [rng.choice(self.common["greeting"]), self.problem]
            if self.channel not in ("chat", "social") or rng.random() < 0.4:
                parts.append(self._pick(self.text["detail"]))
            if rng.random() < 0.8:
                parts.append(self._pick(self.text["request"]))
        elif stage == "follow":
            parts = [self._pick(self.text["follow"], self.text["follow"], self.common["follow"])]
            if rng.random() < 0.25:
                parts.append(self._pick(self.text["request"]))
        else:
            parts = [self._pick(self.common[stage])]
        return self._finish(parts, "in")

    def agent(self, stage: str, *, first: bool = False) -> str:
        """An agent message: `ask`, `update`, `solve` or `closing`; the first answer greets."""
        parts = [self._pick(self.common["agent_greeting"])] if first and self.channel not in ("email", "phone") else []
        if stage == "closing":
            parts.append(self._pick(self.common["closing"]))
        elif stage == "solve":
            parts += [self.solution, self._pick(self.common["agent_sign_off"])]
        elif stage == "update":
            parts.append(self._pick(self.text["update"], self.common["update"]))
        else:
            if not first:
                parts.append(self._pick(self.common["ask_more"]))
            parts.append(self._pick(self.text["ask"]))
        return self._finish(parts, "out")

    def note(self) -> str:
        return self._pick(self.text["note"]).format_map(self.slots)


def pick_topic(rng: random.Random) -> str:
    return rng.choices(TOPICS, TOPIC_WEIGHTS)[0]


def inbound_text(rng: random.Random, person: dict[str, str], channel: str, *, follow_up: bool = False,
                 topic: str | None = None, when: datetime | None = None) -> tuple[str, str]:
    """(subject, body) a customer might send: a first contact, or a follow-up on an open case."""
    lang = person.get("lang") or ("zh" if any("\u4e00" <= ch <= "\u9fff" for ch in person["name"]) else "en")
    slots = make_slots(rng, lang, when or utcnow(), person)
    text = ThreadText(rng, topic or pick_topic(rng), lang, channel, slots)
    stage = rng.choice(("follow", "follow", "nudge")) if follow_up else "open"
    return text.subject(), text.customer(stage)


# -- thread summary -------------------------------------------------------------------------------


def summarize_thread(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The conversation fields derived from its messages (in time order).

    Notes are internal: they count in `message_count` but neither answer the customer nor show
    in the preview. `waiting_since` is the oldest customer message after the last agent reply.
    """
    replies = [m for m in messages if m["kind"] == "reply"]
    last = replies[-1] if replies else None
    first_out = next((m for m in replies if m["direction"] == "out"), None)
    waiting: str | None = None
    for message in replies:
        if message["direction"] == "out":
            waiting = None
        elif waiting is None:
            waiting = message["created_at"]
    return {
        "preview": safe_display(last["body"], 140) if last else "",
        "last_message_at": last["created_at"] if last else None,
        "waiting_since": waiting,
        "first_response_at": first_out["created_at"] if first_out else None,
        "message_count": len(messages),
    }


# -- the generator --------------------------------------------------------------------------------


def _build_queues() -> list[Record]:
    return [(qid, {"name": name, "name_en": name_en, "description": desc, "version": 1})
            for qid, name, name_en, desc in QUEUES]


def _build_agents(rng: random.Random) -> list[Record]:
    states = ("available", "available", "busy", "busy", "acw", "break", "offline")
    records = []
    for role, accounts in (("agent", AGENTS), ("lead", LEADS)):
        for username, name, queue_ids in accounts:
            state = "available" if username in ("agent1", "lead1") else rng.choice(states)
            records.append((agent_id(username), {"username": username, "name": name, "role": role,
                                                 "queue_ids": list(queue_ids), "state": state, "version": 1}))
    return records


def _tiers(rng: random.Random, count: int) -> list[str]:
    tiers: list[str] = []
    for tier, share in TIER_SHARES:
        tiers += [tier] * max(1, round(count * share))
    tiers += ["standard"] * (count - len(tiers))
    rng.shuffle(tiers)
    return tiers


def _build_customers(rng: random.Random, now: datetime, count: int) -> tuple[list[Record], list[dict[str, str]]]:
    records: list[Record] = []
    people: list[dict[str, str]] = []
    company_share = {"vip": 0.4, "key_account": 0.9, "standard": 0.1}
    for index, tier in enumerate(_tiers(rng, count), start=1):
        person = make_person(rng)
        created = now - timedelta(days=rng.uniform(90, 720))
        company = make_company(rng, person["lang"]) if rng.random() < company_share[tier] else ""
        phones = [person["phone"]]
        if rng.random() < 0.1:
            phones.append(make_person(rng, person["lang"])["phone"])
        data = {
            "name": person["name"], "company": company, "tier": tier, "phones": phones,
            "emails": [person["email"]] if rng.random() < 0.85 else [],
            "handles": [person["handle"]] if rng.random() < 0.4 else [],
            "tags": sorted(rng.sample(CUSTOMER_TAGS, rng.choice((0, 0, 1, 1, 2)))),
            "created_at": to_iso(created), "updated_at": to_iso(created), "version": 1,
        }
        records.append((f"c-{index:05d}", data))
        people.append({**person, "company": company, "tier": tier})
    return records, people


def _created_offset(rng: random.Random, status: str) -> timedelta:
    """How long ago a conversation in this status started: open work is recent, closed work old."""
    if status == "new":
        return timedelta(minutes=2 + rng.random() ** 2 * 8 * 60)
    if status == "open":
        hours = rng.uniform(0.2, 24) if rng.random() < 0.8 else rng.uniform(24, 4 * 24)
        return timedelta(hours=hours)
    if status == "pending":
        return timedelta(hours=rng.uniform(2, 10 * 24))
    if status == "resolved":
        return timedelta(hours=rng.uniform(6, 30 * 24))
    return timedelta(hours=rng.uniform(3 * 24, 90 * 24))


def _plan(rng: random.Random, status: str, channel: str) -> list[tuple[str, str]]:
    """The shape of a thread as (who, stage) steps, consistent with its status."""
    if status == "new":  # nobody has answered yet
        return [("in", "open")] + ([("in", "nudge")] if rng.random() < 0.3 else [])
    steps = [("in", "open"), ("out", "ask")]
    for _ in range(rng.randint(*EXTRA_ROUNDS[channel])):
        steps += [("in", "follow"), ("out", "update")]
    if status == "open":
        if rng.random() < 0.6:  # the customer wrote last: waiting for us
            steps.append(("in", "follow"))
            if rng.random() < 0.2:
                steps.append(("in", "nudge"))
    elif status == "pending":  # we asked, waiting for the customer
        steps += [("in", "follow"), ("out", "ask")]
    else:
        steps += [("in", "follow"), ("out", "solve")]
        if rng.random() < 0.6:
            steps += [("in", "thanks"), ("out", "closing")]
    if rng.random() < 0.12:  # an internal note after one of the agent's messages
        outs = [i for i, (who, _) in enumerate(steps) if who == "out"]
        steps.insert(rng.choice(outs) + 1, ("note", "note"))
    return steps


def _gaps(rng: random.Random, steps: list[tuple[str, str]], channel: str, first_response: timedelta,
          room: timedelta) -> list[timedelta]:
    """Time before each step after the first, squeezed to fit in `room` (threads end before now)."""
    customer_gap, agent_gap = GAP_MINUTES[channel]
    gaps: list[timedelta] = []
    answered = False
    for who, stage in steps[1:]:
        if who == "note":
            minutes = rng.uniform(1, 30)
        elif who == "out" and not answered:
            answered = True
            gaps.append(first_response * rng.uniform(0.15, 1.3))  # some breach their SLA
            continue
        elif who == "out":
            minutes = rng.uniform(*agent_gap)
        else:
            minutes = rng.uniform(5, 60) if stage == "nudge" else rng.uniform(*customer_gap)
        gaps.append(timedelta(minutes=minutes))
    total = sum(gaps, timedelta())
    if total > room * 0.95:
        scale = room * 0.95 / total
        gaps = [gap * scale for gap in gaps]
    return gaps


def _choose_queue(rng: random.Random, topic: str, tier: str) -> str:
    if topic == "complaint":
        return "q-complaints"
    if tier in ("vip", "key_account") and rng.random() < 0.6:
        return "q-key-accounts"
    return "q-presales" if topic == "presales" else "q-aftersales"


def _choose_priority(rng: random.Random, topic: str, tier: str) -> str:
    names = list(PRIORITY_WEIGHTS)
    weights = list(PRIORITY_WEIGHTS.values())
    if topic == "complaint":
        weights = [5, 40, 35, 20]
    priority = rng.choices(names, weights)[0]
    if tier == "vip" and priority in ("low", "normal") and rng.random() < 0.5:
        priority = names[names.index(priority) + 1]
    return priority


class _Builder:
    """Generates conversations and their messages; holds the running message counter."""

    def __init__(self, rng: random.Random, now: datetime, customers: list[Record],
                 people: list[dict[str, str]], agents: list[Record]) -> None:
        self.rng, self.now = rng, now
        self.customers, self.people = customers, people
        self.agent_names = {aid: data["name"] for aid, data in agents}
        self.members: dict[str, list[str]] = {}
        for aid, data in agents:
            if data["role"] == "agent":
                for qid in data["queue_ids"]:
                    self.members.setdefault(qid, []).append(aid)
        self.weights = [{"vip": 4, "key_account": 2}.get(data["tier"], 1) for _, data in customers]
        self.messages: list[Record] = []

    def assignee(self, queue_id: str, status: str, mine: bool) -> str | None:
        if mine:
            return agent_id("agent1")
        if status == "new" and self.rng.random() < 0.75:
            return None  # new work mostly waits in the queue
        others = [aid for aid in self.members[queue_id] if aid != agent_id("agent1")]
        pool = self.members[queue_id] if status not in OPEN_STATUSES else others
        return self.rng.choice(pool)

    def conversation(self, index: int, status: str, mine: bool) -> Record:
        rng = self.rng
        pick = rng.choices(range(len(self.customers)), self.weights)[0]
        customer_id, customer = self.customers[pick]
        person = self.people[pick]
        lang, tier = person["lang"], customer["tier"]
        channel = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
        topic = pick_topic(rng)
        queue_id = _choose_queue(rng, topic, tier)
        priority = _choose_priority(rng, topic, tier)
        assignee = self.assignee(queue_id, status, mine)
        author = assignee or rng.choice(self.members[queue_id])
        created = self.now - _created_offset(rng, status)
        targets = targets_for(channel, tier, priority)
        slots = make_slots(rng, lang, created, person, customer["company"], self.agent_names[author])
        text = ThreadText(rng, topic, lang, channel, slots)
        conversation_id = f"cv-{index:06d}"
        thread = self.thread(conversation_id, text, status, created, targets.first_response, person["name"], author)
        last_at = thread[-1]["created_at"]
        updated = last_at
        if status == "closed":  # closed a while after the last message
            closed_at = min(self.now, created + (self.now - created) * 0.99)
            updated = max(last_at, min(to_iso(closed_at), to_iso(_parse(last_at) + timedelta(hours=rng.uniform(1, 48)))))
        tags = [topic] + (["vip"] if tier == "vip" else [])
        if rng.random() < 0.08:
            tags.append("repeat-contact")
        data = {
            "channel": channel, "status": status, "priority": priority, "customer_id": customer_id,
            "queue_id": queue_id, "assignee_id": assignee, "subject": text.subject(),
            "tags": tags, "created_at": to_iso(created), "updated_at": updated,
            "first_response_due": to_iso(created + targets.first_response),
            "resolution_due": to_iso(created + targets.resolution),
            **summarize_thread(thread), "version": 1,
        }
        return conversation_id, data

    def thread(self, conversation_id: str, text: ThreadText, status: str, created: datetime,
               first_response: timedelta, customer_name: str, author: str) -> list[dict[str, Any]]:
        rng = self.rng
        steps = _plan(rng, status, text.channel)
        gaps = _gaps(rng, steps, text.channel, first_response, self.now - created)
        moment = created
        thread: list[dict[str, Any]] = []
        answered = False
        for position, (who, stage) in enumerate(steps):
            if position:
                moment += gaps[position - 1]
            if who == "in":
                body = text.customer(stage)
            elif who == "out":
                body = text.agent(stage, first=not answered)
                answered = True
            else:
                body = text.note()
            message = {
                "conversation_id": conversation_id, "kind": "note" if who == "note" else "reply",
                "direction": "in" if who == "in" else "out",
                "author_id": None if who == "in" else author,
                "author_name": customer_name if who == "in" else self.agent_names[author],
                "body": body, "created_at": to_iso(moment), "version": 1, "idempotency_key": None,
            }
            thread.append(message)
            self.messages.append((f"m-{len(self.messages) + 1:07d}", message))
        return thread


def build_demo(seed: int = DEFAULT_SEED, now: datetime | None = None, *, customers: int = DEFAULT_CUSTOMERS,
               conversations: int = DEFAULT_CONVERSATIONS) -> DemoData:
    """The demo data set for `seed`, with times relative to `now` (default: the current time)."""
    rng = random.Random(seed)
    now = (now or utcnow()).replace(microsecond=0)
    queues = _build_queues()
    agents = _build_agents(rng)
    customer_records, people = _build_customers(rng, now, customers)
    statuses = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()), k=conversations)
    # agent1's "Mine": mostly open and pending work, a few new ones just picked up.
    working = [i for i, status in enumerate(statuses) if status in ("open", "pending")]
    fresh = [i for i, status in enumerate(statuses) if status == "new"]
    mine = set(rng.sample(working, min(len(working), MINE_OPEN - 4))) | set(rng.sample(fresh, min(len(fresh), 4)))
    builder = _Builder(rng, now, customer_records, people, agents)
    conversation_records = [builder.conversation(i + 1, status, i in mine) for i, status in enumerate(statuses)]
    data = DemoData(queues, agents, customer_records, conversation_records, builder.messages)
    data.files = demo_files.decorate(data.conversations, data.messages)
    touched = {item.row.conversation_id for item in data.files}
    for conversation_id, conversation in data.conversations:  # a body grew a P.S.: summaries follow
        if conversation_id in touched:
            conversation.update(summarize_thread([m for _, m in data.messages if m["conversation_id"] == conversation_id]))
    return data


def load_demo(database: store.Database, seed: int = DEFAULT_SEED, now: datetime | None = None,
              **sizes: int) -> DemoData:
    """Generate the demo set and write it, passwords included, in one transaction."""
    data = build_demo(seed, now, **sizes)
    # Hash before taking the write lock: scrypt is the slow part.
    credentials = [(aid, *auth.hash_password(DEMO_PASSWORD)) for aid, _ in data.agents]
    workflow_demo.prepare(data)  # escalation queues (售后二线, 投诉专席) and their members
    files = file_store.FileStore(file_store.folder_for(database.path))
    with database.transaction() as conn:
        for entity, records in data.entities():
            store.store_many(conn, entity, records)
        for customer_id, customer in data.customers:
            store.index_contacts(conn, customer_id, customer)
        conn.executemany("INSERT OR REPLACE INTO credentials (agent_id, salt, hash) VALUES (?, ?, ?)", credentials)
        store.set_meta(conn, "demo_seed", str(seed))
        demo_files.write(conn, files, data.files, to_iso((now or utcnow()).replace(microsecond=0)))
        knowledge_demo.load(conn, seed, now)  # scripts (话术) and FAQ articles
        workflow_demo.load(conn, data, seed, now)  # dispositions, SLA policies, orders, callbacks, CSAT
        stats_demo.load_history(conn, seed, now)  # today's queue statistics so far, for the dashboard
    return data


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, password, role) of every demo account, for start-up banners and docs."""
    return [(username, DEMO_PASSWORD, "agent") for username, _, _ in AGENTS] + [
        (username, DEMO_PASSWORD, "lead") for username, _, _ in LEADS
    ]
