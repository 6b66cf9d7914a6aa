"""The workflow in the running window (pytest-qt, real server): resolve needs a wrap-up code,
transfer needs a note, screen-pop opens the right customer, callbacks ordered by due, confirm
before sending into a conversation that changed, and who else is there."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import requests
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from agent_desktop.domain.timeutil import parse_iso, utcnow
from agent_desktop.server import db as server_store
from agent_desktop.server import workflow_ops
from tests.helpers import INTEGRATION_KEY
from tests.ui.conftest import run_until, type_text


def _ready(opened, loop):
    window = opened.window
    run_until(loop, lambda: opened.bridge.status.first_sync_done and window.conversation.conversation_id is not None)
    return window


def in_loop(loop, fn) -> None:
    """Run `fn` (typing, key clicks) as a plain callback of the running asyncio loop: QTest may
    process Qt events, and a sync step delivered there must see a running loop."""
    outcome: list = []

    def call() -> None:
        try:
            fn()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test below
            outcome.append(exc)

    loop.call_soon(call)
    run_until(loop, lambda: bool(outcome))
    if outcome[0] is not None:
        raise outcome[0]


def _finish(*windows, loop) -> None:
    """Stop syncing inside the loop before pytest-qt's teardown processes Qt events outside it
    (a sync step landing there dies with "no running event loop")."""
    for opened in windows:
        run_until(loop, lambda opened=opened: opened.bridge.status.queued == 0)
        loop.run_until_complete(opened.session.sync.stop())
        run_until(loop, lambda opened=opened: not opened.window.refresh_pending())


def _server_db(server):
    return server.server.app.state.db


def _mine_open(opened) -> str:
    row = opened.session.db.reader().execute(
        "SELECT id FROM conversations WHERE assignee_id=? AND status='open' ORDER BY id LIMIT 1",
        (opened.session.agent["id"],)).fetchone()
    return row[0]


def test_resolve_needs_a_disposition_and_starts_after_contact_work(open_window, loop, qtbot, server):
    opened = open_window()
    window = _ready(opened, loop)
    target = _mine_open(opened)
    window.open_conversation(target)
    window.conversation.status_buttons["resolved"].click()
    dialog = window.conversation.wrapup_dialog
    assert dialog.isVisible() and not dialog.ok.isEnabled()     # no code chosen: cannot resolve
    assert dialog.codes.count() >= 5
    dialog._accept()
    assert dialog.isVisible() and dialog.error.text()
    dialog.codes.setCurrentRow(1)                                # 已退款 / Refund issued
    code = dialog.disposition()
    assert dialog.ok.isEnabled()
    dialog.ok.click()
    run_until(loop, lambda: opened.session.conversations.header(target)["status"] == "resolved")
    run_until(loop, lambda: server.conversation(target)["status"] == "resolved")
    assert server.conversation(target)["disposition"] == code
    # a resolved conversation cannot be resolved again; reopening is offered instead ("resolve and
    # go to the next" may have moved on: come back to it)
    run_until(loop, lambda: window.conversation.conversation_id != target or not window.refresh_pending())
    window.open_conversation(target)
    buttons = window.conversation.status_buttons
    run_until(loop, lambda: not buttons["resolved"].isEnabled())
    assert buttons["open"].isEnabled()
    run_until(loop, lambda: window.workflow_parts.agent_state.state == "acw")
    assert window.workflow_parts.agent_state._acw_timer.isActive()
    _finish(opened, loop=loop)


def test_transfer_needs_a_note_the_receiver_sees_first(open_window, loop, qtbot, server):
    opened = open_window()
    window = _ready(opened, loop)
    target = _mine_open(opened)
    window.open_conversation(target)
    escalate = window.conversation.workflow_buttons["escalate"]
    assert escalate.shortcut().toString() == "Ctrl+Shift+X" and escalate.isEnabled()
    escalate.click()
    dialog = window.conversation.transfer_dialog
    assert dialog.isVisible() and dialog.kind == "escalate"
    assert dialog.queue.currentData() in ("q-aftersales-l2", "q-complaints-desk")   # tiers offered first
    dialog.queue.setCurrentIndex(dialog.queue.findData("q-aftersales-l2"))
    assert not dialog.ok.isEnabled() and dialog.error.text()      # no note, no hand-off
    in_loop(loop, lambda: type_text(qtbot, dialog.note, "客户第二次来电：退款未到账，已核实流水"))
    assert dialog.ok.isEnabled()
    dialog.ok.click()
    run_until(loop, lambda: server.conversation(target)["queue_id"] == "q-aftersales-l2")
    moved = server.conversation(target)
    assert moved["handoff_note"] == "客户第二次来电：退款未到账，已核实流水" and moved["transfer_count"] >= 1
    _finish(opened, loop=loop)
    opened.close()
    # the receiver (agent4 serves 售后二线) sees the hand-off first, above the thread
    receiver = open_window("agent4")
    run_until(loop, lambda: receiver.bridge.status.first_sync_done)
    receiver.window.open_conversation(target)
    banner = receiver.window.conversation.handoff
    assert banner.isVisible() and "退款未到账" in banner.text() and "陈静" in banner.text()
    # the hand-off note in the thread is worded in the receiver's language, the queue's name too
    thread = receiver.window.conversation.thread_view.toPlainText()
    assert "Escalated to After-sales line 2" in thread and "退款未到账" in thread and "【升级" not in thread
    _finish(receiver, loop=loop)


def _offered_call(server, opened, loop, channel: str = "phone") -> tuple[str, str]:
    """A quiet floor (nothing else waiting, only agent1 available), then a phone call comes in:
    returns the new conversation and its customer's name once the offer bar shows it."""
    database = _server_db(server)
    with database.transaction() as conn:
        conn.execute("UPDATE conversations SET assignee_id='a-agent2', "
                     "data=json_set(data, '$.assignee_id', 'a-agent2') WHERE status='new' AND assignee_id IS NULL")
        for offer_id, data in conn.execute("SELECT id, data FROM offers WHERE state='offered'").fetchall():
            server_store.store(conn, "offer", offer_id, {**json.loads(data), "state": "withdrawn"})
        # Contacts routed to agent1 by earlier tests no longer fill its lines.
        conn.execute("UPDATE conversations SET data=json_remove(data, '$.routed_to') "
                     "WHERE json_extract(data, '$.routed_to') = 'a-agent1'")
        for (agent_id,) in conn.execute("SELECT id FROM agents WHERE id != 'a-agent1'").fetchall():
            workflow_ops.write_agent_status(conn, agent_id, "offline")
        workflow_ops.write_agent_status(conn, "a-agent1", "available")
    name = f"来电客户{uuid.uuid4().hex[:6]}"
    phone = f"+86 139 {uuid.uuid4().int % 10**8:08d}"   # a new caller: not appended to an earlier call
    answer = requests.post(f"{server.url}/api/v1/inbound", headers={"X-Integration-Key": INTEGRATION_KEY},
                           timeout=10, json={"channel": channel, "customer": {"name": name, "phone": phone},
                                             "subject": "来电", "body": "【来电】客户询问订单进度"}).json()
    opened.session.sync.nudge()
    window = opened.window
    run_until(loop, lambda: window.workflow_parts.offer_toolbar.isVisible() and name in window.workflow_parts.offer_bar.text.text())
    return answer["conversation_id"], name


