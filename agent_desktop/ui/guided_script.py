"""The Guided tab: run a multi-step call script inside the open conversation.

Each step shows what to say or ask (variables filled in), an optional field for the customer's
answer, and numbered choices (keys 1–9). Progress is saved per conversation after every step, so
it survives a restart; finishing saves the path and answers as an internal note.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..domain.scripts import Guide, GuideRun, InvalidGuide, back, choose, start_run
from ..domain.text import safe_display
from ..services.knowledge import KnowledgeService
from .knowledge_widgets import DOCUMENT_CSS, placeholders_html
from .tasks import spawn


class GuidedScriptPanel(QWidget):
    insert_requested = Signal(str)
    note_saved = Signal(str)          # conversation id

    def __init__(self, service: KnowledgeService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guidedPanel")
        self.service = service
        self.conversation_id: str | None = None
        self.script: dict[str, Any] | None = None
        self.guide: Guide | None = None
        self.run: GuideRun | None = None

        self.picker = QComboBox()
        self.picker.setObjectName("guidePicker")
        self.start_button = QPushButton(self.tr("&Start"))
        self.progress = QLabel()
        self.progress.setObjectName("sectionTitle")
        self.progress.setTextFormat(Qt.TextFormat.PlainText)
        self.progress.setWordWrap(True)
        self.prompt = QTextBrowser()
        self.prompt.setObjectName("guidePrompt")
        self.prompt.setOpenLinks(False)
        self.prompt.document().setDefaultStyleSheet(DOCUMENT_CSS)
        self.ask_label = QLabel()
        self.ask_label.setTextFormat(Qt.TextFormat.PlainText)
        self.answer = QLineEdit()
        self.answer.setObjectName("guideAnswer")
        self.answer.setMaxLength(500)
        self.choices_box = QVBoxLayout()
        self.choice_buttons: list[QPushButton] = []
        self.say_button = QPushButton(self.tr("Insert &prompt in reply"))
        self.back_button = QPushButton(self.tr("&Back"))
        self.finish_button = QPushButton(self.tr("&Finish and save note"))
        self.cancel_button = QPushButton(self.tr("&Cancel run"))
        self.empty = QLabel(self.tr("Open a conversation, pick a guided script and press Start."))
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.picker, 1)
        top.addWidget(self.start_button)
        actions = QHBoxLayout()
        actions.addWidget(self.back_button)
        actions.addWidget(self.say_button)
        actions.addStretch(1)
        ending = QHBoxLayout()
        ending.addWidget(self.finish_button)
        ending.addWidget(self.cancel_button)
        ending.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.progress)
        self.prompt.setMaximumHeight(170)
        layout.addWidget(self.prompt)
        layout.addWidget(self.ask_label)
        layout.addWidget(self.answer)
        layout.addLayout(self.choices_box)
        layout.addLayout(actions)
        layout.addLayout(ending)
        layout.addStretch(1)

        self.start_button.clicked.connect(self.start_selected)
        self.back_button.clicked.connect(self.go_back)
        self.say_button.clicked.connect(self._insert_prompt)
        self.finish_button.clicked.connect(self.finish)
        self.cancel_button.clicked.connect(self.cancel)
        self.answer.returnPressed.connect(lambda: self.pick(0) if self._single_choice() else None)
        self.reload_scripts()
        self._show()

    # -- scripts and conversation ----------------------------------------------------------------
    def reload_scripts(self) -> None:
        current = self.picker.currentData()
        self.picker.clear()
        # Scripts in the conversation's language first (a Chinese customer gets the Chinese script).
        language = self.service.conversation_language(self.conversation_id)
        scripts = self.service.scripts_now("", kind="guided", limit=100)
        scripts.sort(key=lambda s: not str(s.get("language") or "").startswith(language[:2]))
        for script in scripts:
            self.picker.addItem(safe_display(script["title"], 60), script["id"])
        if current is not None and self.picker.findData(current) >= 0:
            self.picker.setCurrentIndex(self.picker.findData(current))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        if self.picker.count() == 0:
            self.reload_scripts()   # the first sync may have landed while the tab was hidden
            self._show()
        super().showEvent(event)

    def set_conversation(self, conversation_id: str | None) -> None:
        self.conversation_id = conversation_id
        self.reload_scripts()   # the default script follows the customer's language
        self.script = self.guide = self.run = None
        run = self.service.load_run(conversation_id) if conversation_id else None
        if run is not None:
            self._attach(run.script_id, run)   # resume where the agent left off (even after a restart)
        self._show()

    def _attach(self, script_id: str, run: GuideRun | None) -> bool:
        script = self.service.script(script_id)
        if script is None or script["kind"] != "guided":
            return False
        try:
            guide = self.service.guide(script)
        except InvalidGuide:
            return False
        self.script, self.guide = script, guide
        self.run = run or start_run(script_id, guide)
        if run is not None and run.current is not None and run.current not in guide.steps:
            self.run = start_run(script_id, guide)   # the script changed under a saved run: start over
        return True

    # -- running ---------------------------------------------------------------------------------
    def start_selected(self) -> None:
        script_id = self.picker.currentData()
        if not self.conversation_id or not script_id:
            return
        if self.run is not None and self.run.path and not self.run.finished:
            answer = QMessageBox.question(self, self.tr("Guided script"),
                                          self.tr("Discard the guided script in progress and start another?"))
            if answer != QMessageBox.StandardButton.Yes:
                return
        if self._attach(script_id, None):
            self._save()
            self._show()
            self._focus_first()

    def pick(self, index: int) -> None:
        if self.run is None or self.guide is None or self.run.current is None:
            return
        step = self.guide.step(self.run.current)
        if step.terminal or not 0 <= index < len(step.choices):
            return
        self.run = choose(self.run, self.guide, index, self.answer.text())
        self._save()
        self._show()
        self._focus_first()

    def go_back(self) -> None:
        if self.run is not None and self.run.path:
            self.run = back(self.run)
            self._save()
            self._show()

    def finish(self) -> None:
        if self.run is None or self.guide is None or self.script is None or not self.conversation_id:
            return
        run = self.run
        if run.current is not None and self.guide.step(run.current).terminal:
            run = choose(run, self.guide, 0, self.answer.text())   # record the closing step
        conversation_id, script = self.conversation_id, self.script
        self.script = self.guide = self.run = None
        self._show()
        spawn(self.service.finish_run(conversation_id, script, run),
              on_done=lambda _note: self.note_saved.emit(conversation_id))

    def cancel(self) -> None:
        if self.conversation_id and self.run is not None:
            spawn(self.service.discard_run(self.conversation_id))
        self.script = self.guide = self.run = None
        self._show()

    def _save(self) -> None:
        if self.conversation_id and self.run is not None:
            spawn(self.service.save_run(self.conversation_id, self.run))

    def _single_choice(self) -> bool:
        return bool(self.run and self.guide and self.run.current
                    and len(self.guide.step(self.run.current).choices) == 1)

    def _insert_prompt(self) -> None:
        if self.run is not None and self.guide is not None and self.run.current is not None:
            prompt = self.guide.step(self.run.current).prompt
            self.insert_requested.emit(self.service.render(prompt, self.conversation_id).text)

    def focus_current(self) -> None:
        """Where the keyboard continues: the running step, else the script picker (F8)."""
        if self.run is not None and self.guide is not None:
            self._focus_first()
        else:
            self.picker.setFocus()

    def _focus_first(self) -> None:
        # The step's widgets were just (re)built: show them first, or setFocus does nothing and
        # the keyboard is left outside the panel (1–9 then reach no one).
        if not self.answer.isHidden():
            self.answer.setFocus()
        elif self.choice_buttons:
            self.choice_buttons[0].setFocus()
        else:
            self.finish_button.setFocus()

    # -- display ---------------------------------------------------------------------------------
    def _show(self) -> None:
        running = self.run is not None and self.guide is not None
        self.empty.setVisible(not running)
        self.start_button.setEnabled(bool(self.conversation_id) and self.picker.count() > 0)
        for widget in (self.progress, self.prompt, self.back_button, self.say_button, self.finish_button,
                       self.cancel_button):
            widget.setVisible(running)
        for button in self.choice_buttons:
            self.choices_box.removeWidget(button)
            button.deleteLater()
        self.choice_buttons = []
        self.answer.clear()
        if not running:
            self.ask_label.hide()
            self.answer.hide()
            return
        assert self.run is not None and self.guide is not None and self.script is not None
        self.back_button.setEnabled(bool(self.run.path))
        taken = " → ".join(self.guide.steps[e["step"]].title for e in self.run.path if e["step"] in self.guide.steps)
        if self.run.current is None:
            self.progress.setText(safe_display(self.script["title"], 60) + " · " + self.tr("done") + "\n" + taken)
            self.prompt.setPlainText(self.tr("The call script is complete. Finish to save the path as an internal note."))
            self.ask_label.hide()
            self.answer.hide()
            self.say_button.setEnabled(False)
            return
        step = self.guide.step(self.run.current)
        self.say_button.setEnabled(True)
        header = self.tr("Step %1: %2").replace("%1", str(len(self.run.path) + 1)).replace("%2", step.title)
        self.progress.setText(safe_display(self.script["title"], 60) + " · " + header
                              + (("\n" + self.tr("So far: %1").replace("%1", taken)) if taken else ""))
        self.prompt.setHtml(placeholders_html(self.service.render(step.prompt, self.conversation_id).text))
        self.ask_label.setVisible(bool(step.ask))
        self.answer.setVisible(bool(step.ask))
        self.ask_label.setText(self.tr("Customer's answer: %1").replace("%1", step.ask))
        for index, choice in enumerate(step.choices):
            label = f"&{index + 1}  {choice.label}" if index < 9 else choice.label
            button = QPushButton(label.replace("&&", "&"))
            button.setObjectName("guideChoice")
            button.clicked.connect(lambda _=False, i=index: self.pick(i))
            self.choices_box.addWidget(button)
            button.setVisible(True)   # now, not on the next event-loop turn: focus goes here next
            self.choice_buttons.append(button)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        # 1–9 pick a choice when focus is not in the answer field.
        if not self.answer.hasFocus() and Qt.Key.Key_1 <= event.key() <= Qt.Key.Key_9:
            self.pick(event.key() - Qt.Key.Key_1)
            return
        # Enter presses the focused button, and Enter on the script picker starts it (outside a
        # dialog Qt buttons take only Space).
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()
                return
            if focused is self.picker:
                self.start_selected()
                return
        super().keyPressEvent(event)
