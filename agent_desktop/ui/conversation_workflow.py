"""The open conversation's workflow (issue 4): what the header shows of it (hand-off note, wrap-up,
conflicts), and the dialogs behind its buttons — resolve with a wrap-up code, transfer or escalate,
schedule a callback, record CSAT, compare a conflict — with what each outcome does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog

from ..domain.text import localized_name, safe_display
from ..services.callbacks import CallbackService
from ..services.workflow import WorkflowService
from .collision import ConflictDialog
from .tasks import spawn

if TYPE_CHECKING:   # the panel imports this module; the dialogs are imported when first opened
    from .callbacks_view import ScheduleDialog
    from .conversation_panel import ConversationPanel
    from .csat_dialog import CsatDialog
    from .transfer_dialog import TransferDialog
    from .wrapup_dialog import WrapUpDialog

ACW_SECONDS = 60


class ConversationWorkflow(QObject):
    """Attached to the panel once the workflow service is there (`attach`); until then it does nothing."""

    def __init__(self, panel: ConversationPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.workflow: WorkflowService | None = None
        self.callbacks: CallbackService | None = None
        self.chinese = False
        self.acw_seconds = ACW_SECONDS
        # The dialog each action opened last (tests and the keyboard walk find them here).
        self.wrapup_dialog: WrapUpDialog | None = None
        self.transfer_dialog: TransferDialog | None = None
        self.callback_dialog: ScheduleDialog | None = None
        self.csat_dialog: CsatDialog | None = None
        self.conflict_dialog: ConflictDialog | None = None
        header = panel.header
        header.workflow_requested.connect(self._requested)
        header.compare_requested.connect(self.review_conflict)

    def attach(self, workflow: WorkflowService, callbacks: CallbackService, *, chinese: bool) -> None:
        self.workflow = workflow
        self.callbacks = callbacks
        self.chinese = chinese
        self.panel.header.offer_workflow()

    def _requested(self, name: str) -> None:
        if name in ("transfer", "escalate"):
            self.transfer(escalate=name == "escalate")
        elif name == "callback":
            self.schedule_callback()
        elif name == "csat":
            self.record_csat()

    # -- what the header shows --------------------------------------------------------------------
    def show(self, header: dict[str, Any]) -> None:
        workflow = self.workflow
        if workflow is None:
            return
        view = self.panel.header
        status = header.get("status")
        active = status in ("new", "open", "pending")
        view.set_handoff_possible(active)
        facts = workflow.facts(header["id"]) or {}
        note = facts.get("handoff_note")
        if note and facts.get("handoff_by") != self.panel.service.agent_id and active:
            who = safe_display(self.agent_name(facts.get("handoff_by")), 40)
            view.show_handoff(self.tr("Hand-off from %1: %2").replace("%1", who)
                              .replace("%2", safe_display(note, 1000)))
        else:
            view.show_handoff(None)
        if status in ("resolved", "closed") and facts.get("disposition"):
            codes = {d["id"]: d for d in workflow.dispositions()}
            code = codes.get(facts["disposition"])
            label = localized_name(code, self.chinese) if code else facts["disposition"]
            fcr = {"yes": self.tr("first-contact resolution"), "provisional": self.tr("first contact (7-day window)"),
                   "no": self.tr("not first-contact")}.get(facts.get("fcr", ""), "")
            extra = "  ·  ".join(p for p in (self.tr("Wrap-up: %1").replace("%1", safe_display(label, 40)), fcr) if p)
            view.subtitle.setText(view.subtitle.text() + "  ·  " + extra)
        conflicts = workflow.conflicts(header["id"])
        view.show_conflict(self.tr("Your change conflicts with a newer one on the server.") if conflicts else None)

    def agent_name(self, agent_id: str | None) -> str:
        if not agent_id or self.workflow is None:
            return ""
        for agent in self.workflow.agents():
            if agent["id"] == agent_id:
                return str(agent["name"])
        return agent_id

    # -- the dialogs and their outcomes -----------------------------------------------------------
    def resolve(self) -> None:
        """Resolve needs a wrap-up code; after it, after-contact work starts (see `panel.resolved`)."""
        from .wrapup_dialog import WrapUpDialog

        panel, workflow = self.panel, self.workflow
        conversation_id = panel.conversation_id
        if conversation_id is None or workflow is None:
            return
        dialog = WrapUpDialog(workflow.dispositions(), chinese=self.chinese, acw_seconds=self.acw_seconds,
                              parent=panel)
        self.wrapup_dialog = dialog

        def finished(code: int) -> None:
            disposition = dialog.disposition()
            if code != QDialog.DialogCode.Accepted or not disposition:
                return
            score = dialog.csat_score()
            go_next = dialog.go_next.isChecked()

            def done(_key: str) -> None:
                if score:
                    spawn(workflow.record_csat(conversation_id, score), on_error=panel.refused)
                panel.resolved.emit(conversation_id)
                panel.reload(keep_scroll=True)
                if go_next:
                    panel.next_requested.emit(conversation_id)

            spawn(workflow.resolve(conversation_id, disposition), on_done=done, on_error=panel.refused)

        dialog.finished.connect(finished)
        dialog.open()

    def transfer(self, *, escalate: bool) -> None:
        from .transfer_dialog import TransferDialog

        panel, workflow = self.panel, self.workflow
        conversation_id = panel.conversation_id
        if conversation_id is None or workflow is None or panel._header is None:
            return
        dialog = TransferDialog(panel._header, panel.service.queues(), workflow.agents(), escalate=escalate,
                                chinese=self.chinese, my_id=panel.service.agent_id, parent=panel)
        self.transfer_dialog = dialog

        def finished(code: int) -> None:
            if code != QDialog.DialogCode.Accepted:
                return
            queue_id, agent_id = dialog.target()
            spawn(workflow.transfer(conversation_id, note=dialog.note_text(), queue_id=queue_id,
                                    assignee_id=agent_id, kind=dialog.kind),
                  on_done=lambda _k: panel.reload(keep_scroll=True), on_error=panel.refused)

        dialog.finished.connect(finished)
        dialog.open()

    def schedule_callback(self) -> None:
        from .callbacks_view import ScheduleDialog

        panel, callbacks = self.panel, self.callbacks
        header = panel._header
        conversation_id = panel.conversation_id
        if header is None or callbacks is None or conversation_id is None:
            return
        dialog = ScheduleDialog(self.tr("Schedule a callback"),
                                hours=panel.service.business_hours(header.get("queue_id")), parent=panel)
        self.callback_dialog = dialog

        def finished(code: int) -> None:
            if code == QDialog.DialogCode.Accepted:
                spawn(callbacks.schedule_callback(header["customer_id"], dialog.moment(),
                                                  dialog.note.toPlainText(), conversation_id),
                      on_error=panel.refused)

        dialog.finished.connect(finished)
        dialog.open()

    def record_csat(self) -> None:
        from .csat_dialog import CsatDialog

        panel, workflow = self.panel, self.workflow
        conversation_id = panel.conversation_id
        if workflow is None or conversation_id is None:
            return
        dialog = CsatDialog(panel)
        self.csat_dialog = dialog

        def finished(code: int) -> None:
            score = dialog.score()
            if code == QDialog.DialogCode.Accepted and score is not None:
                spawn(workflow.record_csat(conversation_id, score, comment=dialog.comment.toPlainText()),
                      on_error=panel.refused)

        dialog.finished.connect(finished)
        dialog.open()

    def review_conflict(self) -> None:
        panel, workflow = self.panel, self.workflow
        conversation_id = panel.conversation_id
        if workflow is None or conversation_id is None:
            return
        conflicts = workflow.conflicts(conversation_id)
        if not conflicts:
            return
        conflict = conflicts[0]
        names = {a["id"]: str(a.get("name") or a["id"]) for a in workflow.agents()}
        names.update({q["id"]: localized_name(q, self.chinese) for q in panel.service.queues()})
        dialog = ConflictDialog(conflict, panel, names=names)
        self.conflict_dialog = dialog

        def finished(code: int) -> None:
            if code == QDialog.DialogCode.Accepted:
                spawn(workflow.resolve_conflict(conversation_id, conflict["key"], keep_mine=dialog.keep_mine),
                      on_done=lambda _r: panel.reload(keep_scroll=True), on_error=panel.refused)

        dialog.finished.connect(finished)
        dialog.open()
