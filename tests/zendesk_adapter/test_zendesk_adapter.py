"""The Zendesk adapter against the fake, with Prism checking every Support API request and answer
against Zendesk's document: sign-in verdicts, pacing and 429s, malformed records, conflicts,
scripts and FAQ articles, and what it does not offer."""

from __future__ import annotations

import json
import logging

import pytest

from agent_desktop.backends import zendesk_mapping as mapping
from agent_desktop.backends.base import (
    AuthRequired,
    Capability,
    CursorExpired,
    ServerBusy,
    Unsupported,
    VersionConflict,
    capabilities_of,
)
from agent_desktop.backends.protocols import PROTOCOLS, require
from agent_desktop.backends.zendesk import TokenBucket, ZendeskBackend
from agent_desktop.services.connection_check import VerdictCode, check_connection
from tests.vendors.zendesk_fake import AGENT_EMAIL, AGENT_TOKEN, END_USER_EMAIL, END_USER_TOKEN
from tests.zendesk_adapter.conftest import Clock


@pytest.fixture(autouse=True)
def _fresh_fake(zendesk):
    zendesk.fake.refusals.clear()
    zendesk.fake.export_limit = None
    zendesk.fake.anonymous_on_bad_token = False
    yield


def backend(zendesk, **options) -> ZendeskBackend:
    options.setdefault("export_rate", 100000)
    made = ZendeskBackend(zendesk.url, **options)
    made.sign_in(AGENT_EMAIL, AGENT_TOKEN)
    return made


def sync_all(made: ZendeskBackend, cursor: str | None = None) -> tuple[list[dict], str]:
    changes: list[dict] = []
    for _page in range(50):
        batch = made.changes(cursor, 100)
        changes.extend(batch.changes)
        cursor = batch.cursor
        if not batch.has_more:
            return changes, cursor
    raise AssertionError("the feed never ended")


def test_sign_in_with_an_agents_token_names_the_agent(zendesk):
    signed = ZendeskBackend(zendesk.url).sign_in(AGENT_EMAIL, AGENT_TOKEN)
    assert signed.agent["id"] == f"u{zendesk.fake.me['id']}" and signed.agent["username"] == AGENT_EMAIL


def test_connection_check_verdicts_for_good_bad_and_end_user_credentials(zendesk):
    assert check_connection("zendesk", zendesk.url, AGENT_EMAIL, AGENT_TOKEN).code == VerdictCode.OK
    bad = check_connection("zendesk", zendesk.url, AGENT_EMAIL, "wrong-token")
    assert bad.code == VerdictCode.BAD_CREDENTIALS and "wrong-token" not in bad.detail
    customer = check_connection("zendesk", zendesk.url, END_USER_EMAIL, END_USER_TOKEN)
    assert customer.code == VerdictCode.NO_PERMISSION and "agent account" in customer.detail


def test_a_wrong_token_answered_as_the_anonymous_user_asks_for_a_sign_in(zendesk):
    zendesk.fake.anonymous_on_bad_token = True
    with pytest.raises(AuthRequired):
        ZendeskBackend(zendesk.url).sign_in(AGENT_EMAIL, "wrong-token")


def test_the_first_sync_brings_queues_people_tickets_messages_scripts_and_articles(zendesk):
    changes, cursor = sync_all(backend(zendesk))
    entities = {c["entity"] for c in changes if c["op"] == "upsert"}
    assert entities == {"queue", "agent", "customer", "conversation", "message", "script", "faq_article"}
    conversations = {c["id"] for c in changes if c["entity"] == "conversation"}
    assert conversations == {str(i) for i in zendesk.fake.visible()}
    scripts = [c["data"] for c in changes if c["entity"] == "script"]
    assert len(scripts) == 5   # the macro that only closes a ticket writes nothing
    assert any("{{customer.name}}" in s["body"] and "{{conversation.id}}" in s["body"] for s in scripts)
    articles = [c["data"] for c in changes if c["entity"] == "faq_article"]
    assert len(articles) == 4 and {a["language"] for a in articles} == {"zh", "en"}   # the draft is left out
    assert json.loads(cursor)["phase"] == "live" and AGENT_TOKEN not in cursor


def test_a_cursor_this_adapter_did_not_write_is_expired(zendesk):
    with pytest.raises(CursorExpired):
        backend(zendesk).changes('{"v": 9}', 100)


def test_a_429_is_busy_with_zendesks_retry_after_and_nothing_goes_out_meanwhile(zendesk):
    made = backend(zendesk)
    _changes, cursor = sync_all(made)
    zendesk.fake.refuse(1, retry_after=7)
    with pytest.raises(ServerBusy) as busy:
        made.changes(cursor, 100)
    assert busy.value.retry_after == 7
    asked = len(zendesk.fake.requests)
    with pytest.raises(ServerBusy):   # the adapter waits out the Retry-After itself
        made.changes(cursor, 100)
    assert len(zendesk.fake.requests) == asked