def _press(loop, qtbot, window, key) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    in_loop(loop, lambda: qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier
                                         | Qt.KeyboardModifier.ShiftModifier))


def test_an_offer_is_announced_without_replacing_the_screen_and_opens_on_accept(open_window, loop, server, qtbot):
    opened = open_window()
    window = _ready(opened, loop)
    reading = window.conversation.conversation_id
    conversation_id, name = _offered_call(server, opened, loop)
    controller = window.workflow_parts.controller
    assert controller.notifier.history[-1].kind == "offer"
    assert window.conversation.conversation_id == reading   # what the agent reads stays on screen
    _press(loop, qtbot, window, Qt.Key.Key_Y)                 # Ctrl+Shift+Y: accept
    run_until(loop, lambda: conversation_id in controller.popped)
    assert window.conversation.conversation_id == conversation_id
    assert window.customer.name.text() == name and window.side.currentWidget() is window.customer
    run_until(loop, lambda: server.conversation(conversation_id)["assignee_id"] == "a-agent1")
    # Once accepted, the conversation stays: the sync that confirms the assignment pops nothing else.
    run_until(loop, lambda: opened.bridge.status.queued == 0)
    assert window.conversation.conversation_id == conversation_id
    _finish(opened, loop=loop)


def test_declining_an_offer_by_keyboard_leaves_the_screen_as_it_was(open_window, loop, server, qtbot):
    opened = open_window()
    window = _ready(opened, loop)
    reading = window.conversation.conversation_id
    conversation_id, _name = _offered_call(server, opened, loop)
    _press(loop, qtbot, window, Qt.Key.Key_J)                 # Ctrl+Shift+J: decline
    run_until(loop, lambda: not window.workflow_parts.offer_toolbar.isVisible())

    def declined() -> int:
        return _server_db(server).reader().execute(
            "SELECT count(*) FROM offers WHERE json_extract(data, '$.conversation_id')=? "
            "AND json_extract(data, '$.agent_id')='a-agent1' AND json_extract(data, '$.state')='declined'",
            (conversation_id,)).fetchone()[0]

    # The decline is queued by a task and sent by the sync loop: wait for the server to have it
    # (an empty outbox alone may be seen before the task queued it).
    run_until(loop, lambda: declined() == 1)
    run_until(loop, lambda: opened.bridge.status.queued == 0)
    assert server.conversation(conversation_id)["assignee_id"] != "a-agent1"
    assert window.conversation.conversation_id == reading
    _finish(opened, loop=loop)


