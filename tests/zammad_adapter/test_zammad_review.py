"""The Zammad adapter's deletion sweep, cursor, exactly-once look-ups and hostile answers: each
test here pins down a fault a review found (through the fake where it concerns HTTP)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from email.utils import format_datetime

import pytest

from agent_desktop.backends import zammad as zammad_module
from agent_desktop.backends.base import (
    BackendError,
    CursorExpired,
    MalformedResponse,
    PermissionDenied,
    Rejected,
)
from agent_desktop.backends.registry import make_backend
from agent_desktop.backends.zammad import IdSet, ZammadBackend
from agent_desktop.domain.timeutil import now_iso, parse_iso, utcnow
from tests.contract.zammad_helpdesk import ZammadHelpdesk
from tests.vendors.fake_http import Answer
from tests.vendors.zammad_fake import ZammadFake, _iso


def _started(tickets: int) -> ZammadFake:
    return ZammadFake(tickets=tickets).start()


@pytest.fixture
def fake():
    server = _started(30)
    yield server
    ZammadHelpdesk(server).check_contract()   # only documented endpoints, nothing Zammad would refuse
    server.stop()


@pytest.fixture
def big():
    server = _started(250)   # three index pages
    yield server
    ZammadHelpdesk(server).check_contract()
    server.stop()


def signed_in(fake: ZammadFake) -> ZammadBackend:
    backend = make_backend(fake.url, "zammad")
    backend.sign_in(fake.agent_login, fake.agent_token)
    return backend


@pytest.fixture
def backend(fake) -> ZammadBackend:
    return signed_in(fake)


def drain(backend, cursor=None, limit=100):
    changes = []
    while True:
        batch = backend.changes(cursor, limit)
        changes.extend(batch.changes)
        cursor = batch.cursor
        if not batch.has_more:
            return changes, cursor


def deleted(changes) -> set[str]:
    return {c["id"] for c in changes if c["entity"] == "conversation" and c["op"] == "delete"}


def upserted(changes, entity="conversation") -> dict[str, dict]:
    return {c["id"]: c["data"] for c in changes if c["entity"] == entity and c["op"] == "upsert"}


# -- 1. the sweep never deletes a ticket that exists ---------------------------------------------------
def test_a_deletion_between_sweep_pages_deletes_nothing_that_still_exists(big):
    backend = signed_in(big)
    _, cursor = drain(backend)
    # While the sweep reads its second page, an administrator deletes ticket 5 (on page 1): every
    # later ticket moves up one place, so ticket 101 is listed on neither page.
    big.intercept("GET", r"/tickets", lambda request: big.delete(5), query={"page": "2"})
    changes, cursor = drain(backend, cursor)
    assert not deleted(changes)                  # 101 was missing from the pages, but it exists
    assert ("GET", "/api/v1/tickets/101") in big.requests   # …as its confirmation showed
    changes, _ = drain(backend, cursor)
    assert deleted(changes) == {"5"}             # found by the next round, and confirmed gone


def test_a_ticket_moved_out_of_sight_leaves_and_one_in_a_group_newly_granted_arrives(fake):
    with fake.lock:
        fake.users[fake.agent_id]["group_ids"].pop("3")
    backend = signed_in(fake)
    changes, cursor = drain(backend)
    hidden = {str(t) for t, ticket in fake.tickets.items() if ticket["group_id"] == 3}
    assert hidden and not hidden & set(upserted(changes))
    with fake.lock:   # granting a group leaves its tickets' updated_at alone: only the sweep sees them
        fake.users[fake.agent_id]["group_ids"]["3"] = ["full"]
        fake.users[fake.agent_id]["group_ids"].pop("2")
    changes, _ = drain(backend, cursor)
    assert hidden <= set(upserted(changes))
    assert deleted(changes) == {str(t) for t, ticket in fake.tickets.items() if ticket["group_id"] == 2}


def test_confirmations_are_bounded_per_pull_and_the_rest_wait_their_turn(fake, monkeypatch):
    monkeypatch.setattr(zammad_module, "CONFIRM_MAX", 4)
    backend = signed_in(fake)
    _, cursor = drain(backend)
    for tid in range(1, 11):
        fake.delete(tid)
    gone: set[str] = set()
    for _ in range(3):
        before = len(fake.requests)
        changes, cursor = drain(backend, cursor)
        confirms = [p for m, p in fake.requests[before:] if m == "GET" and p[len("/api/v1/tickets/"):].isdigit()]
        assert len(confirms) <= 4
        gone |= deleted(changes)
    assert gone == {str(t) for t in range(1, 11)}


def test_a_large_helpdesk_is_swept_in_rounds_of_bounded_pages(big, monkeypatch):
    monkeypatch.setattr(zammad_module, "SWEEP_EVERY_PULL_MAX", 100)   # 250 tickets count as large here
    monkeypatch.setattr(zammad_module, "SWEEP_PAGES", 1)
    backend = signed_in(big)
    _, cursor = drain(backend)
    big.delete(240)   # on the third page
    seen: set[str] = set()
    for _ in range(3):
        state = json.loads(cursor)
        state["sw"]["at"] = 0.0   # the gap between rounds has passed
        before = len(big.requests)
        changes, cursor = drain(backend, json.dumps(state))
        pages = [p for m, p in big.requests[before:] if m == "GET" and p == "/api/v1/tickets"]
        assert len(pages) == 1
        seen |= deleted(changes)
    assert seen == {"240"}
    before = len(big.requests)
    drain(backend, cursor)   # inside the gap: no sweep at all, the idle pull is one search
    assert big.requests[before:] == [("GET", "/api/v1/tickets/search")]


# -- 2. the cursor stays small, the first sync linear ------------------------------------------------
def test_the_cursor_stays_small_after_a_first_sync_of_2000_interleaved_tickets(monkeypatch):
    server = ZammadFake(tickets=3000).start()
    try:
        with server.lock:   # this agent sees two groups of three: every third id is missing
            server.users[server.agent_id]["group_ids"].pop("2")
        backend = signed_in(server)
        # Only the bookkeeping is measured: each ticket's articles, tags and people are left out.
        monkeypatch.setattr(backend, "_ticket_details", lambda ticket: ([], []))
        monkeypatch.setattr(backend, "_people", lambda people: [])
        changes, cursor = drain(backend)
        assert len(upserted(changes)) == 2000
        assert len(cursor) < 2000, len(cursor)
        known = IdSet.read(json.loads(cursor)["known"])
        assert known.between(0, None) == sorted(int(c) for c in upserted(changes))
    finally:
        server.stop()


def test_the_known_ids_cost_the_same_per_page_however_many_came_before():
    """A first sync's bookkeeping is linear: a page decodes and re-encodes only the blocks its ids
    fall in, however many ids came before (the old runs of ids were expanded and rebuilt on every
    page: quadratic). Counted, not timed."""
    behind = IdSet()
    behind.add(tid for tid in range(1000 * 150) if tid % 3)   # 100,000 ids already delivered
    before = behind.dump()
    known = IdSet.read(json.loads(json.dumps(before)))
    known.add(tid for tid in range(1000 * 150, 1001 * 150) if tid % 3)   # the next page, interleaved
    touched = set(known._open)
    assert len(touched) <= 2                                   # the one or two blocks it touches
    after = known.dump()
    untouched = {index for index in before if int(index) not in touched}
    assert len(untouched) >= len(before) - 2 and all(after[i] == before[i] for i in untouched)


def test_id_sets_add_discard_and_list_a_range():
    ids = IdSet()
    ids.add([1, 2, 3, 5000, 9000, 4095, 4096])
    ids.discard([2, 7])
    assert ids.between(0, None) == [1, 3, 4095, 4096, 5000, 9000]
    assert ids.between(3, 5000) == [4095, 4096, 5000]
    again = IdSet.read(json.loads(json.dumps(ids.dump())))
    assert 4096 in again and 2 not in again and again.between(4096, None) == [5000, 9000]
    assert IdSet.read([[1, 3], [7, 7]]).between(0, None) == [1, 2, 3, 7]   # version 1's runs
    with pytest.raises(CursorExpired):
        IdSet.read({"0": "not base64!"}).between(0, None)


def test_a_version_1_cursor_is_read_and_written_back_as_version_2(backend, fake):
    _, cursor = drain(backend)
    state = json.loads(cursor)
    old = {**state, "v": 1, "known": [[1, 30]]}
    old.pop("sw")
    old.pop("sus")
    changes, cursor = drain(backend, json.dumps(old))
    assert not deleted(changes) and json.loads(cursor)["v"] == 2


# -- 3. hostile answers never escape, and never block the first sync -----------------------------------
def test_knowledge_base_assets_of_the_wrong_shapes_still_give_the_faq(backend, fake):
    with fake.lock:
        fake.kb["KnowledgeBaseAnswerTranslationContent"] = [1]   # a list where the ids' object belongs
        fake.kb["Locale"] = [1]
        fake.kb["KnowledgeBaseAnswer"]["1"]["tags"] = 5
    changes, _ = drain(backend)
    faqs = upserted(changes, "faq_article")
    assert len(faqs) == 4 and faqs["kb1"]["body"] and faqs["kb1"]["tags"] == ["退换货 Returns"]


def test_a_knowledge_base_that_cannot_be_read_never_blocks_the_first_sync_nor_empties_the_faq(
        backend, fake, monkeypatch, caplog):
    _, cursor = drain(backend)
    def broken(assets, base_url):
        raise TypeError("an answer of a shape nobody foresaw")
    monkeypatch.setattr(zammad_module.mapping, "faq_records", broken)
    with caplog.at_level(logging.WARNING, logger="agent_desktop.backends.zammad"):
        changes, _ = drain(signed_in(fake))
    assert len(upserted(changes)) == 30 and not upserted(changes, "faq_article")
    assert any("knowledge base" in r.getMessage() for r in caplog.records)
    state = json.loads(cursor)
    state["kn"] = 0   # the knowledge is due again: unreadable now, so nothing is deleted
    changes, _ = drain(backend, json.dumps(state))
    assert not [c for c in changes if c["entity"] == "faq_article"]


def test_a_signed_in_user_with_an_unreadable_id_is_a_malformed_answer():
    backend = ZammadBackend("https://zammad.example.com")
    backend._json = lambda method, path, **kwargs: {"id": "abc", "roles": ["Agent"]}
    with pytest.raises(MalformedResponse):
        backend.sign_in("agent1", "password")


def test_public_methods_raise_only_backend_errors_for_ids_that_are_not_zammads(backend, fake):
    tid = str(fake.new_ticket("ids"))
    for call in (lambda: backend.post_message("abc", "reply", "hi", "k"),
                 lambda: backend.post_message("١٢", "reply", "hi", "k"),
                 lambda: backend.post_message(tid, "reply", "hi", "k", resend_since="yesterday"),
                 lambda: backend.patch_conversation("12a", {"status": "open"}, None),
                 lambda: backend.patch_conversation(tid, {"assignee_id": "u١"}, None),
                 lambda: backend.transfer(tid, kind="transfer", queue_id="t3", assignee_id=None, note="n", key="k"),
                 lambda: backend.transfer(tid, kind="transfer", queue_id=None, assignee_id="ux", note="n", key="k")):
        with pytest.raises(Rejected):
            call()
    assert fake.bodies(int(tid)) == ["ids"]   # nothing was written


def test_an_answer_of_an_unforeseen_shape_is_a_malformed_response_not_a_crash(backend, monkeypatch):
    def odd(*args, **kwargs):
        raise AttributeError("'list' object has no attribute 'get'")
    monkeypatch.setattr(backend, "_search_updated", odd)
    with pytest.raises(MalformedResponse):
        backend.changes(None)


# -- 4. exactly once, and not looser ---------------------------------------------------------------------
def _backdate(fake: ZammadFake, article_id: str, minutes: float) -> None:
    with fake.lock:
        fake.articles[int(article_id)]["created_at"] = _iso(utcnow() - timedelta(minutes=minutes))


def test_the_same_text_sent_minutes_earlier_on_purpose_is_not_taken_for_a_lost_attempt(backend, fake):
    tid = str(fake.new_ticket("hello"))
    earlier = backend.post_message(tid, "reply", "Thanks!", "k-1")
    _backdate(fake, earlier["id"], 4)
    # The next "Thanks!" never reached Zammad (the connection dropped first); its retry must send.
    began = now_iso()
    sent = backend.post_message(tid, "reply", "Thanks!", "k-2", resend_since=began)
    assert sent["id"] != earlier["id"]
    assert fake.bodies(int(tid)).count("Thanks!") == 2
    # A retry after an answer that was lost, not the write: the newest is adopted, nothing sent.
    again = backend.post_message(tid, "reply", "Thanks!", "k-2", resend_since=began)
    assert again["id"] == sent["id"] and fake.bodies(int(tid)).count("Thanks!") == 2


def test_the_look_up_reads_zammads_clock_from_its_date_header(backend):
    since = "2026-05-01T10:00:00.000Z"
    backend._note_clock(format_datetime(utcnow() + timedelta(minutes=2), usegmt=True))
    skew = backend._clock.skew
    assert 119 <= skew <= 122   # Zammad's clock runs two minutes ahead of ours
    cutoff = backend._resend_cutoff(since)
    wanted = parse_iso(since) + timedelta(seconds=skew) - zammad_module.RESEND_SLACK
    assert abs((cutoff - wanted).total_seconds()) < 0.001
    blind = ZammadBackend("https://zammad.example.com")
    wanted = parse_iso(since) - zammad_module.RESEND_MARGIN_BLIND
    assert abs((blind._resend_cutoff(since) - wanted).total_seconds()) < 0.001


def test_a_repeated_identical_hand_off_note_is_two_notes_each_its_own(backend, fake):
    tid = str(fake.new_ticket("handoff twice"))
    first = backend.transfer(tid, kind="transfer", queue_id="2", assignee_id=None, note="请跟进", key="k-1")
    second = backend.transfer(tid, kind="transfer", queue_id="3", assignee_id=None, note="请跟进", key="k-2")
    ids = [next(r.id for r in found if r.entity == "message") for found in (first, second)]
    assert ids[0] != ids[1] and fake.bodies(int(tid)).count("请跟进") == 2
    assert int(ids[1]) == max(fake._by_ticket[int(tid)])


# -- 6. a hand-off look-up that fails is not taken for done --------------------------------------------
def test_a_hand_off_resend_whose_look_up_is_refused_on_a_visible_ticket_raises(backend, fake):
    tid = fake.new_ticket("handoff refused")
    fake.intercept("GET", rf"/ticket_articles/by_ticket/{tid}",
                   lambda request: Answer(403, {"error": "Not authorized", "error_human": "Not authorized"}))
    with pytest.raises(PermissionDenied):
        backend.transfer(str(tid), kind="transfer", queue_id="2", assignee_id=None, note="n", key="k",
                         resend_since=now_iso())
    fake.intercept("GET", rf"/ticket_articles/by_ticket/{tid}",
                   lambda request: Answer(422, {"error": "odd", "error_human": "odd"}))
    with pytest.raises(Rejected):
        backend.transfer(str(tid), kind="transfer", queue_id="2", assignee_id=None, note="n", key="k",
                         resend_since=now_iso())
    fake.delete(tid)   # gone: the earlier attempt's move is taken as done
    assert backend.transfer(str(tid), kind="transfer", queue_id="2", assignee_id=None, note="n", key="k",
                            resend_since=now_iso()) == []


# -- 7. a long password is not only ever tried as a token ----------------------------------------------
def test_a_password_shaped_like_a_token_signs_in_with_basic_auth_and_is_remembered(fake):
    long_password = "Kq7" * 12   # 36 letters and digits, as a password manager makes
    with fake.lock:
        fake.users[fake.agent_id]["_password"] = long_password
    backend = make_backend(fake.url, "zammad")
    assert backend.sign_in("agent1", long_password).agent["name"] == "李明"
    assert backend.http.authorization.startswith("Basic ")
    before = len(fake.requests)
    backend.sign_in("agent1", long_password)
    assert len(fake.requests) - before == 1   # Basic first this time
    with pytest.raises(BackendError):
        make_backend(fake.url, "zammad").sign_in("agent1", "Zz9" * 12)


def test_set_token_keeps_forgets_or_takes_a_token_as_its_docstring_says(backend, fake):
    kept = backend.http.authorization
    backend.set_token("")
    assert backend.http.authorization == kept
    backend.set_token(None)
    assert backend.http.authorization is None
    backend.set_token(fake.agent_token)
    assert backend.http.authorization == f"Token token={fake.agent_token}"
    assert backend.changes(None).cursor


# -- 9. one pool per adapter --------------------------------------------------------------------------------
def test_the_adapter_keeps_one_thread_pool_for_its_life(backend):
    _, cursor = drain(backend)
    pool = backend._pool
    assert pool is not None
    drain(backend, cursor)
    assert backend._pool is pool and pool._executor() is pool._executor()
