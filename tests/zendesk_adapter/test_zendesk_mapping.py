"""Zendesk's values in our terms and back (backends/zendesk_mapping.py), without a server."""

from __future__ import annotations

import pytest

from agent_desktop.backends import zendesk_mapping as m
from agent_desktop.backends.base import Rejected
from agent_desktop.backends.zendesk import _ticket_update
from agent_desktop.domain.knowledge import parse_faq_article, parse_script
from agent_desktop.domain.records import parse_conversation, parse_customer, parse_message
from agent_desktop.domain.scripts import VARIABLES, render

TICKET = {"id": 35436, "requester_id": 20978392, "assignee_id": 235323, "group_id": 98738, "status": "open",
          "priority": "high", "subject": "Help, my printer is on fire!", "description": "The fire is very colorful.",
          "tags": ["enterprise", "other_tag"], "via": {"channel": "web"}, "created_at": "2009-07-20T22:55:29Z",
          "updated_at": "2011-05-05T10:38:52Z"}   # Zendesk's documented example ticket


@pytest.mark.parametrize("ours", ["new", "open", "pending", "resolved", "closed"])
def test_every_status_of_ours_goes_to_zendesk_and_comes_back_the_same(ours):
    assert m.STATUS_FROM_ZENDESK[m.STATUS_TO_ZENDESK[ours]] == ours


def test_on_hold_shows_as_pending_and_deleted_is_no_status():
    assert m.status_from_zendesk("hold") == "pending"
    assert m.status_from_zendesk("solved") == "resolved"
    assert m.status_from_zendesk("deleted") is None


@pytest.mark.parametrize(("theirs", "ours"), [("low", "low"), ("normal", "normal"), ("high", "high"),
                                              ("urgent", "urgent"), (None, "normal"), ("weird", "normal")])
def test_priorities_map_one_to_one_and_none_is_normal(theirs, ours):
    assert m.priority_from_zendesk(theirs) == ours


@pytest.mark.parametrize(("channel", "ours"), [("voice", "phone"), ("chat", "chat"), ("native_messaging", "chat"),
                                               ("email", "email"), ("web", "web"), ("web_form", "web"),
                                               ("api", "web"), ("twitter", "social"), ("facebook", "social"),
                                               ("whatsapp", "social"), ("something_new", "web")])
def test_via_channels_become_ours(channel, ours):
    assert m.channel_from_via({"channel": channel}) == ours


def test_zendesk_placeholders_become_our_variables_and_unknown_ones_stay():
    body = m.script_body_from_zendesk("Hi {{ticket.requester.first_name}}, ticket #{{ ticket.id }} "
                                      "({{ticket.title}}) from {{current_user.name}} in {{ticket.group.name}}; "
                                      "{{ticket.ticket_field_123}}")
    assert body == ("Hi {{customer.name}}, ticket #{{conversation.id}} ({{conversation.subject}}) from "
                    "{{agent.name}} in {{queue.name}}; {{ticket.ticket_field_123}}")
    rendered = render(body, {"customer.name": "王伟", "conversation.id": "7", "conversation.subject": "退款",
                             "agent.name": "Li", "queue.name": "售后"})
    assert rendered.text.startswith("Hi 王伟, ticket #7 (退款) from Li in 售后")
    assert len(rendered.unfilled) == 1   # the custom field stays for the agent to fill


def test_every_variable_of_ours_has_a_zendesk_placeholder_and_back():
    for ours in VARIABLES:
        theirs = m.script_body_to_zendesk("{{" + ours + " | fallback}}")
        assert theirs.startswith("{{ticket.") or theirs.startswith("{{current_user.")
        if ours != "customer.tier":
            assert m.script_body_from_zendesk(theirs) == "{{" + ours + "}}"


def test_a_ticket_becomes_a_conversation_the_domain_accepts():
    data = m.conversation_record(TICKET)
    conversation = parse_conversation("35436", data)
    assert (conversation.status, conversation.priority, conversation.channel) == ("open", "high", "web")
    assert conversation.customer_id == "u20978392" and conversation.assignee_id == "u235323"
    assert conversation.queue_id == "98738" and conversation.tags == ["enterprise", "other_tag"]
    assert conversation.version == m.version_of("2011-05-05T10:38:52Z")


def test_the_version_is_updated_at_and_goes_back_as_the_safe_update_stamp():
    assert m.stamp_of(m.version_of("2011-05-05T10:38:52Z")) == "2011-05-05T10:38:52Z"


def test_unassigned_and_priority_free_tickets_parse():
    bare = {k: v for k, v in TICKET.items() if k not in ("assignee_id", "priority", "group_id")}
    conversation = parse_conversation("1", m.conversation_record(bare))
    assert conversation.assignee_id is None and conversation.priority == "normal" and conversation.queue_id is None


