"""The Chatwoot adapter against the stateful fake behind Prism (both directions checked against
Chatwoot's OpenAPI document): sign-in and the connection check, the emulated feed, malformed
records, rate limiting, look-before-resend, read-then-write conflicts and capability gaps."""

from __future__ import annotations

import json
import logging
import time

import pytest

from agent_desktop.backends.base import (
    AuthRequired,
    Capability,
    CursorExpired,
    Rejected,
    ServerBusy,
    Unsupported,
    VersionConflict,
    capabilities_of,
)
from agent_desktop.backends.chatwoot import ChatwootBackend
from agent_desktop.backends.protocols import Surveys, require
from agent_desktop.domain.timeutil import now_iso
from agent_desktop.services.connection_check import VerdictCode, check_connection
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database
from tests.contract.chatwoot_helpdesk import ChatwootHelpdesk
from tests.vendors.chatwoot_fake import TOKEN, ChatwootFake
from tests.vendors.prism import CHATWOOT_DOCUMENT, Prism


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    fake = ChatwootFake().start()
    try:
        with Prism(CHATWOOT_DOCUMENT, upstream=fake.url, log_dir=tmp_path_factory.mktemp("prism")) as prism:
            helpdesk = ChatwootHelpdesk(fake, prism)
            yield helpdesk
            helpdesk.check_contract()
    finally:
        fake.stop()


def _backend(desk, url: str | None = None) -> ChatwootBackend:
    backend = ChatwootBackend(url or desk.url)
    backend.sign_in(desk.user, TOKEN)
    return backend


def _drain(backend: ChatwootBackend, cursor: str | None = None, limit: int = 100):
    changes, pages = [], 0
    while True:
        batch = backend.changes(cursor, limit)
        changes.extend(batch.changes)
        cursor, pages = batch.cursor, pages + 1
        if not batch.has_more:
            return changes, cursor, pages


def test_the_account_comes_from_the_address_or_the_profile(desk):
    from_url = ChatwootBackend(desk.url)
    assert from_url.account_id == 1 and from_url.base_url == desk.prism.url
    bare = ChatwootBackend(desk.prism.url)
    signed = bare.sign_in(desk.user, TOKEN)
    assert bare.account_id == 1
    assert signed.agent["id"] == "u1" and signed.agent["name"] == "Li Na 李娜" and signed.token == TOKEN


def test_a_wrong_token_asks_for_a_sign_in_and_the_check_says_bad_credentials(desk):
    with pytest.raises(AuthRequired):
        ChatwootBackend(desk.url).sign_in(desk.user, "not-the-token")
    bad = check_connection("chatwoot", desk.url, desk.user, "not-the-token")
    assert bad.code == VerdictCode.BAD_CREDENTIALS and "not-the-token" not in bad.detail
    good = check_connection("chatwoot", desk.url, desk.user, TOKEN)
    assert good.code == VerdictCode.OK and good.agent_name == "Li Na 李娜"


def test_another_account_in_the_address_is_refused(desk):
    verdict = check_connection("chatwoot", desk.prism.url + "/app/accounts/2/dashboard", desk.user, TOKEN)
    assert verdict.code == VerdictCode.NO_PERMISSION


def test_first_sync_pages_everything_then_an_idle_pull_costs_one_request(desk):
    backend = _backend(desk)
    started = time.monotonic()
    changes, cursor, pages = _drain(backend)
    took = time.monotonic() - started
    conversations = {c["id"] for c in changes if c["entity"] == "conversation"}
    assert conversations == {str(i) for i in desk.fake.visible()}
    assert pages > 2
    entities = {c["entity"] for c in changes}
    assert {"queue", "agent", "customer", "message", "script"} <= entities
    scripts = {c["data"]["title"]: c["data"]["body"] for c in changes if c["entity"] == "script"}
    assert scripts["greet"] == "您好 {{customer.name}}，我是{{agent.name}}，很高兴为您服务。"
    assert not any(c["entity"] == "message" and "by " in c["data"]["body"] and c["data"]["body"].startswith(
        ("Conversation was marked", "Assigned to")) for c in changes)   # activity messages stay out
    print(f"first sync: {len(conversations)} conversations, {pages} pages, {took:.2f} s")
    before = len(desk.fake.answers)
    again = backend.changes(cursor, 100)
    assert again.changes == [] and not again.has_more
    assert len(desk.fake.answers) - before == 1   # one list page: nothing moved, nothing fetched


def test_a_customer_message_arrives_and_only_its_conversation_is_read(desk):
    backend = _backend(desk)
    _changes, cursor, _pages = _drain(backend)
    target = desk.fake.customer_opens("我要退货 return please")
    desk.fake.customer_writes(target, "还在吗？")
    before = len(desk.fake.answers)
    batch = backend.changes(cursor, 100)
    bodies = [c["data"]["body"] for c in batch.changes if c["entity"] == "message"]
    assert bodies == ["我要退货 return please", "还在吗？"]
    assert len(desk.fake.answers) - before == 2   # the list's first page and this conversation's messages
    assert json.loads(batch.cursor)["hw"] >= desk.fake.truth(target)["last_activity_at"]
    assert backend.changes(batch.cursor, 100).changes == []   # read again in the overlap, not emitted again


