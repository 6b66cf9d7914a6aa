"""Server profiles: add, edit, test, switch to and remove the helpdesks the agent connects to.

The profiles on the left (the one in use marked), the selected one's form on the right. "Test
connection" signs in off the GUI thread and says what happened in words; "Switch to this
profile" asks the start-up (ui/startup.py) to close this session and open that one."""

from __future__ import annotations

import asyncio
import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..services import credentials
from ..services.connection_check import Verdict, VerdictCode, check_connection
from ..services.profiles import KindInfo, Profile, ProfileError, ProfileStore, backend_kinds
from .connection_text import (
    kind_hint,
    kind_label,
    profile_error_text,
    secret_kind_label,
    secret_label,
    verdict_text,
)
from .tasks import spawn

ID_ROLE = Qt.ItemDataRole.UserRole


class ProfilesDialog(QDialog):
    switch_requested = Signal(object, str)   # the Profile, and its secret if typed here and not saved

    def __init__(self, store: ProfileStore, *, current: str | None = None, parent: QWidget | None = None) -> None:
        """`current`: the id of the profile the open session uses (it cannot be removed)."""
        super().__init__(parent)
        self.store = store
        self.current = current
        self.kinds = backend_kinds()
        self.editing: Profile | None = None
        self._check_generation = 0
        self.confirm_box: QMessageBox | None = None
        self.last_verdict: Verdict | None = None
        self.setWindowTitle(self.tr("Server profiles"))
        self.setObjectName("profilesDialog")

        self.list = QListWidget()
        self.list.setObjectName("profileList")
        self.list.currentItemChanged.connect(self._on_current)
        self.empty = QLabel(self.tr("No profiles yet — add your helpdesk's address, your user name and your "
                                    "password on the right, then save."))
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.list)
        self.list_stack.addWidget(self.empty)
        list_caption = QLabel(self.tr("Pro&files"))
        list_caption.setBuddy(self.list)
        self.new_button = QPushButton(self.tr("&New profile"))
        self.new_button.clicked.connect(self.new_profile)
        left = QVBoxLayout()
        left.addWidget(list_caption)
        left.addWidget(self.list_stack, 1)
        left.addWidget(self.new_button)

        self.heading = QLabel()
        self.heading.setObjectName("sectionTitle")
        self.heading.setWordWrap(True)
        self.name = QLineEdit()
        self.kind = QComboBox()
        for kind in self.kinds:
            self.kind.addItem(kind_label(kind), kind.name)
        self.kind.currentIndexChanged.connect(self._on_kind)
        self.url = QLineEdit()
        self.kind_hint = QLabel()          # what to type for this kind, and where its token is found
        self.kind_hint.setObjectName("dialogHint")
        self.kind_hint.setWordWrap(True)
        self.username = QLineEdit()
        self.secret_kind = QComboBox()
        self.secret_kind.currentIndexChanged.connect(self._on_secret_kind)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(self.tr("&Remember in the system keyring"))
        self.remember.setChecked(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow(self.tr("Profile na&me"), self.name)
        self.form.addRow(self.tr("Server t&ype"), self.kind)
        self.form.addRow(self.tr("Server &address"), self.url)
        self.form.addRow("", self.kind_hint)
        self.form.addRow(self.tr("&User name"), self.username)
        self.form.addRow(self.tr("Sign in &with"), self.secret_kind)
        self.form.addRow(secret_label("password"), self.secret)
        self.form.addRow("", self.remember)
        self.secret_caption = self.form.labelForField(self.secret)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)          # an indicator that moves, not a percentage
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.hide()
        self.verdict = QLabel()
        self.verdict.setObjectName("dialogMessage")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.test_button = QPushButton(self.tr("&Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.save_button = QPushButton(self.tr("&Save"))
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.clicked.connect(self.save)
        self.remove_button = QPushButton(self.tr("Remo&ve…"))
        self.remove_button.clicked.connect(self.remove)
        self.switch_button = QPushButton(self.tr("Swit&ch to this profile"))
        self.switch_button.clicked.connect(self.switch)
        for button in (self.new_button, self.test_button, self.remove_button, self.switch_button):
            button.setAutoDefault(False)
        self.save_button.setDefault(True)   # Enter in the form saves
        actions = QHBoxLayout()
        for button in (self.test_button, self.save_button, self.remove_button, self.switch_button):
            actions.addWidget(button)
        actions.addStretch(1)

        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addLayout(self.form)
        right.addWidget(self.busy)
        right.addWidget(self.verdict)
        right.addStretch(1)
        right.addLayout(actions)

        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        columns.addLayout(right, 5)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_buttons.rejected.connect(self.reject)
        self.close_buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        outer = QVBoxLayout(self)
        outer.addLayout(columns, 1)
        outer.addWidget(self.close_buttons)

        for first, second in zip(
                (self.list, self.new_button, self.name, self.kind, self.url, self.username, self.secret_kind,
                 self.secret, self.remember, self.test_button, self.save_button, self.remove_button),
                (self.new_button, self.name, self.kind, self.url, self.username, self.secret_kind, self.secret,
                 self.remember, self.test_button, self.save_button, self.remove_button, self.switch_button),
                strict=True):
            QWidget.setTabOrder(first, second)
        self.resize(860, 520)
        self._fill_list()
        profiles = self.store.list()
        chosen = self.store.get(current or "") or (profiles[0] if profiles else None)
        if chosen is None:
            self.new_profile()
        else:
            self.select(chosen.id)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        # The cursor where the work is: a new profile's name, else the list.
        (self.name if self.editing is None else self.list).setFocus(Qt.FocusReason.OtherFocusReason)

    # -- the list --------------------------------------------------------------------------------
    def _fill_list(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for profile in self.store.list():
            text = profile.name
            if profile.id == self.current:
                text = self.tr("%1 (in use)").replace("%1", profile.name)
            item = QListWidgetItem(text)
            item.setData(ID_ROLE, profile.id)
            item.setToolTip(f"{profile.username} · {profile.base_url}")
            if profile.id == self.current:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.list_stack.setCurrentIndex(0 if self.list.count() else 1)

    def select(self, profile_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(ID_ROLE) == profile_id:
                self.list.blockSignals(True)
                self.list.setCurrentRow(row)
                self.list.blockSignals(False)
                self._show(self.store.get(profile_id))
                return

    def _on_current(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            self._show(self.store.get(item.data(ID_ROLE)))

    def new_profile(self) -> None:
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.clearSelection()
        self.list.blockSignals(False)
        self._show(None)
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- the form --------------------------------------------------------------------------------
    def _show(self, profile: Profile | None) -> None:
        self.editing = profile
        self._check_generation += 1          # a test still running is for the previous form
        self._set_busy(False)
        self.verdict.clear()
        self.heading.setText(self.tr("New profile") if profile is None
                             else self.tr("Profile “%1”").replace("%1", profile.name))
        self.name.setText(profile.name if profile else "")
        self.kind.setCurrentIndex(max(0, self.kind.findData(profile.kind if profile else self.kinds[0].name)))
        self._on_kind()
        if profile is not None:
            self.secret_kind.setCurrentIndex(max(0, self.secret_kind.findData(profile.secret_kind)))
        self.url.setText(profile.base_url if profile else "")
        self.username.setText(profile.username if profile else "")
        self.secret.clear()
        self.secret.setPlaceholderText(self.tr("Leave empty to keep the saved one") if profile else "")
        in_use = profile is not None and profile.id == self.current
        self.remove_button.setEnabled(profile is not None and not in_use)
        self.remove_button.setToolTip(self.tr("Switch to another profile before removing this one") if in_use else "")
        self.switch_button.setEnabled(not in_use)

    def _kind(self) -> KindInfo:
        return self.kinds[max(0, self.kind.currentIndex())]

    def _on_kind(self, *_: object) -> None:
        kind = self._kind()
        self.url.setPlaceholderText(kind.example_url)
        self.kind_hint.setText(kind_hint(kind.name))
        self.kind_hint.setVisible(bool(self.kind_hint.text()))
        wanted = self.secret_kind.currentData()
        self.secret_kind.blockSignals(True)
        self.secret_kind.clear()
        for secret_kind in kind.secrets:
            self.secret_kind.addItem(secret_kind_label(secret_kind), secret_kind)
        self.secret_kind.setCurrentIndex(max(0, self.secret_kind.findData(wanted)))
        self.secret_kind.blockSignals(False)
        self.form.setRowVisible(self.secret_kind, len(kind.secrets) > 1)
        self._on_secret_kind()

    def _secret_kind(self) -> str:
        return str(self.secret_kind.currentData() or self._kind().secrets[0])

    def _on_secret_kind(self, *_: object) -> None:
        caption = self.secret_caption
        if isinstance(caption, QLabel):
            caption.setText(secret_label(self._secret_kind()))

    def _typed(self) -> Profile:
        return Profile(self.editing.id if self.editing else "", self.name.text().strip(), self._kind().name,
                       self.url.text().strip(), self.username.text().strip(), self._secret_kind())

    def _same_account(self, typed: Profile) -> bool:
        """The form still names the saved profile's account (its saved secret applies)."""
        saved = self.editing
        return saved is not None and (saved.kind, saved.base_url.rstrip("/"), saved.username) == (
            typed.kind, typed.base_url.rstrip("/"), typed.username)

    def _unsaved(self) -> bool:
        return self.editing is None or self._typed() != self.editing or bool(self.secret.text())

    def _say(self, text: str) -> None:
        self.verdict.setText(text)

    # -- test ------------------------------------------------------------------------------------
    def test_connection(self) -> None:
        typed, secret = self._typed(), self.secret.text()
        stored_for = self.editing if not secret and self._same_account(typed) else None
        if not (typed.username and (secret or stored_for)):
            self._say(self.tr("Enter the user name and the %1 to test the connection.").replace(
                "%1", secret_kind_label(typed.secret_kind).lower() if typed.secret_kind == "password"
                else secret_kind_label(typed.secret_kind)))
            return
        self._check_generation += 1
        generation = self._check_generation
        store = self.store

        def run() -> Verdict:   # on a worker: the keyring may be slow to answer, the server too
            given = secret or (store.secret(stored_for) if stored_for else None) or ""
            return check_connection(typed.kind, typed.base_url, typed.username, given)

        self._set_busy(True)
        self._say(self.tr("Testing the connection…"))
        spawn(asyncio.to_thread(run), on_done=lambda verdict: self._show_verdict(generation, verdict, typed),
              on_error=lambda _exc: self._show_verdict(generation, None, typed), owner=self)

    def _show_verdict(self, generation: int, verdict: Verdict | None, typed: Profile) -> None:
        if generation != self._check_generation:
            return   # the form changed meanwhile: this answer is about something else
        self._set_busy(False)
        if verdict is None:   # the check itself failed (it maps every backend error): say "other"
            verdict = Verdict(VerdictCode.OTHER, detail="the connection check failed")
        self._say(verdict_text(verdict, self._kind(), typed.secret_kind))
        self.verdict.setToolTip(verdict.detail)
        self.last_verdict = verdict

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.test_button.setEnabled(not busy)

    # -- save, remove, switch --------------------------------------------------------------------
    def save(self) -> Profile | None:
        """Saves the form; the secret goes to the keyring when Remember is ticked. None: refused
        (the reason is shown)."""
        typed, secret = self._typed(), self.secret.text()
        try:
            if self.editing is None:
                profile = self.store.add(typed.name, typed.kind, typed.base_url, typed.username, typed.secret_kind)
            else:
                profile = self.store.update(dataclasses.replace(typed, id=self.editing.id))
        except ProfileError as exc:
            self._say(profile_error_text(exc.code))
            return None
        except OSError:
            self._say(self.tr("The profiles file could not be written: is the disk full?"))
            return None
        note = self.tr("Saved.")
        if not self.remember.isChecked():
            self.store.forget_secret(profile)
        elif secret:
            try:
                self.store.set_secret(profile, secret)
            except credentials.CredentialsUnavailable:
                note = self.tr("Saved, but this computer has no usable password store, so the secret was not "
                               "kept: you will be asked for it when you connect.")
        self._fill_list()
        self.select(profile.id)
        if secret and not self.remember.isChecked():
            self.secret.setText(secret)    # kept in the form (memory only) for a switch right now
        self._say(note)
        return profile

    def remove(self) -> None:
        profile = self.editing
        if profile is None or profile.id == self.current:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Remove profile"),
                          self.tr("Remove the profile “%1”? Its saved secret is removed from the keyring.").replace(
                              "%1", profile.name),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Remove"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        cache = QCheckBox(self.tr("Also delete its cached conversations on this computer (unsent work is lost)"))
        cache.setEnabled(self.store.cache_file(profile).exists())
        box.setCheckBox(cache)
        box.finished.connect(lambda code: self._removed(profile, code, cache.isChecked()))
        self.confirm_box = box
        box.open()

    def _removed(self, profile: Profile, code: int, delete_cache: bool) -> None:
        self.confirm_box = None
        if code != QMessageBox.StandardButton.Yes:
            return
        self.store.remove(profile.id, delete_cache=delete_cache)
        self._fill_list()
        remaining = self.store.list()
        if remaining:
            self.select(remaining[0].id)
        else:
            self.new_profile()
        self._say(self.tr("Removed “%1”.").replace("%1", profile.name))

    def switch(self) -> None:
        secret = self.secret.text()
        profile = self.save() if self._unsaved() else self.editing
        if profile is None or profile.id == self.current:
            return
        self.accept()
        # The typed secret goes along in memory (the keyring may have refused it, or it was not to be kept).
        self.switch_requested.emit(profile, secret)