def test_deleted_merged_and_unreadable_tickets_are_no_conversation():
    assert m.conversation_record({**TICKET, "status": "deleted"}) is None
    assert m.conversation_record({**TICKET, "status": "closed", "tags": ["closed_by_merge"]}) is None
    assert m.conversation_record({**TICKET, "updated_at": None}) is None
    assert m.conversation_record({k: v for k, v in TICKET.items() if k != "requester_id"}) is None


def test_an_end_user_with_a_vip_tag_is_a_vip_customer():
    user = {"id": 5, "name": "王伟", "email": "w@example.com", "phone": "+86 139", "tags": ["VIP"],
            "organization_id": 9, "role": "end-user", "updated_at": "2024-01-01T00:00:00Z"}
    customer = parse_customer("u5", m.customer_record(user))
    assert customer.tier == "vip" and customer.emails == ["w@example.com"] and customer.phones == ["+86 139"]
    assert m.tier_of(["key_account"]) == "key_account" and m.tier_of([]) == "standard"


def test_public_comments_are_replies_private_ones_notes_and_staff_writes_out():
    staff = {7}
    reply = parse_message("1", m.message_record({"id": 1, "author_id": 5, "body": "退款", "public": True,
                                                  "created_at": "2024-01-01T00:00:00Z"}, "9", staff))
    note = parse_message("2", m.message_record({"id": 2, "author_id": 7, "body": "check", "public": False,
                                                 "created_at": "2024-01-01T00:00:00Z"}, "9", staff))
    assert (reply.kind, reply.direction, reply.author_id) == ("reply", "in", None)
    assert (note.kind, note.direction, note.author_id) == ("note", "out", "u7")


def test_macros_become_scripts_from_their_comment_and_field_only_macros_are_skipped():
    plain = m.script_record({"id": 1, "title": "Aftersales::Refund", "active": True,
                             "actions": [{"field": "comment_value", "value": "Hi {{ticket.requester.name}}"}]})
    html = m.script_record({"id": 2, "title": "售前::咨询", "active": True,
                            "actions": [{"field": "comment_value_html", "value": "<p>您好</p><p>再见</p>"}]})
    listed = m.script_record({"id": 3, "title": "List", "actions": [
        {"field": "comment_value", "value": ["channel:all", "text here"]}]})
    assert parse_script("m1", plain).body == "Hi {{customer.name}}" and plain["category"] == "aftersales"
    assert parse_script("m2", html).body == "您好\n再见" and html["language"] == "zh"
    assert listed["body"] == "text here"
    assert m.script_record({"id": 4, "title": "Close", "actions": [{"field": "status", "value": "closed"}]}) is None


def test_help_center_articles_become_faq_articles_and_drafts_do_not():
    article = {"id": 1, "title": "如何申请退款", "body": "<p>进入<b>我的订单</b></p>", "locale": "zh-cn",
               "html_url": "https://x.zendesk.com/hc/zh-cn/articles/1", "label_names": ["退款"], "draft": False}
    faq = parse_faq_article("a1", m.faq_record(article))
    assert faq.body == "进入我的订单" and faq.language == "zh" and faq.tags == ["退款"]
    assert m.faq_record({**article, "draft": True}) is None
    assert m.faq_record({**article, "html_url": "javascript:alert(1)"})["url"] == ""


def test_our_changes_in_zendesks_terms():
    assert _ticket_update({"status": "resolved", "priority": "urgent", "queue_id": "12", "assignee_id": "u7",
                           "tags": ["a"], "disposition": "done"}) == {
        "status": "solved", "priority": "urgent", "group_id": 12, "assignee_id": 7, "tags": ["a"]}
    assert _ticket_update({"assignee_id": None}) == {"assignee_id": None}
    with pytest.raises(Rejected):
        _ticket_update({"callback_at": "x"})
    with pytest.raises(Rejected):
        _ticket_update({"status": "limbo"})


def test_a_ticket_previews_its_newest_reply_in_the_batch_not_its_first_message():
    from agent_desktop.backends.zendesk import _preview_newest_reply
    changes = [
        {"entity": "conversation", "op": "upsert", "id": "7", "data": {"preview": "first message"}},
        {"entity": "message", "op": "upsert", "id": "1", "data": {"conversation_id": "7", "kind": "reply",
                                                                  "created_at": "2024-06-01T00:00:00Z", "body": "first message"}},
        {"entity": "message", "op": "upsert", "id": "2", "data": {"conversation_id": "7", "kind": "reply",
                                                                  "created_at": "2024-06-01T00:05:00Z", "body": "We shipped it today."}},
        {"entity": "message", "op": "upsert", "id": "3", "data": {"conversation_id": "7", "kind": "note",
                                                                  "created_at": "2024-06-01T00:09:00Z", "body": "internal"}},
        {"entity": "conversation", "op": "upsert", "id": "8", "data": {"preview": "untouched"}},
    ]
    _preview_newest_reply(changes)
    assert changes[0]["data"]["preview"] == "We shipped it today."   # a note is never the preview
    assert changes[-1]["data"]["preview"] == "untouched"