def test_a_malformed_record_is_skipped_and_logged_the_rest_lands(desk, tmp_path, caplog):
    broken = desk.fake.customer_opens("a conversation whose contact is missing")
    odd = desk.fake.customer_opens("a conversation with an odd message")
    odd_message = desk.fake.messages[odd][-1]["id"]
    desk.fake.broken[f"conversation:{broken}"] = {"meta": {"channel": "Channel::WebWidget"}}
    desk.fake.broken[f"message:{odd_message}"] = {"created_at": None}
    try:
        db = Database(tmp_path / "cache.sqlite3")
        with caplog.at_level(logging.WARNING, logger="agent_desktop.backends.chatwoot"):
            SyncEngine(db, _backend(desk), page_size=100).pull()
        ids = {row[0] for row in db.reader().execute("SELECT id FROM conversations")}
        assert str(broken) not in ids and str(odd) in ids
        assert len(ids) == len(desk.fake.visible()) - 1
        assert db.reader().execute("SELECT count(*) FROM invalid_records").fetchone()[0] == 0
        assert any("could not read" in r.getMessage() for r in caplog.records)
        db.close()
    finally:
        desk.fake.broken.clear()


def test_a_429_without_retry_after_is_busy_for_the_engine_to_back_off(desk):
    backend = _backend(desk)
    desk.fake.rate_limit(1)
    with pytest.raises(ServerBusy) as caught:
        backend.changes(None, 100)
    assert caught.value.retry_after is None
    assert backend.changes(None, 100).has_more   # the next attempt goes through


def test_an_unreadable_cursor_expires(desk):
    backend = _backend(desk)
    for cursor in ("garbage", json.dumps({"v": 1, "phase": "log"}), json.dumps({"v": 99})):
        with pytest.raises(CursorExpired):
            backend.changes(cursor, 100)


def test_a_resend_adopts_the_earlier_message_and_a_first_attempt_never_looks(desk):
    backend = _backend(desk)
    target = str(desk.fake.customer_opens("resend"))
    since = now_iso()
    first = backend.post_message(target, "reply", "您好，已处理", "k-1")
    again = backend.post_message(target, "reply", "您好，已处理", "k-1", resend_since=since)
    assert again["id"] == first["id"] and again["idempotency_key"] == "k-1"
    assert desk.fake.bodies(int(target)).count("您好，已处理") == 1
    backend.post_message(target, "reply", "您好，已处理", "k-2")   # on purpose, twice
    assert desk.fake.bodies(int(target)).count("您好，已处理") == 2
    note = backend.post_message(target, "note", "内部备注", "k-3", resend_since=since)   # not sent before: sent
    assert note["kind"] == "note" and desk.fake.bodies(int(target)).count("内部备注") == 1


def test_a_stale_version_is_a_conflict_with_the_current_state(desk):
    backend = _backend(desk)
    target = str(desk.fake.customer_opens("conflict"))
    seen = backend._conversation_now(target)
    desk.fake.colleague_sets(int(target), priority="high")
    with pytest.raises(VersionConflict) as caught:
        backend.patch_conversation(target, {"status": "resolved"}, seen["version"])
    assert caught.value.current["priority"] == "high" and caught.value.current["version"] > seen["version"]
    after = backend.patch_conversation(target, {"status": "resolved", "tags": ["退款"], "assignee_id": "u1"},
                                       caught.value.current["version"])
    assert (after["status"], after["tags"], after["assignee_id"]) == ("resolved", ["退款"], "u1")
    truth = desk.fake.truth(int(target))
    assert (truth["status"], truth["labels"], truth["assignee_id"]) == ("resolved", ["退款"], 1)


def test_a_hand_off_gives_the_conversation_to_the_team_unassigned(desk):
    backend = _backend(desk)
    target = str(desk.fake.customer_opens("hand-off"))
    desk.fake.colleague_sets(int(target), assignee=1)
    found = backend.transfer(target, kind="escalate", queue_id="t3", assignee_id=None, note="需要主管处理", key="h-1")
    message, conversation = found
    assert message.data["event"] == "escalate" and message.data["kind"] == "note"
    assert conversation.data["queue_id"] == "t3" and conversation.data["assignee_id"] is None
    assert desk.fake.bodies(int(target)).count("需要主管处理") == 1


def test_what_chatwoot_cannot_do_is_refused_and_says_why(desk):
    backend = _backend(desk)
    assert capabilities_of(backend) == {Capability.CORE, Capability.HANDOFF, Capability.ATTACHMENTS}
    with pytest.raises(Unsupported, match="does not support csat"):
        require(backend, Capability.CSAT, Surveys)
    target = str(desk.fake.customer_opens("subject"))
    with pytest.raises(Rejected, match="cannot store 'subject'"):
        backend.patch_conversation(target, {"subject": "new"}, None)
