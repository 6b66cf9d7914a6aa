"""The Zammad adapter against the stateful fake of Zammad's REST API v1 (tests/vendors/zammad_fake.py).

There is no Prism here (Zammad publishes no OpenAPI document): each test ends by asserting that the
fake saw only documented endpoints and no request Zammad would refuse.
"""

from __future__ import annotations

import json
import logging

import pytest

from agent_desktop.backends.base import (
    Capability,
    CursorExpired,
    PermissionDenied,
    ServerBusy,
    Unsupported,
    VersionConflict,
    capabilities_of,
)
from agent_desktop.backends.protocols import Surveys, require
from agent_desktop.backends.registry import make_backend
from agent_desktop.backends.zammad import ZammadBackend
from agent_desktop.services.connection_check import VerdictCode, check_connection
from tests.contract.zammad_helpdesk import ZammadHelpdesk
from tests.vendors.zammad_fake import ZammadFake


@pytest.fixture
def fake():
    server = ZammadFake(tickets=30).start()
    yield server
    helpdesk = ZammadHelpdesk(server)
    helpdesk.check_contract()   # only documented endpoints, nothing Zammad would refuse
    server.stop()


@pytest.fixture
def backend(fake) -> ZammadBackend:
    found = make_backend(fake.url, "zammad")
    found.sign_in(fake.agent_login, fake.agent_token)
    return found


def drain(backend, cursor=None, limit=100):
    changes = []
    while True:
        batch = backend.changes(cursor, limit)
        changes.extend(batch.changes)
        cursor = batch.cursor
        if not batch.has_more:
            return changes, cursor


def of(changes, entity, op="upsert"):
    return {c["id"]: c.get("data") for c in changes if c["entity"] == entity and c["op"] == op}


def test_a_token_signs_in_with_zammads_token_header_and_a_password_with_basic_auth(fake):
    backend = make_backend(fake.url, "zammad")
    assert backend.sign_in("agent1", fake.agent_token).agent["name"] == "李明"
    assert backend.http.authorization == f"Token token={fake.agent_token}"
    other = make_backend(fake.url, "zammad")
    other.sign_in("agent1", fake.agent_password)
    assert other.http.authorization.startswith("Basic ")


def test_the_connection_check_says_ok_for_good_credentials_and_which_fault_for_bad_ones(fake):
    assert check_connection("zammad", fake.url, "agent1", fake.agent_token).ok
    assert check_connection("zammad", fake.url, "agent1", fake.agent_password).ok
    wrong = check_connection("zammad", fake.url, "agent1", "wrong-password")
    assert wrong.code == VerdictCode.BAD_CREDENTIALS and "wrong-password" not in wrong.detail
    assert check_connection("zammad", fake.url, "agent1", "f" * 64).code == VerdictCode.BAD_CREDENTIALS


def test_a_customer_account_is_refused_as_not_an_agent(fake):
    with fake.lock:
        customer = next(u for u in fake.users.values() if u["roles"] == ["Customer"] and u["active"])
        customer["_password"] = "customer-pass"
    verdict = check_connection("zammad", fake.url, customer["login"], "customer-pass")
    assert verdict.code == VerdictCode.NO_PERMISSION and "agent" in verdict.detail


def test_the_first_sync_brings_every_entity_and_an_idle_pull_brings_nothing(backend, fake):
    changes, cursor = drain(backend)
    assert len(of(changes, "conversation")) == fake.visible_total() == 30
    assert {"queue", "agent", "customer", "message", "script", "faq_article"} <= {c["entity"] for c in changes}
    scripts = of(changes, "script")
    assert len(scripts) == 5 and all("#{" not in s["body"] for s in scripts.values())   # the inactive one is left out
    assert len(of(changes, "faq_article")) == 4      # published and internal answers; not the archived one
    assert len(cursor) < 2000 and fake.agent_token not in cursor
    again, _ = drain(backend, cursor)
    assert not [c for c in again if c["entity"] in ("conversation", "message")]


def test_a_colleagues_change_a_customers_message_a_deletion_and_a_merge_arrive_with_the_next_pull(backend, fake):
    _, cursor = drain(backend)
    target, source, doomed = fake.new_ticket("第一次联系"), fake.new_ticket("duplicate"), fake.new_ticket("spam")
    _, cursor = drain(backend, cursor)
    fake.customer_writes(target, "还在等回复")
    fake.colleague_sets(target, priority_id=4)
    fake.delete(doomed)
    fake.merge(source, target)
    changes, _ = drain(backend, cursor)
    assert of(changes, "conversation")[str(target)]["priority"] == "urgent"
    assert "还在等回复" in [m["body"] for m in of(changes, "message").values()]
    deleted = of(changes, "conversation", "delete")
    assert {str(doomed), str(source)} <= set(deleted)
    moved = [m for m in of(changes, "message").values() if m["body"] == "duplicate"]
    assert moved and moved[0]["conversation_id"] == str(target)
    order = [(c["op"], c["id"]) for c in changes if c["entity"] == "conversation"]
    assert order.index(("delete", str(source))) < order.index(("upsert", str(target)))


def test_rate_limiting_is_busy_with_the_proxys_retry_after_or_our_backoff(backend, fake):
    fake.rate_limit(1, "7")
    with pytest.raises(ServerBusy) as busy:
        backend.changes(None)
    assert busy.value.retry_after == 7.0
    fake.rate_limit(1, None)
    with pytest.raises(ServerBusy) as busy:
        backend.changes(None)
    assert busy.value.retry_after is None
    assert backend.changes(None).cursor   # and then it goes on


