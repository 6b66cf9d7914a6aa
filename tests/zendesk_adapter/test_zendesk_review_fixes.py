"""What a review of the Zendesk adapter found, each proven fixed: deletions of a bulk delete past
the first page of /deleted_tickets, the look before a resend (Zendesk's rendered bodies, an
identical comment sent on purpose earlier, unreadable times, Zendesk's clock), malformed feed
records and damaged cursors, times normalised per field, one worker pool, an honest set_token.
HTTP behaviour goes through the fake with Prism checking it against Zendesk's document."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from agent_desktop.backends import zendesk as zendesk_module
from agent_desktop.backends import zendesk_mapping as mapping
from agent_desktop.backends.base import AuthRequired, BackendError, CursorExpired, NetworkError, Rejected
from agent_desktop.backends.zendesk import DELETED_MARGIN, RESEND_SLACK, ZendeskBackend
from agent_desktop.domain.timeutil import now_iso, to_iso
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database
from tests.contract.zendesk_helpdesk import ZendeskHelpdesk
from tests.faults.proxy import FaultProxy
from tests.vendors import zendesk_fake
from tests.vendors.zendesk_fake import ADMIN_EMAIL, ADMIN_TOKEN, PLAIN_EMAIL, PLAIN_TOKEN, iso

FAST = {"export_rate": 100000, "search_rate": 100000, "api_rate": 100000}
ACCOUNTS = {"agent": (PLAIN_EMAIL, PLAIN_TOKEN), "admin": (ADMIN_EMAIL, ADMIN_TOKEN)}


@pytest.fixture(scope="module")
def zendesk(tmp_path_factory):
    with zendesk_fake.stack(tmp_path_factory.mktemp("zendesk-fixes"), tickets=30) as (fake, prism, front):
        desk = ZendeskHelpdesk(fake, prism, front.url)
        yield desk
        desk.check_contract()


def signed(url: str, account: str = "admin", **options) -> ZendeskBackend:
    made = ZendeskBackend(url, **{**FAST, **options})
    made.sign_in(*ACCOUNTS[account])
    return made


def conversation_ids(db: Database) -> set[str]:
    return {row[0] for row in db.reader().execute("SELECT id FROM conversations")}


# -- 1. a bulk delete: every page of /deleted_tickets down to the mark ---------------------------------
@pytest.mark.parametrize("account", ["agent", "admin"])
def test_250_tickets_deleted_at_once_all_leave_the_cache(zendesk, tmp_path, account):
    fake = zendesk.fake
    purge = [fake.new_ticket(f"spam {n} {time.time_ns()}", name=f"Spammer {n}") for n in range(250)]
    kept = fake.new_ticket(f"a real question {time.time_ns()}")
    db = Database(tmp_path / "cache.sqlite3")
    try:
        engine = SyncEngine(db, signed(zendesk.url, account), page_size=100)
        engine.pull()
        assert set(purge) | {kept} <= conversation_ids(db)
        for ticket in purge:   # a spam purge: one moment, three pages of /deleted_tickets
            fake.delete(ticket)
        engine.pull()
        left = conversation_ids(db)
        assert not set(purge) & left and kept in left
    finally:
        db.close()


def test_a_sweep_longer_than_a_pull_goes_on_next_pull_and_moves_the_mark_only_when_done(monkeypatch):
    monkeypatch.setattr(zendesk_module, "DELETED_PAGES", 2)
    deleted_at = "2024-06-01T10:00:00Z"
    pages = {n: [{"id": 100 * n + i, "deleted_at": deleted_at} for i in range(100)] for n in range(1, 6)}
    asked: list[int] = []

    def answer(method, path, *, params=None, body=None):
        assert path == "/deleted_tickets" and params["sort_order"] == "desc" and params["per_page"] == 100
        asked.append(params["page"])
        return {"deleted_tickets": pages.get(params["page"], []), "count": 500, "previous_page": None,
                "next_page": "https://x.zendesk.com/api/v2/deleted_tickets.json?page=9" if params["page"] < 5 else None}

    made = ZendeskBackend("https://x.zendesk.com", **FAST)
    made._json = answer
    since = mapping.version_of(deleted_at) - 100
    state = {"v": 1, "mode": "agent", "phase": "follow", "deleted": since}
    removed: set[str] = set()
    for _pull in range(5):
        changes: list[dict] = []
        made._deleted(state, changes)
        removed |= {c["id"] for c in changes}
        if "deleted_sweep" not in state:
            break
        assert state["deleted"] == since   # the mark waits for the sweep's end
    assert removed == {str(t["id"]) for page in pages.values() for t in page}
    assert asked == [1, 2, 2, 3, 3, 4, 4, 5]   # each pull reads its predecessor's last page again
    assert state["deleted"] == mapping.version_of(deleted_at) - DELETED_MARGIN


def test_the_first_deletion_mark_comes_from_zendesks_clock_not_ours():
    made = ZendeskBackend("https://x.zendesk.com", **FAST)
    made._json = lambda method, path, **kw: {"groups": [], "macros": [], "articles": []}
    server = datetime.fromtimestamp(time.time() - 3600, UTC)   # Zendesk's clock an hour behind ours
    made._note_clock(format_datetime(server, usegmt=True))
    state = json.loads(made.changes(None, 100).cursor)
    assert abs(state["deleted"] - (server.timestamp() - DELETED_MARGIN)) <= 2


def test_a_proxys_second_date_header_does_not_confuse_the_clock():
    made = ZendeskBackend("https://x.zendesk.com")
    ahead = datetime.fromtimestamp(time.time() + 600, UTC)
    made._note_clock(f"{format_datetime(ahead, usegmt=True)}, {format_datetime(ahead, usegmt=True)}")
    assert abs(made.server_now() - (time.time() + 600)) <= 2
    made._note_clock("not a date")
    assert abs(made.server_now() - (time.time() + 600)) <= 2   # an unreadable Date changes nothing


# -- 2. the look before a resend ----------------------------------------------------------------------
def _backdate_last_comment(fake, ticket: str, seconds: int) -> None:
    with fake.lock:
        fake.tickets[int(ticket)]["_comments"][-1]["created_at"] = iso(int(time.time()) - seconds)


def _lost_then_retried(url: str, ticket: str, body: str, fault: str) -> None:
    """The first attempt of `body` meets `fault`; the engine's retry comes with `resend_since`."""
    once = {"left": 1}

    def chooser(method: str, path: str) -> str:
        if method == "PUT" and once["left"]:
            once["left"] -= 1
            return fault
        return "ok"

    since = now_iso()
    with FaultProxy(url, chooser) as proxy:
        through = signed(proxy.url)
        with pytest.raises(NetworkError):
            through.post_message(ticket, "reply", body, "retry-key")
        through.post_message(ticket, "reply", body, "retry-key", resend_since=since)


