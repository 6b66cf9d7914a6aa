"""The Chatwoot adapter where Chatwoot (or the network, or our own stored state) misbehaves: a
catch-up longer than one pull, a resend beside the same text sent on purpose, damaged records and
cursors, a server that ignores `before=`, and the worker pool's life.

Through the fake behind Prism where the answers keep to Chatwoot's document; through the bare fake
where the damage breaks the document (Prism would rightly report it); without a server where no
HTTP is involved."""

from __future__ import annotations

import json
import logging
from collections import Counter

import pytest

from agent_desktop.backends import chatwoot_mapping as mapping
from agent_desktop.backends.base import BackendError, CursorExpired, MalformedResponse, NetworkError, Rejected
from agent_desktop.backends.chatwoot import (
    MAX_MESSAGE_PAGES,
    RESEND_MARGIN,
    UNKNOWN_SKEW_MARGIN,
    ChatwootBackend,
    _resend_cutoff,
    _skew_from,
)
from agent_desktop.domain.timeutil import now_iso
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database, meta
from tests.contract.chatwoot_helpdesk import ChatwootHelpdesk
from tests.faults.proxy import FaultProxy
from tests.faults.test_proxy_faults import Scripted
from tests.vendors.chatwoot_fake import ACCOUNT, TOKEN, ChatwootFake
from tests.vendors.prism import CHATWOOT_DOCUMENT, Prism


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """A small seed behind Prism: these tests add what they need."""
    fake = ChatwootFake(conversations=12).start()
    try:
        with Prism(CHATWOOT_DOCUMENT, upstream=fake.url, log_dir=tmp_path_factory.mktemp("prism")) as prism:
            helpdesk = ChatwootHelpdesk(fake, prism)
            yield helpdesk
            helpdesk.check_contract()
    finally:
        fake.stop()


@pytest.fixture
def bare():
    """The fake without Prism, for damage that breaks Chatwoot's document on purpose."""
    fake = ChatwootFake(conversations=12).start()
    try:
        yield fake
    finally:
        fake.stop()


def _backend(url: str, **options) -> ChatwootBackend:
    backend = ChatwootBackend(url, **options)
    backend.sign_in("agent1@example.com", TOKEN)
    return backend


def _drain(backend: ChatwootBackend, cursor: str | None = None, limit: int = 100):
    changes, pulls = [], 0
    while True:
        batch = backend.changes(cursor, limit)
        changes.extend(batch.changes)
        cursor, pulls = batch.cursor, pulls + 1
        assert pulls < 20, "the feed never drains"
        if not batch.has_more:
            return changes, cursor, pulls


def _message_reads(fake: ChatwootFake, since: int) -> int:
    return sum(1 for method, path, _ in fake.answers[since:] if method == "GET" and path.endswith("/messages"))


# -- 1. a catch-up longer than one pull --------------------------------------------------------------
def test_more_than_a_thousand_changed_conversations_catch_up_in_two_pulls_without_repeats(desk):
    """Over 40 list pages of activity since the last pull: the scan goes on where it stopped
    (it used to start again at page 1, never reach page 41, and refetch 1,000 conversations'
    messages every other pull, for ever)."""
    backend = _backend(desk.url, requests_per_second=0, workers=8)
    _changes, cursor, _pulls = _drain(backend)
    opened = [desk.fake.customer_opens(f"backlog {n}") for n in range(1060)]
    before = len(desk.fake.answers)
    first = backend.changes(cursor, 100)
    assert first.has_more   # 40 pages a pull: the rest next time, from page 40 (read again) on
    # Meanwhile a customer writes in one conversation already brought and in one not yet: both
    # move to the top, above where the scan goes on.
    desk.fake.customer_writes(opened[-1], "still there?")
    desk.fake.customer_writes(opened[0], "hello?")
    rest, cursor, pulls = _drain(backend, first.cursor)
    assert pulls == 1                                     # the second pull finished the scan
    later, cursor, _pulls = _drain(backend, cursor)       # the next sync: the two that moved
    emitted = first.changes + rest + later
    conversations = Counter(c["id"] for c in emitted if c["entity"] == "conversation")
    assert set(map(str, opened)) <= set(conversations)
    assert {k: n for k, n in conversations.items() if n > 1} == {str(opened[-1]): 2}   # it moved after it came
    messages = Counter(c["id"] for c in emitted if c["entity"] == "message")
    repeated = {c["data"]["conversation_id"] for c in emitted if c["entity"] == "message" and messages[c["id"]] > 1}
    assert repeated <= {str(opened[-1])}
    assert _message_reads(desk.fake, before) <= len(opened) + 2   # each conversation's messages read once
    assert all(json.loads(cursor)["hw"] >= desk.fake.truth(cid)["last_activity_at"] for cid in (opened[0], opened[-1]))
    idle, _cursor, _pulls = _drain(backend, cursor)
    assert idle == []