def test_a_429_without_retry_after_leaves_the_wait_to_the_engines_backoff(zendesk):
    made = backend(zendesk)
    _changes, cursor = sync_all(made)
    zendesk.fake.refuse(1, retry_after=None)
    with pytest.raises(ServerBusy) as busy:
        made.changes(cursor, 100)
    assert busy.value.retry_after is None


def test_the_fake_limits_exports_like_zendesk_and_the_adapter_reports_the_wait(zendesk):
    made = backend(zendesk)
    _changes, cursor = sync_all(made)
    zendesk.fake.export_limit = 2
    made.changes(cursor, 100)
    made.changes(cursor, 100)
    with pytest.raises(ServerBusy) as busy:
        made.changes(cursor, 100)
    assert busy.value.retry_after is not None and 0 < busy.value.retry_after <= 61


def test_the_adapter_paces_its_exports_to_the_configured_rate(zendesk):
    clock, slept = Clock(), []
    made = backend(zendesk, export_rate=2, pace_wait=0, clock=clock, sleep=slept.append)
    made.buckets = {name: TokenBucket(1000, clock) for name in made.buckets}
    _changes, cursor = sync_all(made)
    made.buckets = {name: TokenBucket(2, clock) for name in made.buckets}
    made.changes(cursor, 100)
    made.changes(cursor, 100)
    asked = len(zendesk.fake.requests)
    with pytest.raises(ServerBusy) as busy:
        made.changes(cursor, 100)
    assert busy.value.retry_after == pytest.approx(30.0)
    assert len(zendesk.fake.requests) == asked   # refused before asking Zendesk
    clock.now += 30
    made.changes(cursor, 100)
    assert slept == []


def test_a_token_bucket_refills_with_time():
    clock = Clock()
    bucket = TokenBucket(10, clock)
    for _ in range(10):
        assert bucket.wait() == 0
        bucket.take()
    assert bucket.wait() == pytest.approx(6.0)
    clock.now += 6
    assert bucket.wait() == 0
    bucket.block(20)
    assert bucket.wait() == pytest.approx(20.0)


def test_a_malformed_ticket_is_skipped_and_logged_and_the_rest_of_the_page_lands(zendesk, caplog):
    made = backend(zendesk)
    _changes, cursor = sync_all(made)
    fake = zendesk.fake
    broken = fake.add_raw_ticket({"requester_id": fake.me["id"], "subject": "no status, no time"})
    good = fake.new_ticket("a good one")
    with caplog.at_level(logging.WARNING, logger="agent_desktop.backends.zendesk"):
        changes, _cursor = sync_all(made, cursor)
    ids = {c["id"] for c in changes if c["entity"] == "conversation"}
    assert good in ids and broken not in ids
    assert any(broken in record.getMessage() for record in caplog.records)


def test_a_change_on_a_stale_version_is_a_conflict_with_the_ticket_as_it_is(zendesk):
    made = backend(zendesk)
    ticket = zendesk.fake.new_ticket("conflict")
    current = made._conversation_now(ticket)
    zendesk.someone_else_sets(ticket, priority="urgent")
    with pytest.raises(VersionConflict) as conflict:
        made.patch_conversation(ticket, {"status": "pending"}, current["version"])
    assert conflict.value.current["priority"] == "urgent"
    done = made.patch_conversation(ticket, {"status": "pending"}, conflict.value.current["version"])
    assert done["status"] == "pending" and zendesk.fake.state(ticket)["status"] == "pending"


def test_a_reply_and_a_note_are_public_and_private_comments(zendesk):
    made = backend(zendesk)
    ticket = zendesk.fake.new_ticket("write")
    reply = made.post_message(ticket, "reply", "您好，已处理。", "k-1")
    note = made.post_message(ticket, "note", "internal", "k-2")
    comments = zendesk.fake.state(ticket)["_comments"]
    assert [(c["body"], c["public"]) for c in comments[-2:]] == [("您好，已处理。", True), ("internal", False)]
    assert reply["id"] == str(comments[-2]["id"]) and note["kind"] == "note"
    again = made.post_message(ticket, "reply", "您好，已处理。", "k-1", resend_since=mapping.stamp_of(0))
    assert again["id"] == reply["id"] and len(zendesk.fake.bodies(ticket)) == 3   # found, not sent twice


def test_what_zendesk_does_not_offer_is_not_declared(zendesk):
    made = backend(zendesk)
    assert capabilities_of(made) == {Capability.CORE, Capability.HANDOFF, Capability.ATTACHMENTS}
    for capability, protocol in PROTOCOLS.items():
        if capability not in (Capability.HANDOFF, Capability.ATTACHMENTS):
            with pytest.raises(Unsupported):
                require(made, capability, protocol)
