"""What the Zendesk adapter tests share: the fake behind Prism, once per module, and a clock a test
moves by hand (the token buckets take it)."""

from __future__ import annotations

import pytest

from tests.contract.zendesk_helpdesk import ZendeskHelpdesk
from tests.vendors import zendesk_fake


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def zendesk(tmp_path_factory):
    with zendesk_fake.stack(tmp_path_factory.mktemp("zendesk"), tickets=40) as (fake, prism, front):
        desk = ZendeskHelpdesk(fake, prism, front.url)
        yield desk
        desk.check_contract()