def test_a_malformed_ticket_is_skipped_and_logged_and_the_rest_of_the_page_lands(backend, fake, caplog):
    fake.break_ticket(3, updated_at="not a time", group_id={"odd": 1})
    with caplog.at_level(logging.WARNING, logger="agent_desktop.backends.zammad"):
        changes, _ = drain(backend)
    conversations = of(changes, "conversation")
    assert "3" not in conversations and len(conversations) == 29
    assert any("ticket 3" in r.getMessage() for r in caplog.records)


def test_a_cursor_from_elsewhere_expires(backend):
    with pytest.raises(CursorExpired):
        backend.changes(json.dumps({"v": 99}))
    with pytest.raises(CursorExpired):
        backend.changes("not json")


def test_a_reply_on_an_email_ticket_is_an_email_to_the_customer_and_a_note_is_internal(backend, fake):
    tid = fake.new_ticket("请开发票")
    reply = backend.post_message(str(tid), "reply", "已开具", "k-1")
    note = backend.post_message(str(tid), "note", "内部：已核实", "k-2")
    with fake.lock:
        sent = fake.articles[int(reply["id"])]
        kept = fake.articles[int(note["id"])]
        customer = fake.users[fake.tickets[tid]["customer_id"]]
    assert (sent["type_id"], sent["internal"], sent["to"]) == (1, False, customer["email"])
    assert (kept["type_id"], kept["internal"]) == (10, True)
    assert reply["direction"] == "out" and reply["idempotency_key"] == "k-1" and note["kind"] == "note"


def test_a_resend_adopts_the_earlier_article_and_a_first_attempt_never_looks(backend, fake):
    tid = str(fake.new_ticket("hello"))
    first = backend.post_message(tid, "reply", "Thank you!", "k-1")
    again = backend.post_message(tid, "reply", "Thank you!", "k-1", resend_since=first["created_at"])
    assert again["id"] == first["id"]
    backend.post_message(tid, "reply", "Thank you!", "k-2")
    assert fake.bodies(int(tid)).count("Thank you!") == 2


def test_a_change_on_a_ticket_that_moved_meanwhile_is_a_conflict_with_the_current_state(backend, fake):
    tid = str(fake.new_ticket("conflict"))
    current = backend.patch_conversation(tid, {"status": "open"}, None)
    fake.colleague_sets(int(tid), priority_id=3)
    with pytest.raises(VersionConflict) as conflict:
        backend.patch_conversation(tid, {"status": "pending"}, current["version"])
    assert conflict.value.current["priority"] == "high" and conflict.value.current["status"] == "open"
    done = backend.patch_conversation(tid, {"status": "pending", "tags": ["退款", "vip"]},
                                      conflict.value.current["version"])
    assert done["status"] == "pending" and done["tags"] == ["退款", "vip"]
    with fake.lock:
        assert fake.tickets[int(tid)]["pending_time"]       # Zammad's pending states want one
    assert backend.patch_conversation(tid, {"tags": ["vip"]}, done["version"])["tags"] == ["vip"]


def test_urgent_is_written_as_the_admins_urgent_priority(backend, fake):
    tid = str(fake.new_ticket("urgent"))
    assert backend.patch_conversation(tid, {"priority": "urgent"}, None)["priority"] == "urgent"
    with fake.lock:
        assert fake.tickets[int(tid)]["priority_id"] == 4


def test_a_hand_off_is_one_request_carrying_the_note_and_a_resend_does_not_move_it_twice(backend, fake):
    tid = str(fake.new_ticket("handoff"))
    before = len(fake.requests)
    found = backend.transfer(tid, kind="escalate", queue_id="3", assignee_id=None, note="需要主管审批", key="k-1")
    writes = [r for r in fake.requests[before:] if r[0] != "GET"]
    assert writes == [("PUT", f"/api/v1/tickets/{tid}")]
    message = next(r for r in found if r.entity == "message")
    conversation = next(r for r in found if r.entity == "conversation")
    assert (message.data["event"], message.data["event_target"], message.data["kind"]) == ("escalate", "3", "note")
    assert conversation.data["queue_id"] == "3" and conversation.data["assignee_id"] is None
    backend.transfer(tid, kind="escalate", queue_id="3", assignee_id=None, note="需要主管审批", key="k-1",
                     resend_since=message.data["created_at"])
    assert fake.bodies(int(tid)).count("需要主管审批") == 1


def test_what_zammad_cannot_store_is_refused_and_the_capabilities_it_lacks_are_not_declared(backend, fake):
    from agent_desktop.backends.base import Rejected

    tid = str(fake.new_ticket("fields"))
    with pytest.raises(Rejected):
        backend.patch_conversation(tid, {"customer_contacts": 3}, None)
    assert capabilities_of(backend) == {Capability.CORE, Capability.HANDOFF, Capability.ATTACHMENTS}
    with pytest.raises(Unsupported):
        require(backend, Capability.CSAT, Surveys)
    assert backend.idempotency_keys is False


def test_a_ticket_moved_out_of_the_agents_groups_is_refused_not_lost(backend, fake):
    tid = fake.new_ticket("elsewhere")
    with fake.lock:
        fake.users[fake.agent_id]["group_ids"].pop("3")
        fake.tickets[tid]["group_id"] = 3
    with pytest.raises(PermissionDenied):
        backend.patch_conversation(str(tid), {"status": "open"}, None)
