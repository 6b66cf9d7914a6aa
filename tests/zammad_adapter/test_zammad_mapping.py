"""Zammad's values in our terms and back (backends/zammad_mapping.py), without a server."""

from __future__ import annotations

import pytest

from agent_desktop.backends import zammad_mapping as m
from agent_desktop.domain.knowledge import parse_faq_article, parse_script
from agent_desktop.domain.records import parse_conversation, parse_customer, parse_message
from agent_desktop.domain.scripts import render

STATE_ROWS = [  # Zammad's seeded states (db/seeds/ticket_states.rb), as /ticket_states?expand=true gives them
    {"id": 1, "name": "new", "state_type": "new"}, {"id": 2, "name": "open", "state_type": "open"},
    {"id": 3, "name": "pending reminder", "state_type": "pending reminder"},
    {"id": 4, "name": "closed", "state_type": "closed"}, {"id": 5, "name": "merged", "state_type": "merged"},
    {"id": 6, "name": "removed", "state_type": "removed", "active": False},
    {"id": 7, "name": "pending close", "state_type": "pending action"}]
DEFAULT_PRIORITIES = [{"id": 1, "name": "1 low"}, {"id": 2, "name": "2 normal", "default_create": True},
                      {"id": 3, "name": "3 high"}]
STAMP = "2026-03-02T08:00:00.000Z"


def vocabulary(priorities=DEFAULT_PRIORITIES) -> m.Vocabulary:
    return m.Vocabulary.read(STATE_ROWS, priorities)


@pytest.mark.parametrize("ours", ["new", "open", "pending", "resolved", "closed"])
def test_every_status_of_ours_goes_to_a_zammad_state_and_comes_back_the_same(ours):
    v = vocabulary()
    assert v.status_of({"state_id": v.state_for(ours)}) == ours


@pytest.mark.parametrize(("state_id", "ours"), [(1, "new"), (2, "open"), (3, "pending"), (7, "resolved"),
                                                (4, "closed"), (5, None), (6, None)])
def test_zammads_states_are_read_by_their_state_type_and_merged_or_removed_are_gone(state_id, ours):
    assert vocabulary().status_of({"state_id": state_id}) == ours


def test_a_renamed_state_still_means_what_its_type_says():
    v = m.Vocabulary.read([{"id": 9, "name": "Warten auf Kunde", "state_type": "pending reminder"}], [])
    assert v.status_of({"state_id": 9}) == "pending" and v.state_for("pending") == 9


@pytest.mark.parametrize("ours", ["low", "normal", "high"])
def test_the_three_default_priorities_round_trip(ours):
    v = vocabulary()
    assert v.priority_of({"priority_id": v.priority_for(ours)}) == ours


def test_urgent_goes_to_3_high_when_zammad_has_no_urgent_priority():
    v = vocabulary()
    assert v.priority_for("urgent") == 3
    assert v.priority_of({"priority_id": 3}) == "high"


def test_an_urgent_priority_an_admin_added_round_trips():
    v = vocabulary([*DEFAULT_PRIORITIES, {"id": 4, "name": "4 urgent"}])
    assert v.priority_for("urgent") == 4 and v.priority_of({"priority_id": 4}) == "urgent"


@pytest.mark.parametrize(("name", "ours"), [("1 low", "low"), ("2 normal", "normal"), ("3 high", "high"),
                                            ("4 urgent", "urgent"), ("5 critical", "urgent"), ("7", "urgent"),
                                            ("niedrig", "normal"), ("", "normal")])
def test_priority_names_are_read_by_word_then_number(name, ours):
    assert m.priority_from_name(name) == ours


def _article(aid, sender, body, *, internal=False, kind="email", at=STAMP, by=7, html=False):
    return {"id": aid, "ticket_id": 5, "sender": sender, "type": kind, "internal": internal, "body": body,
            "content_type": "text/html" if html else "text/plain", "created_at": at, "updated_at": at,
            "created_by_id": by, "from": "王伟" if sender == "Customer" else "Li Ming"}


