"""The demo server serves its demo files: agent1 sees the photo and the invoice on their first open
e-mail, through the feed and by download, and colleagues outside its queue do not."""

from __future__ import annotations

from agent_desktop.domain.records import parse_message
from agent_desktop.server.demo_images import damaged_parcel_png, invoice_pdf

from .conftest import Api


def test_agent1_gets_the_demo_mail_with_its_files(api: Api) -> None:
    changes, _ = api.feed()
    messages = [parse_message(c["id"], c["data"]) for c in changes if c["entity"] == "message" and c.get("data")]
    with_files = [m for m in messages if m.attachments]
    assert len(with_files) == 2
    mail = next(m for m in with_files if m.body_html)
    photo, invoice = mail.attachments
    assert photo.inline and f"cid:{photo.content_id}" in mail.body_html
    for attachment, data in ((photo, damaged_parcel_png()), (invoice, invoice_pdf())):
        download = api.call("GET", f"/api/v1/attachments/{attachment.id}")
        assert download.status_code == 200 and download.content == data
        assert download.headers["content-type"] == attachment.content_type
