"""Variables with fallbacks, unfilled placeholders, guided-script graphs, keywords and highlights."""

from __future__ import annotations

import pytest

from agent_desktop.domain.knowledge import keywords, match_spans, parse_script
from agent_desktop.domain.records import InvalidRecord
from agent_desktop.domain.scripts import (
    InvalidGuide,
    back,
    choose,
    context_from_header,
    next_placeholder,
    parse_guide,
    render,
    run_note,
    start_run,
    unfilled_placeholders,
)

HEADER = {"id": "c-42", "customer_name": "王芳", "customer_tier": "vip", "queue_name": "售后服务",
          "queue_name_en": "After-sales", "subject": "退款", "sla_due": "2026-11-23T08:30:00.000Z"}
AGENT = {"id": "a-1", "name": "陈静"}


def test_known_variables_are_filled():
    context = context_from_header(HEADER, AGENT, "zh")
    rendered = render("{{customer.name}}您好，我是{{agent.name}}，会话 {{conversation.id}}，{{queue.name}}，{{customer.tier}}", context)
    assert rendered.text == "王芳您好，我是陈静，会话 c-42，售后服务，VIP 客户"
    assert rendered.complete


def test_english_context_uses_english_queue_and_tier_names():
    context = context_from_header(HEADER, AGENT, "en")
    assert render("{{queue.name}} / {{customer.tier}}", context).text == "After-sales / VIP"
    assert context["sla.due"]  # a formatted local time, not the raw ISO string
    assert "T08:30" not in context["sla.due"]


def test_fallback_is_used_when_the_value_is_missing():
    context = context_from_header({**HEADER, "customer_name": ""}, AGENT, "zh")
    rendered = render("{{customer.name | 您}}好", context)
    assert rendered.text == "您好" and rendered.complete
    # With a value the fallback is ignored.
    assert render("{{ customer.name | 您 }}好", context_from_header(HEADER, AGENT)).text == "王芳好"


def test_missing_value_without_fallback_stays_a_highlighted_placeholder():
    rendered = render("订单 {{订单号}} 已退款给 {{customer.name}}", context_from_header(None, AGENT))
    assert rendered.text == "订单 {{订单号}} 已退款给 {{customer.name}}"
    assert [rendered.text[a:b] for a, b in rendered.unfilled] == ["{{订单号}}", "{{customer.name}}"]
    assert not rendered.complete


def test_no_deadline_sort_key_is_not_rendered_as_a_date():
    context = context_from_header({**HEADER, "sla_due": "9999"}, AGENT)
    assert render("{{sla.due | 24小时内}}", context).text == "24小时内"


def test_unfilled_detection_and_next_placeholder_wraps():
    text = "a {{x}} b {{y}}"
    assert unfilled_placeholders(text) == [(2, 7), (10, 15)]
    assert next_placeholder(text, 8) == (10, 15)
    assert next_placeholder(text, 15) == (2, 7)
    assert unfilled_placeholders("no braces { here }") == []


STEPS = [
    {"id": "greet", "title": "问候", "prompt": "您好", "choices": [{"label": "继续", "next": "verify"}]},
    {"id": "verify", "title": "核实", "prompt": "订单号？", "ask": "订单号",
     "choices": [{"label": "通过", "next": "solve"}, {"label": "失败", "next": "close"}]},
    {"id": "solve", "title": "方案", "prompt": "退款", "choices": [{"label": "同意", "next": "close"},
                                                                 {"label": "再问", "next": "verify"}]},
    {"id": "close", "title": "结束", "prompt": "再见"},
]


def test_guide_branching_records_path_answers_and_note():
    guide = parse_guide("greet", STEPS)
    run = start_run("g1", guide)
    run = choose(run, guide, 0)
    run = choose(run, guide, 0, "  2026001 ")
    assert run.current == "solve"
    run = back(run)
    assert run.current == "verify" and len(run.path) == 1
    run = choose(run, guide, 1, "查不到")
    assert run.current == "close"
    run = choose(run, guide, 0)
    assert run.finished
    note = run_note("退款引导", guide, run)
    assert note.splitlines() == ["【引导话术】退款引导", "1. 问候 → 继续", "2. 核实 → 失败；记录：查不到", "3. 结束"]
    with pytest.raises(ValueError):
        choose(run, guide, 0)


def test_unfinished_run_note_says_where_it_stopped():
    guide = parse_guide("greet", STEPS)
    run = choose(start_run("g1", guide), guide, 0)
    assert "stopped at: 核实" in run_note("Refund", guide, run, language="en")


@pytest.mark.parametrize("start, steps, message", [
    ("nowhere", STEPS, "start step"),
    ("greet", [*STEPS[:3], {"id": "close", "title": "x", "prompt": "y", "choices": [{"label": "z", "next": "gone"}]}],
     "unknown step"),
    ("greet", [*STEPS, {"id": "orphan", "title": "o", "prompt": "p"}], "never reached"),
    ("a", [{"id": "a", "prompt": "p", "choices": [{"label": "x", "next": "b"}]},
           {"id": "b", "prompt": "q", "choices": [{"label": "y", "next": "a"}]}], "never end"),
    ("greet", [STEPS[0], STEPS[0]], "used twice"),
])
def test_invalid_guides_are_refused_with_a_reason(start, steps, message):
    with pytest.raises(InvalidGuide, match=message):
        parse_guide(start, steps)


def test_parse_script_validates_guided_steps_and_personal_owner():
    with pytest.raises(InvalidRecord, match="steps"):
        parse_script("g", {"title": "t", "kind": "guided", "start": "x", "steps": STEPS, "version": 1})
    with pytest.raises(InvalidRecord, match="owner_id"):
        parse_script("p", {"title": "t", "body": "b", "scope": "personal", "version": 1})
    with pytest.raises(InvalidRecord, match="shortcut"):
        parse_script("p", {"title": "t", "body": "b", "shortcut": "a b", "version": 1})
    script = parse_script("s", {"title": "t", "body": "b", "shortcut": "/thanks", "version": 3})
    assert script.shortcut == "thanks" and script.version == 3


def test_keywords_pair_chinese_and_drop_stop_words():
    terms = keywords("你好，请问扫地机器人 X10 怎么退款? Thanks, my refund is late")
    assert {"扫地", "机器", "退款", "x10", "refund", "late"} <= set(terms)
    assert not {"你好", "请问", "thanks", "my", "is"} & set(terms)


def test_match_spans_for_highlighting():
    text = "退款到账时间：Refunds take 3 days"
    spans = match_spans(text, "退款 refund")
    assert [text[a:b] for a, b in spans] == ["退款", "Refund"]
    assert match_spans("prefund", "refund") == []   # only at the start of a word
