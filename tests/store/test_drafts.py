"""Drafts: saved per conversation, cleared by an empty body, kept across restarts."""

from __future__ import annotations

from agent_desktop.store import Database, drafts


def test_save_and_load(db: Database) -> None:
    db.write_sync(drafts.save, "cv-1", "reply", "您好，退款正在处理")
    assert drafts.load(db.reader(), "cv-1") == ("reply", "您好，退款正在处理")
    assert drafts.load(db.reader(), "cv-2") is None


def test_saving_again_replaces_body_and_kind(db: Database) -> None:
    db.write_sync(drafts.save, "cv-1", "reply", "first")
    db.write_sync(drafts.save, "cv-1", "note", "second")
    assert drafts.load(db.reader(), "cv-1") == ("note", "second")
    assert db.query("SELECT count(*) AS n FROM drafts") == [{"n": 1}]


def test_drafts_are_per_conversation(db: Database) -> None:
    db.write_sync(drafts.save, "cv-1", "reply", "one")
    db.write_sync(drafts.save, "cv-2", "note", "two")
    assert drafts.load(db.reader(), "cv-1") == ("reply", "one")
    assert drafts.load(db.reader(), "cv-2") == ("note", "two")


def test_an_empty_or_blank_body_clears_the_draft(db: Database) -> None:
    for blank in ("", "   ", "\n\t "):
        db.write_sync(drafts.save, "cv-1", "reply", "something")
        db.write_sync(drafts.save, "cv-1", "reply", blank)
        assert drafts.load(db.reader(), "cv-1") is None, repr(blank)


def test_body_is_kept_verbatim(db: Database) -> None:
    body = "  line one\n\n  line two 😀 \u202e  "
    db.write_sync(drafts.save, "cv-1", "reply", body)
    assert drafts.load(db.reader(), "cv-1") == ("reply", body)


def test_drafts_survive_closing_and_reopening(tmp_path) -> None:
    path = tmp_path / "cache.db"
    first = Database(path)
    first.write_sync(drafts.save, "cv-1", "reply", "unsent 退款 reply")
    first.write_sync(drafts.save, "cv-2", "note", "to be cleared")
    first.write_sync(drafts.save, "cv-2", "note", "")
    first.close()

    second = Database(path)
    try:
        assert drafts.load(second.reader(), "cv-1") == ("reply", "unsent 退款 reply")
        assert drafts.load(second.reader(), "cv-2") is None
    finally:
        second.close()