def test_a_scan_that_goes_on_keeps_the_old_mark_and_its_page_in_the_cursor():
    """Without a server: 1,500 conversations changed, 25 a page; the cursor moves on every pull
    (the engine's "same page" guard never needs to fire) and the mark moves only at the end."""
    backend = ChatwootBackend("https://chat.example.com/app/accounts/3", requests_per_second=0, workers=1)
    start = 1_700_000_000.0
    listed = [{"id": n, "contact_id": n, "last_activity_at": start + 20_000 - 10 * n,
               "updated_at": start + 20_000 - 10 * n} for n in range(1, 1501)]
    reads = Counter()

    def answer(method, path, params=None, body=None):
        if path.endswith("/conversations"):
            page = params["page"]
            reads["pages"] += 1
            return {"data": {"payload": listed[(page - 1) * 25: page * 25]}}
        reads["messages"] += path.endswith("/messages")
        return {"payload": []}

    backend._json = answer
    cursor = json.dumps({"v": 1, "account": 3, "phase": "follow", "hw": start, "roster_at": 4e9,
                         "channels": {}, "seen": {}})
    brought: Counter[str] = Counter()
    cursors = [cursor]
    for _ in range(3):
        batch = backend.changes(cursors[-1])
        brought.update(c["id"] for c in batch.changes if c["entity"] == "conversation")
        cursors.append(batch.cursor)
        state = json.loads(batch.cursor)
        if batch.has_more:
            assert state["hw"] == start and state.get("resume", {}).get("page", 1) > 1
    assert len(brought) == 1500 and set(brought.values()) == {1}
    assert len(set(cursors)) >= 3 and "resume" not in json.loads(cursors[-1])
    assert json.loads(cursors[-1])["hw"] == listed[0]["last_activity_at"]
    assert reads["messages"] == 1500


# -- 3. a resend beside the same text sent on purpose ------------------------------------------------
def _proxied(desk: ChatwootHelpdesk, proxy: FaultProxy) -> ChatwootBackend:
    return _backend(f"{proxy.url}/app/accounts/{ACCOUNT}", timeout=(2.0, 2.0))


def test_a_lost_request_is_sent_again_though_the_same_text_went_out_minutes_before(desk):
    """The agent wrote "Thanks!" three minutes ago on purpose; the next "Thanks!" never reached
    Chatwoot (the connection reset): the retry sends it, not adopts the old one."""
    target = desk.fake.customer_opens("resend beside an earlier one")
    earlier = _backend(desk.url).post_message(str(target), "reply", "Thanks!", "k-0")
    desk.fake.backdate(target, int(earlier["id"]), 180)
    script = Scripted("/")
    with FaultProxy(desk.prism.url, lambda m, p: script(m, p) if desk.sends_a_message(m, p) else "ok") as proxy:
        backend = _proxied(desk, proxy)
        since = now_iso()
        script.queue.append("reset")
        with pytest.raises(NetworkError):
            backend.post_message(str(target), "reply", "Thanks!", "k-1")
        again = backend.post_message(str(target), "reply", "Thanks!", "k-1", resend_since=since)
    assert again["id"] != earlier["id"]
    assert desk.fake.bodies(target).count("Thanks!") == 2


