"""Chatwoot's values ↔ ours, without a server (docs/backends/chatwoot.md, "Mapping")."""

from __future__ import annotations

import pytest

from agent_desktop.backends import chatwoot_mapping as m
from agent_desktop.domain.records import parse_conversation, parse_customer, parse_message
from agent_desktop.domain.scripts import render


@pytest.mark.parametrize(("theirs", "ours"), [("open", "open"), ("pending", "pending"), ("snoozed", "pending"),
                                              ("resolved", "resolved")])
def test_statuses_read(theirs, ours):
    assert m.STATUS_FROM_CHATWOOT[theirs] == ours


@pytest.mark.parametrize(("ours", "theirs"), [("new", "open"), ("open", "open"), ("pending", "pending"),
                                              ("resolved", "resolved"), ("closed", "resolved")])
def test_statuses_written(ours, theirs):
    assert m.STATUS_TO_CHATWOOT[ours] == theirs


@pytest.mark.parametrize(("theirs", "ours"), [("urgent", "urgent"), ("high", "high"), ("medium", "normal"),
                                              ("low", "low"), (None, "normal")])
def test_priorities_read_and_round_trip(theirs, ours):
    assert m.PRIORITY_FROM_CHATWOOT[theirs] == ours
    assert m.PRIORITY_FROM_CHATWOOT[m.PRIORITY_TO_CHATWOOT[ours]] == ours


@pytest.mark.parametrize(("channel_type", "medium", "ours"), [
    ("Channel::WebWidget", None, "chat"), ("Channel::Api", None, "chat"), ("Channel::Email", None, "email"),
    ("Channel::TwilioSms", "whatsapp", "social"), ("Channel::TwilioSms", "sms", "phone"),
    ("Channel::Whatsapp", None, "social"), ("Channel::Sms", None, "phone"), ("Channel::Telegram", None, "social"),
    ("Channel::SomethingNew", None, "chat")])
def test_inbox_channels(channel_type, medium, ours):
    assert m.channel_of(channel_type, medium) == ours


def test_chatwoot_variables_become_ours_and_back():
    body = m.script_body_from_chatwoot("您好 {{contact.name}}，我是{{ agent.name }}。{{inbox.name}}")
    assert body == "您好 {{customer.name}}，我是{{agent.name}}。{{inbox.name}}"
    rendered = render(body, {"customer.name": "王先生", "agent.name": "李娜"})
    assert rendered.text.startswith("您好 王先生，我是李娜。")
    assert not rendered.complete   # {{inbox.name}} has no equivalent: left for the agent, never sent
    assert m.script_body_to_chatwoot("Hi {{customer.name | there}}, {{agent.name}}") == \
        "Hi {{contact.name | default: 'there'}}, {{agent.name}}"


def test_a_liquid_default_becomes_our_fallback():
    body = m.script_body_from_chatwoot("Hi {{ contact.name | default: 'there' }}!")
    assert body == "Hi {{customer.name | there}}!"
    assert render(body, {}).text == "Hi there!"


def test_a_canned_response_is_a_shared_script():
    data = m.script_record({"id": 4, "short_code": "物流 fast", "content": "{{contact.first_name}}您好",
                            "updated_at": "2025-05-20T08:00:00.000Z"})
    assert data["shortcut"] == "物流_fast" and data["language"] == "zh" and data["scope"] == "shared"
    assert data["body"] == "{{customer.name}}您好"
    assert m.script_record({"id": 5, "short_code": "", "content": "x"}) is None


def _conversation(**overrides):
    base = {"id": 7, "inbox_id": 1, "status": "snoozed", "priority": "medium", "labels": ["vip", "物流"],
            "created_at": 1748736000, "updated_at": 1748736100.25, "last_activity_at": 1748736200.5,
            "waiting_since": 1748736000, "additional_attributes": {"mail_subject": "Order 1"},
            "last_non_activity_message": {"id": 3, "content": "退款", "created_at": 1748736150},
            "meta": {"sender": {"id": 9, "name": "王先生", "email": "w@example.com"}, "channel": "Channel::Email",
                     "assignee": {"id": 2}, "team": {"id": 3, "name": "投诉"}}}
    return {**base, **overrides}


def test_a_conversation_parses_in_our_shape():
    data = m.conversation_record(_conversation(), {})
    conversation = parse_conversation("7", data)
    assert (conversation.status, conversation.priority, conversation.channel) == ("pending", "normal", "email")
    assert (conversation.customer_id, conversation.assignee_id, conversation.queue_id) == ("c9", "u2", "t3")
    assert conversation.tags == ["vip", "物流"] and conversation.subject == "Order 1"
    assert conversation.preview == "退款"
    assert conversation.version == 1748736200500000   # the latest of updated_at and last_activity_at, in µs


def test_version_grows_with_every_change():
    first = m.version_of(_conversation())
    assert m.version_of(_conversation(updated_at=1748736300.000001)) > first


def test_a_conversation_without_a_contact_is_not_ours_to_guess():
    assert m.conversation_record(_conversation(meta={"channel": "Channel::Api"}), {}) is None


def test_messages_directions_notes_and_activity():
    incoming = m.message_record({"id": 1, "message_type": 0, "content": "你好", "created_at": 1748736000,
                                 "sender_type": "Contact", "sender_id": 9, "private": False}, "7")
    reply = m.message_record({"id": 2, "message_type": 1, "content": "Hi", "created_at": 1748736001,
                              "sender_type": "User", "sender_id": 2, "private": False,
                              "sender": {"name": "Zhang Wei"}}, "7")
    note = m.message_record({"id": 3, "message_type": 1, "content": "内部", "created_at": 1748736002,
                             "sender_type": "User", "sender_id": 2, "private": True}, "7")
    activity = m.message_record({"id": 4, "message_type": 2, "content": "Assigned to x by y",
                                 "created_at": 1748736003}, "7")
    assert (incoming["direction"], incoming["kind"], incoming["author_id"]) == ("in", "reply", None)
    assert (reply["direction"], reply["kind"], reply["author_id"], reply["author_name"]) == \
        ("out", "reply", "u2", "Zhang Wei")
    assert (note["direction"], note["kind"]) == ("out", "note")
    assert activity is None
    for record in (incoming, reply, note):
        parse_message("1", record)


def test_a_customer_parses_with_tier_and_company():
    data = m.customer_record({"id": 9, "name": "", "email": "a@example.com", "phone_number": "+86 1",
                              "custom_attributes": {"tier": "VIP"},
                              "additional_attributes": {"company_name": "Acme"}})
    customer = parse_customer("c9", data)
    assert (customer.name, customer.tier, customer.company, customer.phones) == \
        ("a@example.com", "vip", "Acme", ["+86 1"])


@pytest.mark.parametrize(("availability", "state"), [("online", "available"), ("busy", "busy"),
                                                     ("offline", "offline"), ("", "offline")])
def test_agent_availability(availability, state):
    data = m.agent_record({"id": 1, "name": "Li", "email": "li@example.com", "availability_status": availability,
                           "role": "administrator"}, ["t1"])
    assert data["state"] == state and data["role"] == "lead" and data["queue_ids"] == ["t1"]


def test_times_are_iso_utc():
    assert m.timestamp(1748736000) == "2025-06-01T00:00:00.000Z"
    assert m.timestamp("2025-05-20T08:00:00.000Z") == "2025-05-20T08:00:00.000Z"
    assert m.timestamp(True) is None and m.timestamp("not a time") is None
