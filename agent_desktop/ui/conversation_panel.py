"""The open conversation: its header (ui/conversation_header.py), the thread, and the composer.

The panel opens, reloads and sends; its workflow part (ui/conversation_workflow.py: the dialogs
and their outcomes) and its presence part (ui/conversation_presence.py: heartbeat, who else is
here) join once the workflow service is attached (`set_workflow`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain.text import localized_name
from ..domain.workflow import TransitionRefused
from ..services.callbacks import CallbackService
from ..services.capabilities import Capability
from ..services.conversations import ConversationService
from ..services.presence import PresenceService
from ..services.signatures import SignatureService, reply_language
from ..services.workflow import WorkflowService
from .attachment_thread import ThreadAttachments
from .attachment_tray import AttachmentTray
from .capability_text import unsupported_reason
from .collision import ConfirmSendDialog
from .composer import Composer
from .conversation_header import ConversationHeader
from .conversation_presence import ConversationPresence
from .conversation_workflow import ConversationWorkflow
from .tasks import spawn
from .thread_view import ThreadView

if TYPE_CHECKING:   # the workflow part imports them when a dialog first opens
    from .callbacks_view import ScheduleDialog
    from .collision import ConflictDialog
    from .csat_dialog import CsatDialog
    from .transfer_dialog import TransferDialog
    from .wrapup_dialog import WrapUpDialog


class ConversationPanel(QWidget):
    open_customer_requested = Signal(str)
    resolved = Signal(str)          # a conversation was resolved here (after-contact work starts)
    next_requested = Signal(str)    # "resolve and go to the next": open the one after this conversation
    others_changed = Signal(object)  # [{"name", "activity"}] of the other agents on this conversation

    def __init__(self, service: ConversationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.conversation_id: str | None = None
        self._header: dict[str, Any] | None = None
        self.confirm_dialog: ConfirmSendDialog | None = None
        self.signatures: SignatureService | None = None   # e-mail signatures (set by the window)

        self.header = ConversationHeader()
        self.header.status_requested.connect(self.change_status)
        self.header.assign_requested.connect(self.assign_to_me)

        self.thread_view = ThreadView()
        self.thread_view.show_more_requested.connect(lambda _id: self.reload(keep_scroll=True))
        self.composer = Composer()
        self.composer.send_requested.connect(self._on_send)
        self.composer.draft_changed.connect(self._on_draft)
        # Files: under each message in the thread, and the tray of those attached to the reply.
        self.thread_files = ThreadAttachments(self.thread_view, self)
        self.thread_files.redraw_needed.connect(lambda: self.reload(keep_scroll=True))
        self.tray = AttachmentTray()
        self.tray.watch(self.composer.editor)
        # The composer sends only with text; a reply of files alone is sent from here.
        self.composer.send_button.clicked.connect(self._send_files_only)
        self.composer.editor.send_requested.connect(self._send_files_only)
        composer_box = QWidget()
        composer_layout = QVBoxLayout(composer_box)
        composer_layout.setContentsMargins(0, 0, 0, 0)
        composer_layout.setSpacing(0)
        composer_layout.addWidget(self.composer, 1)
        composer_layout.addWidget(self.tray)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.thread_view)
        splitter.addWidget(composer_box)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([520, 170])
        splitter.setChildrenCollapsible(False)

        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        page_layout.addWidget(self.header)
        page_layout.addWidget(splitter, 1)

        self.empty = QLabel(self.tr("Select a conversation on the left.\n\n"
                                    "↑/↓ move through the inbox · Ctrl+K searches everything"))
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)   # its width is the column's minimum otherwise
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self._opened_marker: str | None = None   # newest message time the agent has seen
        self.actions_part = ConversationWorkflow(self)
        self.presence = ConversationPresence(self)

    # -- the parts' widgets and state, where callers and tests have always found them ------------
    @property
    def workflow(self) -> WorkflowService | None:
        return self.actions_part.workflow

    @property
    def chinese(self) -> bool:
        return self.actions_part.chinese

    @property
    def acw_seconds(self) -> int:
        return self.actions_part.acw_seconds

    @property
    def status_buttons(self) -> dict[str, QPushButton]:
        return self.header.status_buttons

    @property
    def workflow_buttons(self) -> dict[str, QPushButton]:
        return self.header.workflow_buttons

    @property
    def handoff(self) -> QLabel:
        return self.header.handoff

    @property
    def collision(self) -> QLabel:
        return self.presence.collision

    @property
    def wrapup_dialog(self) -> WrapUpDialog | None:
        return self.actions_part.wrapup_dialog

    @property
    def transfer_dialog(self) -> TransferDialog | None:
        return self.actions_part.transfer_dialog

    @property
    def callback_dialog(self) -> ScheduleDialog | None:
        return self.actions_part.callback_dialog

    @property
    def csat_dialog(self) -> CsatDialog | None:
        return self.actions_part.csat_dialog

    @property
    def conflict_dialog(self) -> ConflictDialog | None:
        return self.actions_part.conflict_dialog

    # -- showing --------------------------------------------------------------------------------
    def open(self, conversation_id: str | None) -> None:
        if conversation_id == self.conversation_id:
            return
        self.composer.flush_draft()
        self.presence.leaving(self.conversation_id)
        self.conversation_id = conversation_id
        self.tray.show_for(conversation_id)
        if conversation_id is None:
            self.stack.setCurrentIndex(0)
            self.presence.opened(None)
            return
        self._mark_seen()
        self.reload()
        self.presence.opened(conversation_id)
        draft = self.service.draft(conversation_id)
        self.composer.load(*(draft or ("reply", "")))
        self.stack.setCurrentIndex(1)

    def reload(self, *, keep_scroll: bool = False) -> None:
        if self.conversation_id is None:
            return
        header = self.service.header(self.conversation_id)
        if header is None:
            self.header.show_missing()
            self.stack.setCurrentIndex(1)
            return
        self._header = header
        self.header.show_header(header, agent_id=self.service.agent_id, chinese=self.chinese)
        self.composer.setEnabled(header.get("status") != "closed")
        self.tray.setEnabled(header.get("status") != "closed")
        self.actions_part.show(header)
        self.tick()
        self.thread_view.queue_names = {q["id"]: localized_name(q, self.chinese) for q in self.service.queues()}
        self.thread_view.render_html = header.get("channel") == "email"   # e-mail may be HTML; chats stay text
        self.composer.set_rich(header.get("channel") == "email")
        messages = self.service.messages(self.conversation_id)
        self._set_signature(header, messages)
        self.thread_view.show_messages(messages, header.get("customer_name") or "", keep_scroll=keep_scroll)

    def _set_signature(self, header: dict[str, Any], messages: list[dict[str, Any]]) -> None:
        """The agent's and the queue's signature, in the customer's language, for the next fresh reply."""
        if self.signatures is None or header.get("channel") != "email":
            self.composer.set_signature("")
            return
        language = reply_language(messages, "zh" if self.chinese else "en")
        self.composer.set_signature(self.signatures.compose(self.service.agent_id, header.get("queue_id"), language))

    def signatures_changed(self) -> None:
        """Edited signatures reach an untouched reply at once (one with the agent's text keeps its own)."""
        if self.conversation_id is None:
            return
        untouched = not self.composer.has_own_text()
        self.reload(keep_scroll=True)
        if untouched and self.composer.kind == "reply":
            self.composer.load("reply", "")

    def tick(self) -> None:
        """Refresh the SLA countdown (called every second by the window)."""
        if self._header is not None:
            self.header.tick(self._header)

    def customer(self) -> tuple[str, str] | None:
        """(id, name) of the open conversation's customer, for "only this customer" filters."""
        header = self._header if self.conversation_id else None
        if not header or not header.get("customer_id"):
            return None
        return str(header["customer_id"]), str(header.get("customer_name") or header["customer_id"])

    # -- files ------------------------------------------------------------------------------------
    def set_attachments(self, service: Any, backend_kind: str = "") -> None:
        """The session's AttachmentService (None when there is none): files in the thread, and
        the tray greyed out with the reason when the backend takes no files."""
        reason = unsupported_reason(Capability.ATTACHMENTS, backend_kind)
        self.thread_files.attach(service)
        self.tray.set_service(service, reason)
        if self.conversation_id is not None:
            self.reload(keep_scroll=True)

    def stop_attachments(self) -> None:
        """The window closes: stop listening to uploads and drop the private copies opened."""
        self.tray.stop()
        self.thread_files.close()

    def _send_files_only(self) -> None:
        if not self.composer.has_own_text() and self.tray.staged():   # (an untouched signature is no text)
            self._on_send(self.composer.kind, "")

    # -- sending --------------------------------------------------------------------------------
    def _on_send(self, kind: str, body: str) -> None:
        conversation_id = self.conversation_id
        if conversation_id is None:
            return
        if self.tray.busy:   # a file still being copied in would be left behind
            self.composer.hint.setText(self.tr("Not sent yet: wait until the files are attached"))
            return
        new = self.workflow.messages_since(conversation_id, self._opened_marker) if self.workflow else []
        if new:
            self._confirm_send(conversation_id, kind, body, new)
            return
        self._send_now(conversation_id, kind, body)

    def _confirm_send(self, conversation_id: str, kind: str, body: str, new: list[dict]) -> None:
        """Freshdesk-style: show what arrived since the agent opened it; never a blind reply."""
        dialog = ConfirmSendDialog(new, self)
        self._mark_seen()  # what the dialog shows now counts as read

        def finished(code: int) -> None:
            if code == QDialog.DialogCode.Accepted and self.conversation_id == conversation_id:
                self._send_now(conversation_id, kind, body)
            else:
                self.reload(keep_scroll=False)  # the text stays in the composer for another look

        dialog.finished.connect(finished)
        dialog.open()
        self.confirm_dialog = dialog

    def _send_now(self, conversation_id: str, kind: str, body: str) -> None:
        body_html = self.composer.outgoing_html()
        self.composer.clear_after_send()
        files = self.tray.take(conversation_id)

        def failed(error: BaseException) -> None:
            # Nothing is lost: put the text and the files back so the agent can try again.
            if self.conversation_id == conversation_id and not self.composer.has_own_text():
                self.composer.load(kind, body)
            self.tray.give_back(conversation_id, files)
            QMessageBox.warning(self, self.tr("Not sent"), self.tr("The message could not be saved: %1")
                                .replace("%1", str(error)))

        def sent(_key: str) -> None:
            self._mark_seen()
            self.reload()

        spawn(self.service.send(conversation_id, kind, body, files=files, body_html=body_html),
              on_error=failed, on_done=sent)

    def _on_draft(self, kind: str, body: str) -> None:
        if self.conversation_id is not None:
            self.service.save_draft(self.conversation_id, kind, body)

    def _mark_seen(self) -> None:
        if self.workflow is not None and self.conversation_id is not None:
            self._opened_marker = self.workflow.message_marker(self.conversation_id)[1]

    # -- status and assignment --------------------------------------------------------------------
    def change_status(self, status: str) -> None:
        if self.conversation_id is None:
            return
        if status == "resolved" and self.workflow is not None:
            self.resolve()
            return
        try:
            task = self.service.change(self.conversation_id, status=status)
        except TransitionRefused as exc:  # pragma: no cover - change() is a coroutine; raised on await
            QMessageBox.information(self, self.tr("Cannot change status"), str(exc))
            return
        spawn(task, on_error=self.refused, on_done=lambda _key: self.reload(keep_scroll=True))

    def assign_to_me(self) -> None:
        if self.conversation_id is None:
            return
        spawn(self.service.change(self.conversation_id, assignee_id=self.service.agent_id),
              on_error=self.refused, on_done=lambda _key: self.reload(keep_scroll=True))

    def refused(self, error: BaseException) -> None:
        QMessageBox.information(self, self.tr("Cannot change the conversation"), str(error))

    # -- the workflow and presence parts ----------------------------------------------------------
    def set_workflow(self, workflow: WorkflowService, *, callbacks: CallbackService, presence: PresenceService,
                     chinese: bool) -> None:
        self.actions_part.attach(workflow, callbacks, chinese=chinese)
        self.presence.attach(presence)
        if self.conversation_id is not None:
            self.reload(keep_scroll=True)

    def set_unsupported(self, reasons: dict[str, str]) -> None:
        """Workflow actions the backend cannot do (button name → why): greyed out with the reason."""
        self.header.set_unsupported(reasons)

    def resolve(self) -> None:
        self.actions_part.resolve()

    def transfer(self, *, escalate: bool) -> None:
        self.actions_part.transfer(escalate=escalate)

    def schedule_callback(self) -> None:
        self.actions_part.schedule_callback()

    def record_csat(self) -> None:
        self.actions_part.record_csat()

    def review_conflict(self) -> None:
        self.actions_part.review_conflict()

    def show_others(self, others: list[dict]) -> None:
        self.presence.show_others(others)

    def stop_workflow(self) -> None:
        self.presence.stop()