def test_a_lost_answer_adopts_the_newest_match_not_an_older_one_in_the_margin(desk):
    """The same text 20 s before (inside the clock margin), then an attempt that reached Chatwoot
    but whose answer was lost: the retry adopts that attempt's message, the newest."""
    target = desk.fake.customer_opens("resend adopts the newest")
    earlier = _backend(desk.url).post_message(str(target), "reply", "好的，谢谢！", "k-0")
    desk.fake.backdate(target, int(earlier["id"]), 20)
    script = Scripted("/")
    with FaultProxy(desk.prism.url, lambda m, p: script(m, p) if desk.sends_a_message(m, p) else "ok") as proxy:
        backend = _proxied(desk, proxy)
        since = now_iso()
        script.queue.append("drop")
        with pytest.raises(NetworkError):
            backend.post_message(str(target), "reply", "好的，谢谢！", "k-1")
        again = backend.post_message(str(target), "reply", "好的，谢谢！", "k-1", resend_since=since)
    assert desk.fake.bodies(target).count("好的，谢谢！") == 2
    newest = max(m["id"] for m in desk.fake.messages[target] if m["content"] == "好的，谢谢！")
    assert again["id"] == str(newest) != earlier["id"]
    assert backend.clock_skew is not None and abs(backend.clock_skew) < 5   # told by the Date header


def test_the_resend_window_follows_chatwoots_clock():
    started = 1_750_000_000.0
    assert _resend_cutoff(started, 0.0) == started - RESEND_MARGIN
    assert _resend_cutoff(started, 300.0) == started + 300.0 - RESEND_MARGIN   # Chatwoot 5 min ahead
    assert _resend_cutoff(started, -300.0) == started - 300.0 - RESEND_MARGIN
    assert _resend_cutoff(started, None) == started - UNKNOWN_SKEW_MARGIN
    now = 1_748_858_400.0   # Mon, 02 Jun 2025 10:00:00 GMT
    assert _skew_from("Mon, 02 Jun 2025 10:00:30 GMT", now) == 30.0
    # a proxy adding its own Date beside Chatwoot's: the first counts
    assert _skew_from("Mon, 02 Jun 2025 09:59:50 GMT, Mon, 02 Jun 2025 10:00:00 GMT", now) == -10.0
    for garbage in (None, "", "soon", "Mon, 02 Jun 2025 10:00:00", "Fri, 31 Dec 9999 23:59:59 GMT"):
        assert _skew_from(garbage, now) is None


# -- 2, 5 and 7. damaged records ------------------------------------------------------------------------
def test_damaged_records_are_skipped_by_id_and_the_rest_of_the_pull_lands(bare, tmp_path, caplog):
    visible = bare.visible()
    odd_priority, odd_meta, odd_time, odd_labels = visible[:4]
    secret_name = bare.contacts[bare.conversations[odd_meta]["contact_id"]]["name"]
    bare.broken.update({
        f"conversation:{odd_priority}": {"priority": {"level": "high"}},    # unhashable in a table
        f"conversation:{odd_meta}": {"meta": "not an object"},               # no contact: skipped
        f"conversation:{odd_time}": {"last_activity_at": float("inf"), "updated_at": 1e300},
        f"conversation:{odd_labels}": {"labels": "vip", "additional_attributes": ["x"]},
    })
    db = Database(tmp_path / "cache.sqlite3")
    try:
        with caplog.at_level(logging.WARNING, logger="agent_desktop.backends.chatwoot"):
            engine = SyncEngine(db, _backend(bare.url), page_size=100)
            engine.pull()
            engine.pull()   # and a later pull, past the damaged times, still works
        ids = {row[0] for row in db.reader().execute("SELECT id FROM conversations")}
        assert ids == {str(c) for c in visible} - {str(odd_meta)}
        priority = db.reader().execute("SELECT priority FROM conversations WHERE id=?", (str(odd_priority),))
        assert priority.fetchone()[0] == "normal"
        cursor = json.loads(meta.get(db.reader(), meta.CURSOR))
        assert cursor["phase"] == "follow" and cursor["hw"] < mapping.LATEST_SECONDS   # never infinite
        skipped = [r.getMessage() for r in caplog.records if "could not read" in r.getMessage()]
        assert any(f"(id {odd_meta})" in line for line in skipped)
        assert secret_name not in caplog.text and "@example.com" not in caplog.text
    finally:
        db.close()


