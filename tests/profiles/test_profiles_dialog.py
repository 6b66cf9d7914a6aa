"""The profiles dialog with real widgets and a real reference server: added by keyboard alone,
tested (in English and in Chinese), removed, and fitting a 1366×768 screen in both languages."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from agent_desktop.services.profiles import ProfileStore
from agent_desktop.ui.profiles_dialog import ProfilesDialog
from agent_desktop.ui.resources import stylesheet, translations_dir
from tests.ui.conftest import run_until, type_text
from tests.ui_texts_driver import _clipped

SECRET = "demo"
CJK = re.compile(r"[\u3400-\u9fff]")


@contextmanager
def chinese():
    """The zh_CN catalogue installed as the app installs it (ui/i18n.py), removed afterwards."""
    translator = QTranslator()
    assert translator.load(str(translations_dir() / "agent_desktop_zh_CN.qm"))
    QCoreApplication.installTranslator(translator)
    try:
        yield
    finally:
        QCoreApplication.removeTranslator(translator)


@pytest.fixture
def dialog_for(qtbot, qapp, tmp_path):
    qapp.setStyleSheet(stylesheet())

    def make(store: ProfileStore | None = None, current: str | None = None) -> ProfilesDialog:
        dialog = ProfilesDialog(store or ProfileStore(tmp_path / "home"), current=current)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        return dialog

    return make


def _key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def test_an_empty_store_says_what_to_do(dialog_for):
    dialog = dialog_for()
    assert dialog.list_stack.currentWidget() is dialog.empty and "No profiles yet" in dialog.empty.text()
    assert dialog.name.hasFocus() and not dialog.remove_button.isEnabled()


def test_a_profile_is_added_by_keyboard_alone(dialog_for, qtbot, server, tmp_path, memory_keyring):
    dialog = dialog_for()
    type_text(qtbot, QApplication.focusWidget(), "Main desk")       # the cursor starts in the name
    _key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.kind
    _key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, QApplication.focusWidget(), server.url)
    _key(qtbot, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)      # Alt+U: the user name
    type_text(qtbot, QApplication.focusWidget(), "agent1")
    _key(qtbot, Qt.Key.Key_Tab)                                     # the secret kind row is hidden for this kind
    assert QApplication.focusWidget() is dialog.secret
    type_text(qtbot, QApplication.focusWidget(), SECRET)
    _key(qtbot, Qt.Key.Key_Return)                                  # Enter saves
    [profile] = ProfileStore(tmp_path / "home").list()
    assert (profile.name, profile.base_url, profile.username, profile.kind) == ("Main desk", server.url, "agent1",
                                                                                "reference")
    assert dialog.verdict.text() == "Saved." and dialog.list.count() == 1
    assert ProfileStore(tmp_path / "home").secret(profile) == SECRET
    assert SECRET not in (tmp_path / "home" / "profiles.json").read_text(encoding="utf-8")


def _test_now(dialog, qtbot, loop) -> str:
    qtbot.keyClick(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)   # Alt+T: Test connection
    # A mnemonic clicks after Qt's short animation; then the test is under way, the GUI going on.
    qtbot.waitUntil(lambda: dialog.busy.isVisible() and not dialog.test_button.isEnabled())
    run_until(loop, lambda: dialog.last_verdict is not None)
    assert not dialog.busy.isVisible() and dialog.test_button.isEnabled()
    return dialog.verdict.text()


def _fill(dialog, url: str, password: str) -> None:
    dialog.name.setText("Desk")
    dialog.url.setText(url)
    dialog.username.setText("agent1")
    dialog.secret.setText(password)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_test_connection_says_ok_or_wrong_password_in_the_interface_language(dialog_for, qtbot, loop, server,
                                                                             language):
    with chinese() if language == "zh_CN" else _nothing():
        dialog = dialog_for()
        _fill(dialog, server.url, "demo")
        ok = _test_now(dialog, qtbot, loop)
        agent = dialog.last_verdict.agent_name
        dialog.last_verdict = None
        dialog.secret.setText("wrong-password")
        refused = _test_now(dialog, qtbot, loop)
        expected_ok = QCoreApplication.translate("ConnectionText", "Connected: signed in as %1.").replace("%1", agent)
        expected_refused = QCoreApplication.translate(
            "ConnectionText", "The server refused this user name or password. Check them (is Caps Lock on?) and "
            "test again.")
        kind_shown = dialog.kind.currentText()
    assert ok == expected_ok and refused == expected_refused
    assert "wrong-password" not in refused and "wrong-password" not in dialog.verdict.toolTip()
    if language == "zh_CN":
        assert CJK.search(ok) and CJK.search(refused) and CJK.search(kind_shown)
        assert not re.search(r"[A-Za-z]{3,}", refused)
    else:
        assert ok.startswith("Connected: signed in as") and "refused" in refused


@contextmanager
def _nothing():
    yield


def test_a_saved_secret_is_used_for_the_test_when_the_field_is_left_empty(dialog_for, qtbot, loop, server, tmp_path):
    store = ProfileStore(tmp_path / "home")
    profile = store.add("Desk", "reference", server.url, "agent1")
    store.set_secret(profile, "demo")
    dialog = dialog_for(store)
    assert dialog.editing == profile and dialog.secret.text() == ""
    assert _test_now(dialog, qtbot, loop).startswith("Connected")


def test_remove_asks_and_can_delete_the_cached_data(dialog_for, qtbot, tmp_path, memory_keyring):
    store = ProfileStore(tmp_path / "home")
    keep = store.add("Keep", "reference", "https://keep.example.com", "agent1")
    gone = store.add("Gone", "reference", "https://gone.example.com", "agent1")
    store.set_secret(gone, "pw")
    cache = store.cache_file(gone)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"cached")
    dialog = dialog_for(store, current=keep.id)
    assert not dialog.remove_button.isEnabled()          # the profile in use stays
    assert "(in use)" in dialog.list.item(0).text()
    dialog.list.setCurrentRow(1)
    assert dialog.editing == gone and dialog.remove_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)    # Alt+V: Remove…
    qtbot.waitUntil(lambda: dialog.confirm_box is not None and dialog.confirm_box.isVisible())
    box = dialog.confirm_box
    assert "Gone" in box.text()
    box.checkBox().setChecked(True)
    box.button(QMessageBox.StandardButton.Yes).click()
    assert [p.name for p in ProfileStore(tmp_path / "home").list()] == ["Keep"]
    assert not cache.exists() and store.secret(gone) is None
    assert dialog.verdict.text() == "Removed “Gone”."


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_dialog_fits_1366x768_with_nothing_cut(dialog_for, qtbot, tmp_path, language):
    with chinese() if language == "zh_CN" else _nothing():
        store = ProfileStore(tmp_path / "home")
        store.add("Request Tracker of the support team", "rt", "https://rt.example.com", "agent1", "token")
        dialog = dialog_for(store)
        dialog._say(dialog.tr("Saved, but this computer has no usable password store, so the secret was not "
                              "kept: you will be asked for it when you connect."))
        dialog.busy.show()
        for _ in range(3):
            QApplication.processEvents()
        assert dialog.width() <= 1366 and dialog.height() <= 740
        assert dialog.minimumSizeHint().width() <= 1366 and dialog.minimumSizeHint().height() <= 740
        assert dialog.secret_kind.isVisible()                  # RT signs in with a token or a password
        assert dialog.secret_caption.text() in ("API to&ken", "API 令牌(&K)")
        assert _clipped(dialog) == []


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_each_kind_says_what_to_type_and_where_its_token_is_and_still_fits(dialog_for, tmp_path, language):
    import os
    from pathlib import Path

    from agent_desktop.backends.registry import KINDS
    with chinese() if language == "zh_CN" else _nothing():
        dialog = dialog_for()
        hints = {}
        for name in KINDS:
            dialog.kind.setCurrentIndex(dialog.kind.findData(name))
            for _ in range(3):
                QApplication.processEvents()
            hints[name] = dialog.kind_hint.text()
            assert dialog.kind_hint.isVisible() and hints[name], name
            assert dialog.url.placeholderText() == KINDS[name].example_url
            assert bool(CJK.search(hints[name])) == (language == "zh_CN"), hints[name]
            assert dialog.width() <= 1366 and dialog.minimumSizeHint().height() <= 740, name
            assert _clipped(dialog) == [], name
        assert len(set(hints.values())) == len(KINDS)      # each kind its own advice
        assert "/app/accounts/" in hints["chatwoot"] and "zendesk.com" in hints["zendesk"]
        out = Path(os.environ.get("AGENT_DESKTOP_ARTIFACTS", tmp_path))
        out.mkdir(parents=True, exist_ok=True)
        dialog.kind.setCurrentIndex(dialog.kind.findData("chatwoot"))
        QApplication.processEvents()
        assert dialog.grab().save(str(out / f"profiles-dialog-chatwoot-{language}.png"))