def test_a_ticket_and_its_articles_make_a_valid_conversation_and_messages():
    ticket = {"id": 5, "title": "发票 invoice", "state_id": 2, "priority_id": 3, "group_id": 2, "owner_id": 1,
              "customer_id": 30, "created_at": STAMP, "updated_at": "2026-03-02T09:00:00.123Z",
              "create_article_type": "phone", "first_response_escalation_at": "2026-03-02T10:00:00.000Z"}
    articles = [_article(1, "Customer", "我要开发票", kind="phone", by=30),
                _article(2, "Agent", "<p>好的</p>", at="2026-03-02T08:10:00.000Z", html=True),
                _article(3, "Agent", "checked", internal=True, kind="note", at="2026-03-02T08:20:00.000Z"),
                _article(4, "System", "escalated", internal=True, kind="note", at="2026-03-02T08:25:00.000Z", by=1),
                _article(5, "Customer", "thanks, still waiting", at="2026-03-02T08:30:00.000Z", by=30)]
    data = m.conversation_record(ticket, articles, ["退款"], vocabulary())
    conversation = parse_conversation("5", data)
    assert (conversation.channel, conversation.status, conversation.priority) == ("phone", "open", "high")
    assert conversation.assignee_id is None                    # owner 1 is Zammad's "-": unassigned
    assert (conversation.customer_id, conversation.queue_id) == ("u30", "2")
    assert conversation.message_count == 4                     # the System notice is not a message
    assert conversation.preview == "thanks, still waiting"
    assert conversation.waiting_since == "2026-03-02T08:30:00.000Z"
    assert conversation.first_response_at == "2026-03-02T08:10:00.000Z"
    assert conversation.tags == ["退款"] and conversation.version == m.version_of(ticket["updated_at"])
    reply = parse_message("2", m.message_record(articles[1], "5"))
    note = parse_message("3", m.message_record(articles[2], "5"))
    customer = parse_message("1", m.message_record(articles[0], "5"))
    assert (reply.kind, reply.direction, reply.body, reply.author_id) == ("reply", "out", "好的", "u7")
    assert (note.kind, note.direction) == ("note", "out")
    assert (customer.direction, customer.author_id) == ("in", None)
    assert not m.is_shown(articles[3])


def test_a_users_vip_flag_or_their_organisations_makes_them_a_vip_customer():
    user = {"id": 30, "firstname": "伟", "lastname": "王", "email": "w@example.cn", "phone": "+86 10 1",
            "mobile": "+86 139 1", "vip": False, "organization": "华东贸易", "updated_at": STAMP}
    plain = parse_customer("u30", m.customer_record(user))
    assert (plain.name, plain.tier, plain.company) == ("王伟", "standard", "华东贸易")
    assert plain.phones == ["+86 10 1", "+86 139 1"] and plain.emails == ["w@example.cn"]
    assert parse_customer("u30", m.customer_record({**user, "vip": True})).tier == "vip"
    assert parse_customer("u30", m.customer_record(user, {"name": "x", "vip": True})).tier == "vip"
    english = m.customer_record({**user, "firstname": "Alice", "lastname": "Smith"})
    assert english["name"] == "Alice Smith"


@pytest.mark.parametrize(("theirs", "ours"), [
    ("#{ticket.customer.firstname} 您好", "{{customer.name}} 您好"),
    ("Dear #{ticket.customer.fullname}", "Dear {{customer.name}}"),
    ("#{user.firstname}", "{{agent.name}}"),
    ("#{ticket.group.name} / #{ticket.title}", "{{queue.name}} / {{conversation.subject}}"),
    ("#{ticket.organization.name}", "{{customer.company}}"),
    ("ticket #{ticket.number}", "ticket {{ticket.number}}"),     # no value of ours: the agent fills it
])
def test_zammads_variables_become_ours(theirs, ours):
    assert m.variables_from_zammad(theirs) == ours


def test_our_variables_go_back_to_zammads():
    assert m.variables_to_zammad("{{customer.name}}, {{agent.name}}") == "#{ticket.customer.fullname}, #{user.fullname}"
    assert m.variables_from_zammad(m.variables_to_zammad("{{queue.name}}")) == "{{queue.name}}"