@pytest.mark.parametrize("fault", ["reset", "drop"])
def test_the_same_text_sent_minutes_earlier_on_purpose_is_not_taken_for_the_retry(zendesk, fault):
    ticket = zendesk.fake.new_ticket(f"thanks twice {time.time_ns()}")
    made = signed(zendesk.url)
    made.post_message(ticket, "reply", "Thanks!", "on-purpose")
    _backdate_last_comment(zendesk.fake, ticket, 180)   # sent three minutes ago
    _lost_then_retried(zendesk.url, ticket, "Thanks!", fault)   # reset: never arrived; drop: arrived
    assert zendesk.fake.bodies(ticket).count("Thanks!") == 2


def test_a_comment_zendesk_renders_differently_is_still_found_and_not_sent_twice(zendesk):
    ticket = zendesk.fake.new_ticket(f"markdown {time.time_ns()}")
    body = f"**Refund issued** — see [the guide](https://help.example.com/refunds) {time.time_ns()}"
    _lost_then_retried(zendesk.url, ticket, body, "drop")
    stored = zendesk.fake.state(ticket)["_comments"]
    assert zendesk.fake.bodies(ticket).count(body) == 1
    assert not mapping.same_text(stored[-1]["plain_body"], body)   # the fake renders it as Zendesk does


def _comment(cid: int, text: str, at: float, **extra) -> dict:
    return {"id": cid, "author_id": 9, "public": True, "body": text, "plain_body": text,
            "html_body": f"<p>{text}</p>", "created_at": to_iso(datetime.fromtimestamp(at, UTC)), **extra}


def _looking(comments: list[dict], skew: float | None = 0.0) -> ZendeskBackend:
    made = ZendeskBackend("https://x.zendesk.com", **FAST)
    made._me, made._me_id = {"id": "u9", "name": "me"}, 9
    made._clock.skew = skew

    def answer(method, path, **kw):
        if method == "GET":
            return {"comments": comments}
        raise AssertionError("the look found nothing: it would have written again")
    made._json = answer
    return made


