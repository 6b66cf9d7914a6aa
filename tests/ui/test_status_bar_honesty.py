"""The status bar says what is happening: skipped records, changes waiting for a busy server."""

from __future__ import annotations

import time
from dataclasses import replace

from agent_desktop.services.sync_service import ONLINE, SyncStatus
from agent_desktop.ui.status_bar import SyncStatusBar


def test_skipped_records_and_waiting_changes_are_said(qtbot) -> None:
    bar = SyncStatusBar("陈静")
    qtbot.addWidget(bar)
    online = SyncStatus(state=ONLINE, first_sync_done=True)
    bar.show_status(online)
    assert bar.state_text.text() == "Online" and not bar.notice.text()
    bar.show_status(replace(online, skipped=2))
    assert "2 record(s) from the server could not be read" in bar.notice.text()
    bar.show_status(replace(online, skipped=2, error="the server is busy (502)", retry_at=time.time() + 42))
    text = bar.state_text.text()
    assert "some changes wait for the server" in text and "(F5: now)" in text
    assert bar.state_text.toolTip() == "the server is busy (502)"


def test_an_unusable_answer_is_not_called_unreachable(qtbot) -> None:
    from agent_desktop.services.sync_service import OFFLINE

    bar = SyncStatusBar("陈静")
    qtbot.addWidget(bar)
    bar.show_status(SyncStatus(state=OFFLINE, first_sync_done=True, unreachable=False, retry_at=time.time() + 4,
                               error="the server keeps sending the same page of changes"))
    text = bar.state_text.text()
    assert "can't be used right now" in text and "same page" in text and "can't reach" not in text