def test_a_text_module_is_a_shared_script_that_renders_and_leaves_the_ticket_number_for_the_agent():
    module = {"id": 2, "name": "Refund", "keywords": "refund, money", "active": True, "updated_at": STAMP,
              "content": "Dear #{ticket.customer.fullname},<br><br>ticket #{ticket.number}.<br>#{user.fullname}"}
    script = parse_script("tm2", m.script_record(module))
    assert (script.title, script.shortcut, script.language, script.scope) == ("Refund", "refund", "en", "shared")
    assert script.body == "Dear {{customer.name}},\n\nticket {{ticket.number}}.\n{{agent.name}}"
    rendered = render(script.body, {"customer.name": "王伟", "agent.name": "李明"})
    assert rendered.text.startswith("Dear 王伟,") and not rendered.complete   # {{ticket.number}} left to fill
    assert m.script_record({**module, "active": False}) is None
    assert parse_script("tm3", m.script_record({**module, "name": "问候", "content": "您好"})).language == "zh"


def test_knowledge_base_answers_become_faq_articles_and_drafts_and_archived_ones_do_not():
    assets = {
        "KnowledgeBaseCategory": {"1": {"id": 1, "knowledge_base_id": 1}},
        "KnowledgeBaseCategoryTranslation": {"1": {"id": 1, "title": "退换货", "category_id": 1}},
        "KnowledgeBaseLocale": {"1": {"id": 1, "system_locale_id": 10}},
        "Locale": {"10": {"id": 10, "locale": "zh-cn"}},
        "KnowledgeBaseAnswer": {"1": {"id": 1, "category_id": 1, "published_at": STAMP, "archived_at": None,
                                      "updated_at": STAMP, "tags": ["faq"]},
                                "2": {"id": 2, "category_id": 1, "published_at": None, "internal_at": None,
                                      "archived_at": None, "updated_at": STAMP},
                                "3": {"id": 3, "category_id": 1, "published_at": STAMP, "archived_at": STAMP,
                                      "updated_at": STAMP}},
        "KnowledgeBaseAnswerTranslation": {
            str(i): {"id": i, "answer_id": i, "title": f"答案 {i}", "kb_locale_id": 1, "content_id": 100 + i,
                     "updated_at": STAMP} for i in (1, 2, 3)},
        "KnowledgeBaseAnswerTranslationContent": {"101": {"id": 101, "body": "<p>点击 <b>退款</b></p>"}},
    }
    found = m.faq_records(assets, "https://zammad.example.com")
    assert list(found) == ["kb1"]
    article = parse_faq_article("kb1", found["kb1"])
    assert (article.title, article.body, article.language) == ("答案 1", "点击 退款", "zh")
    assert article.tags == ["退换货", "faq"]
    assert article.url == "https://zammad.example.com/#knowledge_base/1/locale/zh-cn/answer/1"


def test_html_bodies_are_text_never_markup():
    assert m.html_to_text("<div>a<br>b</div><p>c &amp; d</p><img src='http://x/y.png'>") == "a\nb\nc & d"


def test_an_unreadable_time_is_a_bad_record():
    with pytest.raises(m.BadRecord):
        m.version_of("yesterday")
    with pytest.raises(m.BadRecord):
        m.version_of(None)


def test_a_chinese_author_is_named_family_name_first_as_the_user_record_is():
    from agent_desktop.backends import zammad_mapping as m
    article = {"id": 1, "sender": "Agent", "internal": False, "from": "明 李", "body": "好的",
               "content_type": "text/plain", "created_at": "2026-03-04T09:21:00.000Z",
               "updated_at": "2026-03-04T09:21:00.000Z", "created_by_id": 3, "type": "web"}
    assert m.message_record(article, "7")["author_name"] == m.full_name({"firstname": "明", "lastname": "李"}) == "李明"
    article["from"] = "Jack Brown"
    assert m.message_record(article, "7")["author_name"] == "Jack Brown"