def test_the_look_matches_body_plain_body_or_the_html_body_as_text():
    began = time.time()
    text = "Hello  **there**,\nsee [this](https://x.example)"
    for form in ({"body": text}, {"body": "x", "plain_body": " Hello **there**, see [this](https://x.example) "},
                 {"body": "x", "plain_body": "y", "html_body": "<p>Hello **there**,<br>see [this](https://x.example)</p>"}):
        comment = {**_comment(5, "other", began + 1, body="x", plain_body="y", html_body="<p>z</p>"), **form}
        found = _looking([comment]).post_message("12", "reply", text, "k", resend_since=to_iso(
            datetime.fromtimestamp(began, UTC)))
        assert found["id"] == "5"


def test_the_look_skips_a_comment_with_an_unreadable_time_and_takes_the_newest_match(caplog):
    began = time.time()
    comments = [_comment(7, "Thanks!", began + 5), _comment(8, "Thanks!", began + 20),
                {**_comment(6, "Thanks!", began), "created_at": "garbage"},
                _comment(4, "Thanks!", began - RESEND_SLACK - 60)]
    with caplog.at_level(logging.WARNING, "agent_desktop.backends.zendesk"):
        found = _looking(comments).post_message("12", "reply", "Thanks!", "k",
                                                resend_since=to_iso(datetime.fromtimestamp(began, UTC)))
    assert found["id"] == "8" and "unreadable created_at" in caplog.text


def test_the_look_reads_the_window_in_zendesks_clock():
    began = time.time()
    behind = -600.0   # Zendesk's clock ten minutes behind ours: our comment carries its time
    ours = _comment(8, "Thanks!", began + behind + 2)
    earlier = _comment(7, "Thanks!", began + behind - 180)
    found = _looking([earlier, ours], skew=behind).post_message(
        "12", "reply", "Thanks!", "k", resend_since=to_iso(datetime.fromtimestamp(began, UTC)))
    assert found["id"] == "8"
    with pytest.raises(AssertionError, match="would have written again"):
        _looking([earlier], skew=behind).post_message(
            "12", "reply", "Thanks!", "k", resend_since=to_iso(datetime.fromtimestamp(began, UTC)))


def test_an_unreadable_resend_time_is_a_backend_error_not_a_value_error():
    with pytest.raises(Rejected):
        _looking([]).post_message("12", "reply", "Thanks!", "k", resend_since="garbage")


# -- 3. malformed feed records: the one is skipped, the page lands -----------------------------------------
def test_a_ticket_event_whose_child_events_are_not_a_list_is_skipped_and_the_page_lands(caplog):
    made = ZendeskBackend("https://x.zendesk.com", **FAST)
    good = {"id": 31, "event_type": "Comment", "author_id": 5, "body": "still here", "public": True,
            "created_at": "2024-06-01T10:00:00Z"}
    made._json = lambda method, path, **kw: {"ticket_events": [
        {"id": 1, "ticket_id": 1, "child_events": 5},
        {"id": 2, "ticket_id": 2, "child_events": {"not": "a list"}},
        {"id": 3, "ticket_id": 3, "child_events": [{**good, "id": 30, "created_at": "garbage"}, good]},
    ], "end_time": 1717236000, "end_of_stream": True}
    changes: list[dict] = []
    with caplog.at_level(logging.WARNING, "agent_desktop.backends.zendesk"):
        assert made._events_page({"events": 0}, changes) is True
    assert [(c["entity"], c["id"]) for c in changes] == [("message", "31")]
    assert "ticket event 1" in caplog.text and "ticket event 2" in caplog.text and "event 30" in caplog.text


def test_search_results_without_ids_and_odd_page_tokens_do_not_break_the_agent_path():
    made = ZendeskBackend("https://x.zendesk.com", **FAST, workers=1)
    made._me = {"id": "u9", "name": "me", "zendesk_role": "agent"}
    made._me_id = 9

    def answer(method, path, *, params=None, body=None):
        if path == "/search/export":
            return {"results": [{"status": "open", "updated_at": "2024-06-01T10:00:00Z", "requester_id": 5},
                                {"id": 4, "status": "open", "updated_at": "2024-06-01T10:00:00Z", "requester_id": 5}],
                    "meta": {"has_more": True, "after_cursor": {"odd": 1}}}
        if path.endswith("/comments"):
            return {"comments": [], "meta": {"has_more": True, "after_cursor": 7}}
        if path == "/users/show_many":
            return {"users": []}
        return {"deleted_tickets": [], "next_page": None}
    made._json = answer
    cursor = json.dumps({"v": 1, "mode": "agent", "phase": "search", "after": None, "hw": 0, "seen": {},
                         "started": 1717236000})
    batch = made.changes(cursor, 100)
    assert [c["id"] for c in batch.changes if c["entity"] == "conversation"] == ["4"]
    assert json.loads(batch.cursor)["phase"] == "follow"   # an unusable page token ends the pass


