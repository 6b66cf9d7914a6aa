"""Per-field concurrency rules (domain/concurrency.py)."""

from __future__ import annotations

from agent_desktop.domain.concurrency import already_in, base_of, merge_set, rebase


def test_a_change_clashes_only_on_its_own_fields_changed_by_someone_else() -> None:
    base = base_of({"priority": "normal", "status": "open", "version": 4}, {"priority": "high"})
    assert base == {"priority": "normal"}
    # a customer wrote (version, message_count moved) and a colleague set the status: no clash
    send, clashes = rebase({"priority": "high"}, base, {"priority": "normal", "status": "pending", "version": 9})
    assert (send, clashes) == ({"priority": "high"}, [])
    # the colleague set the same field to something else: a clash
    assert rebase({"priority": "high"}, base, {"priority": "low"})[1] == ["priority"]
    # ... or to the same value: no clash, and nothing left to send
    send, clashes = rebase({"priority": "high"}, base, {"priority": "high"})
    assert clashes == [] and already_in(send, {"priority": "high"})


def test_tags_travel_as_added_and_removed() -> None:
    # I removed "vip-old" and added "refund"; meanwhile a colleague added "complaint"
    assert merge_set(["vip-old", "asap"], ["asap", "refund"], ["vip-old", "asap", "complaint"]) == \
        ["asap", "complaint", "refund"]
    send, clashes = rebase({"tags": ["asap", "refund"]}, {"tags": ["vip-old", "asap"]},
                           {"tags": ["vip-old", "asap", "complaint"]})
    assert clashes == [] and send == {"tags": ["asap", "complaint", "refund"]}
    assert merge_set([], ["a"], ["a"]) == ["a"]          # added twice: once