def test_a_mapper_that_throws_skips_that_record_only(bare, monkeypatch, caplog):
    real = mapping.message_record
    poisoned = bare.messages[bare.visible()[0]][0]["id"]

    def message_record(message, conversation_id):
        if message.get("id") == poisoned:
            raise TypeError("a shape no one documented")
        return real(message, conversation_id)

    monkeypatch.setattr(mapping, "message_record", message_record)
    with caplog.at_level(logging.WARNING, logger="agent_desktop.backends.chatwoot"):
        changes, _cursor, _pulls = _drain(_backend(bare.url))
    ids = {c["id"] for c in changes if c["entity"] == "message"}
    expected = {str(m["id"]) for cid in bare.visible() for m in bare.messages[cid] if m["message_type"] != 2}
    assert ids == expected - {str(poisoned)}   # that one only: its conversation and the rest landed
    assert any(f"message (id {poisoned})" in r.getMessage() and "TypeError" in r.getMessage()
               for r in caplog.records)


def test_a_profile_whose_accounts_are_not_a_list_is_malformed(bare):
    bare.broken["profile"] = {"accounts": 7}
    with pytest.raises(MalformedResponse):
        ChatwootBackend(bare.url).sign_in("agent1@example.com", TOKEN)


def test_damaged_times_and_ids_read_as_none():
    assert mapping.seconds(float("inf")) is None and mapping.seconds(float("nan")) is None
    assert mapping.seconds(1e300) is None and mapping.seconds(10**400) is None
    assert mapping.seconds(253_402_300_799) == 253_402_300_799.0   # 9999-12-31T23:59:59Z still is one
    assert mapping.version_of({"updated_at": float("inf"), "last_activity_at": 1e300}) == 0
    assert mapping.timestamp(float("inf")) is None
    for odd in ("²", "١٢", "9" * 5000, "-3", True, 1e300, 2.5, None, [1]):
        assert mapping.number(odd) is None, odd
    assert mapping.number(" 42 ") == 42 and mapping.number(7.0) == 7
    assert mapping.chatwoot_id("u²", "u") is None and mapping.chatwoot_id("t3", "t") == 3


def test_non_text_fields_are_empty_not_pythons_spelling_of_them():
    customer = mapping.customer_record({"id": 9, "name": {"first": "x"}, "email": "w@example.com"})
    assert customer["name"] == "w@example.com"
    message = mapping.message_record({"id": 1, "message_type": 1, "created_at": 1748736000,
                                      "content": {"html": "<p>x</p>"}}, "7")
    assert message["body"] == ""


# -- 4. bad ids, resend times and cursors raise only BackendErrors -------------------------------------
def _offline() -> ChatwootBackend:
    backend = ChatwootBackend("https://chat.example.com/app/accounts/3", requests_per_second=0)
    backend._me = {"id": "u1"}

    def nowhere(*_args, **_kwargs):
        raise AssertionError("no request was to be made")

    backend._json = nowhere
    return backend