# -- 4. nothing but BackendErrors out of the public methods --------------------------------------------------
@pytest.mark.parametrize("damage", [
    {"hw": "x"}, {"hw": 1.5}, {"seen": {"1": "x"}}, {"seen": []}, {"staff": ["a"]}, {"events": "0"},
    {"since": "garbage"}, {"deleted": "soon"}, {"deleted_sweep": {"page": 0, "newest": 1}},
    {"deleted_sweep": "2"}, {"knowledge": "x"}, {"after": 5}, {"pending_hw": True}, {"queues": [1]},
])
def test_a_damaged_cursor_field_is_cursor_expired(damage):
    made = ZendeskBackend("https://x.zendesk.com", **FAST)
    made._json = lambda *a, **k: pytest.fail("a damaged cursor must not reach Zendesk")
    cursor = json.dumps({"v": 1, "mode": "agent", "phase": "follow", "hw": 0, "seen": {}, **damage})
    with pytest.raises(CursorExpired):
        made.changes(cursor, 100)


@pytest.mark.parametrize("value", ["²", "١٢", "12a", "", " 1", True, 1.0, None])
def test_numbers_are_ascii_digits_only(value):
    assert mapping.number(value) is None and mapping.user_key(value) is None
    with pytest.raises(BackendError):
        ZendeskBackend("https://x.zendesk.com").patch_conversation(str(value), {"priority": "high"}, None)


# -- 5. a bad time drops its field, or the record that needs it --------------------------------------------
TICKET = {"id": 3, "status": "open", "requester_id": 5, "updated_at": "2024-06-01T10:00:00Z",
          "created_at": "2024-06-01T09:00:00Z", "due_at": "2024-06-02T09:00:00Z"}


def test_times_are_normalised_and_an_unreadable_one_drops_only_its_field():
    good = mapping.conversation_record(TICKET)
    assert (good["created_at"], good["updated_at"], good["resolution_due"]) == (
        "2024-06-01T09:00:00.000Z", "2024-06-01T10:00:00.000Z", "2024-06-02T09:00:00.000Z")
    odd = mapping.conversation_record({**TICKET, "created_at": {"x": 1}, "due_at": "garbage"})
    assert odd is not None and odd["created_at"] is None and odd["resolution_due"] is None
    assert mapping.conversation_record({**TICKET, "updated_at": "garbage"}) is None
    customer = mapping.customer_record({"id": 1, "name": "王伟", "created_at": 123, "updated_at": "99999-01-01"})
    assert customer is not None and customer["created_at"] is None and customer["updated_at"] is None
    assert mapping.message_record({"id": 1, "body": "x", "created_at": "garbage"}, "3", set()) is None
    assert mapping.script_record({"id": 1, "title": "t", "updated_at": "nope",
                                  "actions": [{"field": "comment_value", "value": "hi"}]})["updated_at"] is None


def test_a_ticket_and_customer_with_bad_times_reach_the_store_without_quarantine(tmp_path):
    from agent_desktop.domain.records import parse_conversation, parse_customer
    parse_conversation("3", mapping.conversation_record({**TICKET, "created_at": "yesterday", "due_at": 7}))
    parse_customer("u1", mapping.customer_record({"id": 1, "name": "Alice", "created_at": "later"}))


# -- 6. one worker pool; an honest set_token -------------------------------------------------------------------
def test_the_worker_pool_is_made_once_per_adapter_even_from_many_threads():
    made = ZendeskBackend("https://x.zendesk.com", workers=3)
    pools: list[object] = []
    barrier = threading.Barrier(8)

    def grab() -> None:
        barrier.wait()
        pools.append(made._pool._executor())
    threads = [threading.Thread(target=grab) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(pool) for pool in pools}) == 1
    assert made._parallel([lambda: 1, lambda: 2, lambda: 3]) == [1, 2, 3]
    assert made._pool._executor() is pools[0]
    made.close()


def test_set_token_replaces_the_api_token_of_the_address_signed_in(zendesk):
    made = signed(zendesk.url)
    made.set_token("")                       # the empty token sign_in returned: nothing changes
    made._json("GET", "/users/me")
    made.set_token("revoked-token")
    with pytest.raises(AuthRequired):
        made._json("GET", "/users/me")
    made.set_token(ADMIN_TOKEN)
    assert made._json("GET", "/users/me")["user"]["email"] == ADMIN_EMAIL
    made.set_token(None)
    assert made.http.authorization is None
    with pytest.raises(AuthRequired):
        ZendeskBackend(zendesk.url).set_token("a-token")   # no address to pair it with yet