def test_callbacks_view_is_ordered_by_due_and_outcomes_sync(open_window, loop, server):
    opened = open_window()
    window = _ready(opened, loop)
    view = window.callbacks_view
    run_until(loop, lambda: view.list.count() > 0)
    dues = [row["due_at"] for row in view.rows()]
    assert dues == sorted(dues)
    customer = opened.session.conversations.header(window.conversation.conversation_id)["customer_id"]
    when = utcnow() + timedelta(minutes=1)   # before every demo callback that is not yet due
    opened.loop.run_until_complete(window.session.callbacks.schedule_callback(customer, when, "回访确认退款到账"))
    rows = view.rows()
    position = next(i for i, row in enumerate(rows) if row["note"] == "回访确认退款到账")
    assert all(parse_iso(r["due_at"]) <= when for r in rows[:position])
    assert all(parse_iso(r["due_at"]) >= when for r in rows[position + 1:])
    run_until(loop, lambda: not any(r.get("pending_key") for r in view.rows()))   # synced, server id now
    view.list.setCurrentRow(next(i for i, r in enumerate(view.rows()) if r["note"] == "回访确认退款到账"))
    callback_id = view.rows()[view.list.currentRow()]["id"]
    view.done.click()
    run_until(loop, lambda: all(r["id"] != callback_id for r in view.rows()))
    run_until(loop, lambda: opened.bridge.status.queued == 0)
    token = server.token()
    feed = server.feed(token)
    assert feed[("callback", callback_id)]["status"] == "done"
    _finish(opened, loop=loop)


def test_sending_into_a_changed_conversation_asks_first(open_window, loop, qtbot, server):
    opened = open_window()
    window = _ready(opened, loop)
    handle = f"@wx{uuid.uuid4().hex[:8]}"

    def inbound(body: str) -> str:
        return requests.post(f"{server.url}/api/v1/inbound", headers={"X-Integration-Key": INTEGRATION_KEY},
                             timeout=10, json={"channel": "social", "customer": {"name": "微信用户", "handle": handle},
                                               "body": body}).json()["conversation_id"]

    target = inbound("你好，我的快递还没到")
    opened.session.sync.nudge()
    run_until(loop, lambda: opened.session.conversations.header(target) is not None)
    window.open_conversation(target)
    inbound("补充一下：订单号 123456，地址也改了")   # arrives while the agent writes
    opened.session.sync.nudge()
    run_until(loop, lambda: "地址也改了" in window.conversation.thread_view.toPlainText())
    editor = window.conversation.composer.editor
    in_loop(loop, lambda: type_text(qtbot, editor, "好的，我来查一下"))
    in_loop(loop, lambda: qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier))
    dialog = window.conversation.confirm_dialog
    assert dialog.isVisible() and "地址也改了" in dialog.text.toPlainText()
    dialog.review.click()                                   # not sent; the text is kept
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert editor.toPlainText() == "好的，我来查一下"
    assert server.conversation(target)["message_count"] == 2
    in_loop(loop, lambda: qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier))  # seen now
    run_until(loop, lambda: server.conversation(target)["message_count"] == 3)
    _finish(opened, loop=loop)


def test_shows_who_else_is_replying(open_window, loop, server):
    opened = open_window()
    window = _ready(opened, loop)
    target = window.conversation.conversation_id
    token = server.token("agent2")
    requests.post(f"{server.url}/api/v1/conversations/{target}/presence", json={"activity": "replying"},
                  headers={"Authorization": f"Bearer {token}"}, timeout=10).raise_for_status()
    window.conversation.presence.beat("viewing")
    run_until(loop, lambda: window.conversation.collision.isVisible())
    assert "王磊" in window.conversation.collision.text()
    _finish(opened, loop=loop)
