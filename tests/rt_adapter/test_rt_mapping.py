"""Request Tracker's values in our terms and back (backends/rt_mapping.py), without a server."""

from __future__ import annotations

import pytest

from agent_desktop.backends import rt_mapping as m
from agent_desktop.backends.base import Rejected
from agent_desktop.backends.rt import _ticket_update
from agent_desktop.domain.records import parse_conversation, parse_customer, parse_message


@pytest.mark.parametrize("ours", ["new", "open", "pending", "resolved", "closed"])
def test_every_status_of_ours_goes_to_rt_and_comes_back_the_same(ours):
    assert m.STATUS_FROM_RT[m.STATUS_TO_RT[ours]] == ours


@pytest.mark.parametrize("ours", ["low", "normal", "high", "urgent"])
def test_every_priority_round_trips_through_rts_numbers(ours):
    assert m.priority_from_rt(m.PRIORITY_TO_RT[ours]) == ours


@pytest.mark.parametrize(("number", "band"), [(0, "low"), (19, "low"), (20, "normal"), (49, "normal"), (50, "high"),
                                              (80, "urgent"), (100, "urgent"), ("x", "normal"), (None, "normal")])
def test_rts_numeric_priorities_fall_in_four_bands(number, band):
    assert m.priority_from_rt(number) == band


def _user(uid, name, privileged, email=""):
    return {"type": "user", "id": str(uid), "Name": name, "RealName": name.title(), "Privileged": privileged,
            "EmailAddress": email}


def test_a_ticket_and_its_transactions_make_a_valid_conversation_and_messages():
    customer = _user(30, "li.na@example.com", 0, "li.na@example.com")
    staff = _user(12, "agent1", 1)
    ticket = {"id": "7", "Subject": "发票 invoice", "Status": "open", "Priority": 70, "Queue": {"id": "3"},
              "Owner": staff, "Requestor": [customer], "Created": "2026-12-01T08:00:00Z",
              "LastUpdated": "2026-12-01T09:00:00Z", "Due": "1970-01-01T00:00:00Z",
              "CustomFields": [{"name": "Channel", "values": ["chat"]}, {"name": "Tier", "values": ["VIP"]}]}
    txns = [{"id": "100", "Type": "Create", "ObjectId": "7", "Created": "2026-12-01T08:00:00Z", "Creator": customer},
            {"id": "101", "Type": "Correspond", "ObjectId": "7", "Created": "2026-12-01T08:10:00Z", "Creator": staff},
            {"id": "102", "Type": "Comment", "ObjectId": "7", "Created": "2026-12-01T08:20:00Z", "Creator": staff},
            {"id": "103", "Type": "Correspond", "ObjectId": "7", "Created": "2026-12-01T08:30:00Z", "Creator": customer},
            {"id": "104", "Type": "Status", "ObjectId": "7", "Created": "2026-12-01T09:00:00Z", "Creator": staff}]
    act = m.activity(txns, {"30"}, "7")
    assert (act.version, act.message_count, act.last_message_id) == (104, 4, "103")
    assert act.first_response_at == "2026-12-01T08:10:00Z"
    assert act.waiting_since == "2026-12-01T08:30:00Z"     # the customer wrote last
    conversation = parse_conversation("7", m.conversation_record(ticket, act, "preview"))
    assert (conversation.channel, conversation.status, conversation.priority) == ("chat", "open", "high")
    assert (conversation.customer_id, conversation.assignee_id, conversation.queue_id) == ("u30", "u12", "3")
    assert conversation.resolution_due is None and conversation.version == 104
    assert parse_customer("u30", m.customer_record(customer, "VIP")).tier == "vip"
    inbound = parse_message("103", m.message_record(txns[3], "7", "还没收到", {"30"}))
    note = parse_message("102", m.message_record(txns[2], "7", "internal", {"30"}))
    assert (inbound.direction, inbound.kind, inbound.author_id) == ("in", "reply", None)
    assert (note.direction, note.kind, note.author_id) == ("out", "note", "u12")


def test_a_staff_member_who_is_the_requestor_writes_as_the_customer():
    staff = _user(12, "agent1", 1)
    assert not m.is_staff(staff, {"12"})
    assert m.is_staff(staff, {"30"})


def test_nobody_as_owner_is_unassigned():
    ticket = {"id": "1", "Status": "new", "Owner": {"type": "user", "id": "6", "Name": "Nobody"}, "Requestor": []}
    data = m.conversation_record(ticket, m.TicketActivity(), "")
    assert data["assignee_id"] is None and data["channel"] == "email"


def test_an_html_only_message_is_shown_as_text_never_as_markup():
    body = m.body_of([{"ContentType": "text/html", "Content": "<p>Hello <img src='http://x/y.png'> &amp; bye</p>"}])
    assert "<" not in body and "Hello" in body and "&" in body


def test_our_fields_become_rts_and_what_rt_cannot_store_is_refused():
    assert _ticket_update({"status": "pending", "priority": "urgent", "assignee_id": "u12"}) == {
        "Status": "stalled", "Priority": 90, "Owner": "12"}
    assert _ticket_update({"assignee_id": None}) == {"Owner": "Nobody"}
    assert _ticket_update({"status": "resolved", "disposition": "solved"}) == {"Status": "resolved"}
    with pytest.raises(Rejected, match="tags"):
        _ticket_update({"tags": ["x"]})
