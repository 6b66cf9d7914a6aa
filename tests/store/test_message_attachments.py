"""Messages keep their files and HTML part from the feed, in both the careful and the bulk writer."""

from __future__ import annotations

import json

import pytest

from agent_desktop.domain.attachments import Attachment
from agent_desktop.store import Database, conversation, outbox, outbox_repair
from tests.store.factories import apply, apply_batch, customer, message
from tests.store.factories import conversation as conv

FILES = [
    {"id": "att-1", "name": "发票.pdf", "size": 1234, "content_type": "application/pdf", "sha256": "ab" * 32},
    {"id": "att-2", "name": "logo.png", "size": 99, "content_type": "image/png", "sha256": "cd" * 32,
     "content_id": "<logo@x>", "inline": True},
]


def rows(db: Database, cid: str) -> dict[str, dict]:
    return {row["id"]: row for row in conversation.messages(db.reader(), cid)}


@pytest.mark.parametrize("bulk", [False, True])
def test_files_and_html_of_feed_messages_reach_the_message_rows(db: Database, bulk: bool) -> None:
    base = [customer("cu-1"), conv("c-1")]
    apply(db, base)
    changes = [message("m-1", "c-1", "see attached", attachments=FILES, body_html="<p>see <b>attached</b></p>"),
               message("m-2", "c-1", "plain")]
    db.write_sync(lambda conn: apply_batch(conn, changes, "c2", bulk_messages=bulk))
    got = rows(db, "c-1")
    first = got["m-1"]["attachments"]
    assert first == [Attachment(id="att-1", name="发票.pdf", size=1234, content_type="application/pdf",
                                sha256="ab" * 32),
                     Attachment(id="att-2", name="logo.png", size=99, content_type="image/png", sha256="cd" * 32,
                                content_id="logo@x", inline=True)]
    assert got["m-1"]["body_html"] == "<p>see <b>attached</b></p>"
    assert got["m-2"]["attachments"] == [] and got["m-2"]["body_html"] == ""


def test_an_edited_message_loses_a_removed_file(db: Database) -> None:
    apply(db, [customer("cu-1"), conv("c-1"), message("m-1", "c-1", "x", attachments=FILES)])
    apply(db, [message("m-1", "c-1", "x", attachments=FILES[:1])])
    assert [a.id for a in rows(db, "c-1")["m-1"]["attachments"]] == ["att-1"]


def test_a_malformed_file_list_skips_the_message_and_says_why(db: Database) -> None:
    result = apply(db, [customer("cu-1"), conv("c-1"),
                        message("m-1", "c-1", "x", attachments=[{"id": "", "name": "a", "size": 1}])])
    assert result.invalid == 1 and "m-1" not in rows(db, "c-1")


def test_an_edited_refused_reply_goes_as_its_new_text_not_its_old_html(db: Database) -> None:
    """The HTML part was made from the old text; RT and Zammad keep the HTML as the message, so it
    would carry what the agent corrected. The edit goes as plain text, here and in the thread."""
    apply(db, [customer("cu-1"), conv("c-1")])
    key = db.write_sync(outbox.enqueue_message, "c-1", "reply", "Refund of $99", "ag-1", "Agent",
                        (), "<p>Refund of <b>$99</b></p>")
    db.write_sync(outbox.mark_failed, key, "refused")
    new_key = db.write_sync(outbox_repair.edit_message, key, "Refund of $199")
    payload = json.loads(db.reader().execute("SELECT payload FROM outbox WHERE key=?", (new_key,)).fetchone()[0])
    assert payload["body"] == "Refund of $199" and "body_html" not in payload
    shown = rows(db, "c-1")[f"local:{new_key}"]
    assert shown["body"] == "Refund of $199" and shown["body_html"] == ""