@pytest.mark.parametrize("conversation_id", ["abc", "²", "", "12 3", "-1"])
def test_a_conversation_id_that_is_not_chatwoots_is_refused(conversation_id):
    backend = _offline()
    with pytest.raises(Rejected):
        backend.post_message(conversation_id, "reply", "hi", "k")
    with pytest.raises(Rejected):
        backend.patch_conversation(conversation_id, {"status": "open"}, None)
    with pytest.raises(Rejected):
        backend.transfer(conversation_id, kind="transfer", queue_id="t1", assignee_id=None, note="n", key="k")


@pytest.mark.parametrize("since", ["garbage", "", "2025-13-45T00:00:00Z"])
def test_an_unreadable_resend_time_is_refused(since):
    with pytest.raises(Rejected, match="earlier attempt"):
        _offline().post_message("12", "reply", "hi", "k", resend_since=since)


_GOOD = {"v": 1, "account": 3, "phase": "follow", "hw": 1.7e9, "roster_at": 4e9, "channels": {}, "seen": {}}


@pytest.mark.parametrize("damage", [
    {"phase": "snapshot", "page": "x"}, {"phase": "snapshot", "page": True}, {"phase": "snapshot"},
    {"phase": "snapshot", "page": 0}, {"roster_at": "x"}, {"roster_at": None}, {"seen": ["1"]},
    {"seen": {"1": "x"}}, {"seen": {"1": 1.5}}, {"hw": "x"}, {"hw": float("inf")}, {"hw": 1e300},
    {"channels": {"1": 5}}, {"resume": {"page": "2", "top": 1.7e9}}, {"resume": {"page": 2}},
    {"resume": "page 2"}, {"account": 4},
])
def test_a_damaged_cursor_expires(damage):
    with pytest.raises(CursorExpired):
        _offline().changes(json.dumps({**_GOOD, **damage}), 100)


def test_every_damaged_call_raises_a_backend_error_only():
    backend = _offline()
    calls = [lambda: backend.changes("{not json", 100), lambda: backend.changes("[" * 100_000, 100),
             lambda: backend.post_message("x", "reply", "hi", "k"),
             lambda: backend.post_message("1", "reply", "hi", "k", resend_since="x")]
    for call in calls:
        with pytest.raises(BackendError):
            call()


# -- 6. a server that ignores `before=` ----------------------------------------------------------------
def test_message_paging_stops_when_before_is_ignored(desk):
    target = desk.fake.customer_opens("a long conversation")
    for n in range(30):
        desk.fake.customer_writes(target, f"line {n}")
    backend = _backend(desk.url)
    desk.fake.ignores_before = True
    try:
        before = len(desk.fake.answers)
        messages = backend._messages(target, None)
    finally:
        desk.fake.ignores_before = False
    assert _message_reads(desk.fake, before) == 2   # the second page repeated the first: stopped
    assert len(messages) == 20
    assert len(backend._messages(target, None)) == 31   # honoured again: all of them


def test_message_paging_stops_after_its_page_cap():
    backend = ChatwootBackend("https://chat.example.com/app/accounts/3", requests_per_second=0)
    reads = Counter()

    def endless(method, path, params=None, body=None):
        reads["pages"] += 1
        top = (params or {}).get("before", 10**9)
        return {"payload": [{"id": top - 20 + n, "message_type": 0, "created_at": 1748736000} for n in range(20)]}

    backend._json = endless
    assert len(backend._messages(5, None)) == MAX_MESSAGE_PAGES * 20
    assert reads["pages"] == MAX_MESSAGE_PAGES


# -- 8. one worker pool per adapter ----------------------------------------------------------------------
def test_the_worker_pool_and_its_sessions_last_the_adapters_life(desk):
    backend = _backend(desk.url, workers=3, requests_per_second=0)
    backend.changes(None, 100)   # the roster: teams, agents, canned responses, inboxes side by side
    pool = backend._pool._executor()
    backend.changes(None, 100)
    assert backend._pool._executor() is pool
    assert 1 <= len(pool._threads) <= 3   # the same few threads, each with its HTTP session
    backend.close()
    assert backend._pool._pool is None
