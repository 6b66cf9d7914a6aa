"""The demo data set: big enough, bilingual, deterministic, internally consistent, and quick to load."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent_desktop.domain.enums import OPEN_STATUSES
from agent_desktop.domain.feed import PARSERS
from agent_desktop.domain.sla import targets_for
from agent_desktop.domain.timeutil import parse_iso, to_iso
from agent_desktop.server.db import Database
from agent_desktop.server.demo_data import DemoData, agent_id, build_demo, load_demo, summarize_thread

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
CJK = re.compile("[\u4e00-\u9fff]")
LATIN_WORDS = re.compile(r"\b[A-Za-z]{3,}\b.*\b[A-Za-z]{3,}\b")


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return build_demo(7, NOW)


def test_sizes_and_mix(demo: DemoData) -> None:
    assert len(demo.customers) >= 300
    assert len(demo.conversations) >= 2000
    assert len(demo.messages) >= 15000
    tiers = Counter(data["tier"] for _, data in demo.customers)
    assert set(tiers) == {"vip", "key_account", "standard"}
    assert 0.05 < tiers["vip"] / len(demo.customers) < 0.11
    assert 0.12 < tiers["key_account"] / len(demo.customers) < 0.18
    channels = Counter(data["channel"] for _, data in demo.conversations)
    assert set(channels) == {"phone", "chat", "email", "web", "social"}
    statuses = Counter(data["status"] for _, data in demo.conversations)
    assert set(statuses) == {"new", "open", "pending", "resolved", "closed"}
    open_share = sum(statuses[s] for s in OPEN_STATUSES) / len(demo.conversations)
    assert 0.30 < open_share < 0.45


def test_both_languages_read_like_customer_service(demo: DemoData) -> None:
    bodies = [data["body"] for _, data in demo.messages]
    chinese = [body for body in bodies if CJK.search(body)]
    english = [body for body in bodies if not CJK.search(body) and LATIN_WORDS.search(body)]
    assert len(chinese) > 3000 and len(english) > 3000
    text = "\n".join(bodies)
    for word in ("退款", "发票", "快递", "投诉", "refund", "invoice", "tracking", "complaint"):
        assert word in text
    assert re.search(r"\b20\d{11}\b", text), "order numbers like 2026110812345"
    assert "¥" in text and "$" in text
    names = [data["name"] for _, data in demo.customers]
    assert any(re.fullmatch("[\u4e00-\u9fff](先生|女士)", name) for name in names)
    assert any(re.fullmatch(r"[A-Z][a-z]+ [A-Z]\w+", name) for name in names)
    assert any(phone.startswith("+86 1") for _, data in demo.customers for phone in data["phones"])


def test_queues_and_accounts(demo: DemoData) -> None:
    queues = dict(demo.queues)
    assert {"q-presales", "q-aftersales", "q-complaints", "q-key-accounts"} <= set(queues)
    assert queues["q-presales"]["name"] == "售前咨询" and queues["q-presales"]["name_en"] == "Pre-sales"
    agents = dict(demo.agents)
    for n in range(1, 11):
        agent = agents[agent_id(f"agent{n}")]
        assert agent["username"] == f"agent{n}" and agent["role"] == "agent" and CJK.search(agent["name"])
        assert agent["queue_ids"]
    assert agents[agent_id("lead1")]["role"] == "lead"


def test_inbox_has_work_for_agent1_and_the_queue(demo: DemoData) -> None:
    open_work = [data for _, data in demo.conversations if data["status"] in OPEN_STATUSES]
    mine = [data for data in open_work if data["assignee_id"] == agent_id("agent1")]
    assert 30 <= len(mine) <= 50
    assert sum(data["assignee_id"] is None for data in open_work) > 20
    recent = [data for data in open_work if (NOW - parse_iso(data["created_at"])).total_seconds() < 6 * 3600]
    assert len(recent) > 50
    oldest = min(parse_iso(data["created_at"]) for _, data in demo.conversations)
    assert 60 < (NOW - oldest).days <= 90


def test_conversation_fields_agree_with_messages(demo: DemoData) -> None:
    threads: dict[str, list[dict]] = {}
    for _, message in demo.messages:
        threads.setdefault(message["conversation_id"], []).append(message)
    tiers = {cid: data["tier"] for cid, data in demo.customers}
    notes = 0
    for conversation_id, data in demo.conversations:
        thread = threads[conversation_id]
        assert [m["created_at"] for m in thread] == sorted(m["created_at"] for m in thread)
        assert thread[-1]["created_at"] <= to_iso(NOW)
        summary = summarize_thread(thread)
        assert {key: data[key] for key in summary} == summary, conversation_id
        targets = targets_for(data["channel"], tiers[data["customer_id"]], data["priority"])
        created = parse_iso(data["created_at"])
        assert data["first_response_due"] == to_iso(created + targets.first_response)
        assert data["resolution_due"] == to_iso(created + targets.resolution)
        if data["status"] == "new":
            assert all(m["direction"] == "in" for m in thread) and data["first_response_at"] is None
        else:
            assert data["first_response_at"] is not None
        if data["status"] in ("pending", "resolved", "closed"):
            assert data["waiting_since"] is None
        for message in thread:
            if message["direction"] == "in":
                assert message["author_id"] is None and message["author_name"]
            else:
                assert message["author_id"].startswith("a-")
            notes += message["kind"] == "note"
    assert notes > 50


def test_every_record_parses_with_the_client_parsers(demo: DemoData) -> None:
    for entity, records in demo.entities():
        for record_id, data in records:
            PARSERS[entity](record_id, data)


def test_same_seed_same_data_other_seed_other_data() -> None:
    first = build_demo(11, NOW, customers=60, conversations=200)
    again = build_demo(11, NOW, customers=60, conversations=200)
    other = build_demo(12, NOW, customers=60, conversations=200)
    assert first.digest() == again.digest()
    assert first.digest() != other.digest()


def test_loading_into_a_fresh_database_is_quick(tmp_path: Path) -> None:
    database = Database(tmp_path / "demo.sqlite3")
    started = time.perf_counter()
    data = load_demo(database)
    elapsed = time.perf_counter() - started
    assert elapsed < 30, f"demo generation took {elapsed:.1f} s"
    counts = database.counts()
    assert counts["customer"] == len(data.customers) and counts["message"] == len(data.messages)
    assert database.last_seq() == sum(counts.values())
    database.close()


def test_demo_files_sit_on_existing_messages_of_agent1(demo: DemoData) -> None:
    plain = build_demo(7, NOW)
    assert len(plain.messages) == len(demo.messages) and len(plain.conversations) == len(demo.conversations)
    messages = dict(demo.messages)
    conversations = dict(demo.conversations)
    by_name = {item.row.name: item for item in demo.files}
    mail_photo, invoice = by_name["parcel-photo.png"], by_name["Invoice INV-2026-004217.pdf"]
    chat_photo = by_name["IMG_20261128_093214.png"]
    assert mail_photo.row.message_id == invoice.row.message_id and mail_photo.row.inline and mail_photo.row.content_id
    assert mail_photo.row.sha256 == chat_photo.row.sha256 and mail_photo.data.startswith(b"\x89PNG")
    assert invoice.data.startswith(b"%PDF-1.4") and invoice.data.rstrip().endswith(b"%%EOF")
    for item in demo.files:
        conversation = conversations[item.row.conversation_id]
        assert (conversation["assignee_id"], conversation["status"]) == (agent_id("agent1"), "open")
        message = messages[item.row.message_id]
        assert message["direction"] == "in" and item.row.wire() in message["attachments"]
    mail = PARSERS["message"](mail_photo.row.message_id, messages[mail_photo.row.message_id])
    assert conversations[mail.conversation_id]["channel"] == "email"
    html = mail.body_html
    assert f'src="cid:{mail_photo.row.content_id}"' in html and 'src="https://' in html
    for mark in ("<b>", "<ul>", "<li>", "<a href=\"https://", "<blockquote"):
        assert mark in html, mark
    assert "<script" not in html
    assert [a.name for a in mail.attachments] == ["parcel-photo.png", "Invoice INV-2026-004217.pdf"]


def test_loaded_demo_files_are_on_disk(tmp_path: Path) -> None:
    from agent_desktop.server import files

    database = Database(tmp_path / "demo.sqlite3")
    data = load_demo(database, now=NOW)
    store = files.FileStore(files.folder_for(database.path))
    assert store.stored_files() == 2   # the photo is on two messages, stored once
    for item in data.files:
        row = files.get(database.reader(), item.row.id)
        assert row == item.row and store.path(row.sha256).read_bytes() == item.data
    database.close()
