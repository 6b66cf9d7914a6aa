"""Wire validation: good records parse to clean values, each kind of malformed field is refused."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent_desktop.domain.records import (
    MAX_ID_LENGTH,
    InvalidRecord,
    _parse_message_checked,
    parse_agent,
    parse_conversation,
    parse_customer,
    parse_message,
    parse_queue,
)


def customer_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "王伟", "tier": "vip", "version": 3, "company": "华为技术",
        "phones": ["+86 13812345678"], "emails": ["wang.wei@example.com"], "handles": ["@wangwei"],
        "tags": ["vip", "回访"], "created_at": "2026-11-22T18:00:00+08:00",
    }
    data.update(overrides)
    return data


def conversation_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "chat", "status": "open", "priority": "high", "customer_id": "cu-1", "version": 7,
        "queue_id": "q-billing", "assignee_id": "ag-1", "subject": "退款 refund", "tags": ["billing"],
        "first_response_due": "2026-11-22T10:05:00Z", "resolution_due": "2026-11-22T18:00:00Z",
        "message_count": 4,
    }
    data.update(overrides)
    return data


def message_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "conversation_id": "cv-1", "kind": "note", "direction": "out", "author_id": "ag-1",
        "author_name": "Agent One", "body": "我想申请退款\nplease", "created_at": "2026-11-22T10:00:00Z",
        "version": 2, "idempotency_key": "k-1",
    }
    data.update(overrides)
    return data


# -- good data -------------------------------------------------------------------------------------

def test_customer_good_record_parses_every_field() -> None:
    customer = parse_customer("cu-1", customer_data())
    assert customer.id == "cu-1"
    assert customer.name == "王伟"
    assert customer.tier == "vip"
    assert customer.version == 3
    assert customer.company == "华为技术"
    assert customer.phones == ["+86 13812345678"]
    assert customer.emails == ["wang.wei@example.com"]
    assert customer.handles == ["@wangwei"]
    assert customer.tags == ["vip", "回访"]
    assert customer.created_at == "2026-11-22T10:00:00.000Z"  # +08:00 normalised to UTC
    assert customer.updated_at is None


def test_customer_defaults_when_optional_fields_absent() -> None:
    customer = parse_customer("cu-2", {"name": "Bob", "version": 0})
    assert customer.tier == "standard"
    assert customer.company == ""
    assert customer.phones == [] and customer.emails == [] and customer.tags == []


def test_conversation_good_record_parses() -> None:
    conv = parse_conversation("cv-1", conversation_data())
    assert (conv.channel, conv.status, conv.priority) == ("chat", "open", "high")
    assert conv.customer_id == "cu-1"
    assert conv.queue_id == "q-billing" and conv.assignee_id == "ag-1"
    assert conv.version == 7 and conv.message_count == 4
    assert conv.first_response_due == "2026-11-22T10:05:00.000Z"
    assert conv.resolution_due == "2026-11-22T18:00:00.000Z"
    assert conv.tags == ["billing"]


def test_conversation_priority_defaults_to_normal_and_optional_ids_to_none() -> None:
    data = conversation_data()
    for key in ("priority", "queue_id", "assignee_id"):
        del data[key]
    conv = parse_conversation("cv-1", data)
    assert conv.priority == "normal"
    assert conv.queue_id is None and conv.assignee_id is None


def test_conversation_numeric_ids_are_accepted_as_strings() -> None:
    conv = parse_conversation("cv-1", conversation_data(customer_id=42, queue_id=7))
    assert conv.customer_id == "42" and conv.queue_id == "7"


def test_conversation_preview_is_capped_at_300_characters() -> None:
    conv = parse_conversation("cv-1", conversation_data(preview="退" * 5000))
    assert conv.preview == "退" * 300


def test_message_good_record_parses() -> None:
    msg = parse_message("m-1", message_data())
    assert msg.conversation_id == "cv-1"
    assert (msg.kind, msg.direction) == ("note", "out")
    assert msg.body == "我想申请退款\nplease"
    assert msg.created_at == "2026-11-22T10:00:00.000Z"
    assert msg.version == 2 and msg.idempotency_key == "k-1"


def test_message_defaults() -> None:
    data = message_data()
    for key in ("kind", "version", "author_id", "author_name", "idempotency_key"):
        del data[key]
    msg = parse_message("m-1", data)
    assert msg.kind == "reply" and msg.version == 1
    assert msg.author_id is None and msg.author_name == "" and msg.idempotency_key is None


def test_queue_and_agent_good_records() -> None:
    queue = parse_queue("q-1", {"name": "账单", "name_en": "Billing", "version": 1})
    assert (queue.name, queue.name_en) == ("账单", "Billing")
    agent = parse_agent("ag-1", {"username": "agent1", "name": "Agent One", "role": "lead", "version": 1,
                                 "queue_ids": ["q-1"]})
    assert agent.role == "lead" and agent.queue_ids == ["q-1"] and agent.state == "offline"


# -- timestamps ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("wire", "canonical"), [
    ("2026-11-22T10:00:00Z", "2026-11-22T10:00:00.000Z"),
    ("2026-11-22T10:00:00z", "2026-11-22T10:00:00.000Z"),
    ("2026-11-22T18:30:00+08:00", "2026-11-22T10:30:00.000Z"),
    ("2026-11-22T05:00:00-05:00", "2026-11-22T10:00:00.000Z"),
    ("2026-11-22T10:00:00", "2026-11-22T10:00:00.000Z"),            # naive is UTC
    ("2026-11-22T10:00:00.123456Z", "2026-11-22T10:00:00.123Z"),     # milliseconds
    ("2026-11-23T00:30:00+01:00", "2026-11-22T23:30:00.000Z"),       # crosses midnight
])
def test_timestamps_are_normalised_to_utc_milliseconds(wire: str, canonical: str) -> None:
    assert parse_message("m-1", message_data(created_at=wire)).created_at == canonical
    assert parse_conversation("cv-1", conversation_data(resolution_due=wire)).resolution_due == canonical


# -- malformed fields ------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value"), [
    ("channel", "fax"), ("channel", "PHONE"), ("channel", None), ("channel", 1),
    ("status", "archived"), ("status", "Open"),
    ("priority", "critical"),
])
def test_conversation_wrong_enum_is_invalid(field: str, value: Any) -> None:
    with pytest.raises(InvalidRecord, match=field):
        parse_conversation("cv-1", conversation_data(**{field: value}))


def test_customer_wrong_tier_and_message_wrong_kind_direction_are_invalid() -> None:
    with pytest.raises(InvalidRecord, match="tier"):
        parse_customer("cu-1", customer_data(tier="gold"))
    with pytest.raises(InvalidRecord, match="kind"):
        parse_message("m-1", message_data(kind="email"))
    with pytest.raises(InvalidRecord, match="direction"):
        parse_message("m-1", message_data(direction="inbound"))
    with pytest.raises(InvalidRecord, match="role"):
        parse_agent("ag-1", {"username": "a", "name": "A", "role": "admin", "version": 1})


@pytest.mark.parametrize(("parser", "make", "field", "value"), [
    (parse_customer, customer_data, "name", 123),
    (parse_customer, customer_data, "name", ["王伟"]),
    (parse_customer, customer_data, "company", {"n": 1}),
    (parse_conversation, conversation_data, "subject", 5),
    (parse_conversation, conversation_data, "customer_id", ["cu-1"]),
    (parse_conversation, conversation_data, "customer_id", True),
    (parse_message, message_data, "body", 42),
    (parse_message, message_data, "body", b"bytes"),
    (parse_message, message_data, "author_name", 1.5),
])
def test_wrong_type_is_invalid(parser: Any, make: Any, field: str, value: Any) -> None:
    with pytest.raises(InvalidRecord, match=field):
        parser("x-1", make(**{field: value}))


@pytest.mark.parametrize("value", ["7", 7.0, -1, True, None, [7]])
def test_bad_version_is_invalid(value: Any) -> None:
    with pytest.raises(InvalidRecord, match="version"):
        parse_conversation("cv-1", conversation_data(version=value))
    with pytest.raises(InvalidRecord, match="version"):
        parse_customer("cu-1", customer_data(version=value))


@pytest.mark.parametrize("value", [-1, "3", 2.0, True])
def test_bad_message_count_is_invalid(value: Any) -> None:
    with pytest.raises(InvalidRecord, match="message_count"):
        parse_conversation("cv-1", conversation_data(message_count=value))


@pytest.mark.parametrize(("parser", "data", "field"), [
    (parse_conversation, conversation_data(customer_id=None), "customer_id"),
    (parse_conversation, conversation_data(customer_id=""), "customer_id"),
    (parse_conversation, conversation_data(customer_id="   "), "customer_id"),
    (parse_message, message_data(conversation_id=None), "conversation_id"),
    (parse_message, message_data(conversation_id=""), "conversation_id"),
    (parse_customer, customer_data(name=None), "name"),
    (parse_message, message_data(body=None), "body"),
    (parse_message, message_data(created_at=None), "created_at"),
])
def test_missing_required_field_is_invalid(parser: Any, data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRecord, match=field):
        parser("x-1", data)


def test_missing_customer_id_key_entirely_is_invalid() -> None:
    data = conversation_data()
    del data["customer_id"]
    with pytest.raises(InvalidRecord, match="customer_id"):
        parse_conversation("cv-1", data)


@pytest.mark.parametrize("value", [
    "yesterday", "2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-22T25:00:00Z",
    "2026-11-22T10:00:00+25:00", "", 1700000000, 1.5, ["2026-11-22"], {"t": 1},
])
def test_bad_timestamp_is_invalid(value: Any) -> None:
    with pytest.raises(InvalidRecord, match="created_at"):
        parse_message("m-1", message_data(created_at=value))
    with pytest.raises(InvalidRecord, match="resolution_due"):
        parse_conversation("cv-1", conversation_data(resolution_due=value))


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_out_of_range_timestamp_is_invalid_record(value: str) -> None:
    with pytest.raises(InvalidRecord, match="created_at"):
        parse_message("m-1", message_data(created_at=value))


def test_id_length_limit() -> None:
    ok = "c" * MAX_ID_LENGTH
    assert parse_conversation("cv-1", conversation_data(customer_id=ok)).customer_id == ok
    with pytest.raises(InvalidRecord, match="customer_id"):
        parse_conversation("cv-1", conversation_data(customer_id="c" * (MAX_ID_LENGTH + 1)))
    with pytest.raises(InvalidRecord, match="conversation_id"):
        parse_message("m-1", message_data(conversation_id="c" * (MAX_ID_LENGTH + 1)))
    with pytest.raises(InvalidRecord, match="idempotency_key"):
        parse_message("m-1", message_data(idempotency_key="k" * (MAX_ID_LENGTH + 1)))


def test_text_length_limits() -> None:
    with pytest.raises(InvalidRecord, match="name"):
        parse_customer("cu-1", customer_data(name="x" * 201))
    assert parse_customer("cu-1", customer_data(name="x" * 200)).name == "x" * 200
    with pytest.raises(InvalidRecord, match="subject"):
        parse_conversation("cv-1", conversation_data(subject="s" * 1001))


@pytest.mark.parametrize("value", ["vip", "vip,回访", {"a": 1}, 5, [1, 2], ["ok", None], [["nested"]]])
def test_non_list_or_non_string_tags_are_invalid(value: Any) -> None:
    with pytest.raises(InvalidRecord, match="tags"):
        parse_customer("cu-1", customer_data(tags=value))
    with pytest.raises(InvalidRecord, match="tags"):
        parse_conversation("cv-1", conversation_data(tags=value))


@pytest.mark.parametrize("value", ["", 0, False, {}])
def test_falsy_non_list_tags_are_invalid(value: Any) -> None:
    with pytest.raises(InvalidRecord, match="tags"):
        parse_customer("cu-1", customer_data(tags=value))


def test_too_many_tags_is_invalid_and_long_tags_are_capped() -> None:
    with pytest.raises(InvalidRecord, match="tags"):
        parse_customer("cu-1", customer_data(tags=[f"t{i}" for i in range(51)]))
    assert parse_customer("cu-1", customer_data(tags=["t" * 500])).tags == ["t" * 200]


@pytest.mark.parametrize("data", [None, [], "a string", 5, ["name", "x"]])
def test_data_that_is_not_an_object_is_invalid(data: Any) -> None:
    for parser in (parse_customer, parse_conversation, parse_message, parse_queue, parse_agent):
        with pytest.raises(InvalidRecord, match="object"):
            parser("x-1", data)


def test_invalid_record_is_a_value_error_naming_the_field() -> None:
    with pytest.raises(ValueError, match="'channel' must be one of phone, chat, email, web, social"):
        parse_conversation("cv-1", conversation_data(channel="fax"))


# -- the fast path of parse_message agrees with the field-by-field checks ------------------------------
_odd_text = st.one_of(st.none(), st.text(max_size=8), st.just(""), st.just("  "), st.just("a\ud800b"),
                      st.just("x" * 200), st.just("x" * 129), st.integers(-3, 3), st.booleans(), st.floats(),
                      st.lists(st.text(max_size=2), max_size=2))
_message_data = st.fixed_dictionaries(
    {"conversation_id": st.one_of(st.just("cv-1"), _odd_text),
     "direction": st.one_of(st.sampled_from(["in", "out"]), _odd_text),
     "body": st.one_of(st.just("退款 refund"), _odd_text)},
    optional={"kind": st.one_of(st.sampled_from(["reply", "note", "chat"]), _odd_text),
              "version": st.one_of(st.integers(-1, 5), _odd_text),
              "author_id": _odd_text, "author_name": _odd_text, "idempotency_key": _odd_text,
              "created_at": st.one_of(st.just("2026-11-22T10:00:00.000Z"), st.just("2026-11-22T18:00:00+08:00"),
                                      st.just("2026-13-01T00:00:00.000Z"), _odd_text)})


def _outcome(parse, data):  # type: ignore[no-untyped-def]
    try:
        return parse("m-1", data)
    except InvalidRecord:
        return "invalid"


@settings(max_examples=1500, deadline=None)
@given(_message_data)
def test_fast_message_validation_accepts_and_refuses_exactly_what_the_field_checks_do(data):
    assert _outcome(parse_message, data) == _outcome(_parse_message_checked, data)
