"""The helpdesks of the contract suite, each started once per module on 127.0.0.1, and one first
sync of each (tests copy its cache instead of pulling everything again)."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database
from tests.contract.helpdesks import ReferenceHelpdesk, signed_in
from tests.helpers import RunningServer


@dataclass
class FirstSync:
    path: Path
    pages: int
    invalid: int
    entities: set[str] = field(default_factory=set)


# The vendors' helpdesks: a stateful fake of the vendor's API (tests/vendors), behind Prism checking
# both directions against the vendor's published OpenAPI document where there is one. Each module
# has `running(folder)`, a context manager yielding a started Helpdesk.
VENDOR_HELPDESKS = {"chatwoot": "tests.contract.chatwoot_helpdesk", "zendesk": "tests.contract.zendesk_helpdesk",
                    "zammad": "tests.contract.zammad_helpdesk"}


@pytest.fixture(scope="module", params=["reference", "rt", *VENDOR_HELPDESKS])
def helpdesk(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"helpdesk-{request.param}")
    if request.param in VENDOR_HELPDESKS:
        with importlib.import_module(VENDOR_HELPDESKS[request.param]).running(folder) as vendor:
            yield vendor
            vendor.check_contract()   # every request and answer of the module matched the document
        return
    if request.param == "reference":
        server = RunningServer(folder / "server.sqlite3")
        yield ReferenceHelpdesk(server)
        server.stop()
        return
    from tests.contract.rt_helpdesk import LocalRT, RequestTrackerHelpdesk
    local = os.environ.get("AGENT_DESKTOP_TEST_RT")   # "URL CONFIG": an RT already running
    if local:
        url, config = local.split()
        yield RequestTrackerHelpdesk(LocalRT(url, Path(config)))
        return
    from tests.rt.rt_server import RunningRT

    with RunningRT(folder, tickets=300, messages=4) as rt:
        yield RequestTrackerHelpdesk(rt)


@pytest.fixture(scope="module")
def first_sync(helpdesk, tmp_path_factory) -> FirstSync:
    path = tmp_path_factory.mktemp("first-sync") / "cache.sqlite3"
    db = Database(path)
    try:
        result = SyncEngine(db, signed_in(helpdesk), page_size=100).pull()
        entities = {row[0] for row in db.reader().execute(
            "SELECT 'conversation' FROM conversations UNION SELECT 'message' FROM messages "
            "UNION SELECT 'customer' FROM customers UNION SELECT 'queue' FROM queues UNION SELECT 'agent' FROM agents")}
        invalid = db.reader().execute("SELECT count(*) FROM invalid_records").fetchone()[0]
    finally:
        db.close()
    return FirstSync(path=path, pages=result.pages, invalid=invalid, entities=entities)
