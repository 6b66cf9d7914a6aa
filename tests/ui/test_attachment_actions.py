"""Save as… never leaves the chosen folder; Open asks first (No by default) for files that can run
code or lie about what they are, and opens a private copy under the safe name; chips read true."""

from __future__ import annotations

import os
import stat

from PySide6.QtWidgets import QMessageBox

from agent_desktop.ui.attachment_actions import AttachmentActions, chip_text
from tests.ui.attachment_samples import picture
from tests.ui.conftest import run_until

PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def _actions(qtbot, tmp_path, choose=None):
    actions = AttachmentActions()
    outcomes: list[tuple[str, str]] = []
    for name in ("saved", "opened", "failed"):
        getattr(actions, name).connect(lambda value, n=name: outcomes.append((n, value)))
    asked: list[str] = []
    informed: list[str] = []
    actions.inform = lambda title, text: informed.append(text)
    opened_urls = []
    actions.open_url = lambda url: opened_urls.append(url.toLocalFile()) or True
    if choose is not None:
        actions.choose_save_path = choose
    return actions, outcomes, asked, informed, opened_urls


def test_save_as_writes_the_safe_name_inside_the_chosen_folder(qtbot, loop, tmp_path):
    folder = tmp_path / "downloads" / "deep"
    folder.mkdir(parents=True)
    source = tmp_path / "blob"
    source.write_bytes(b"export PATH=/evil:$PATH\n")
    suggestions = []

    def choose(_parent, _title, suggested):
        suggestions.append(suggested)
        return str(folder / os.path.basename(suggested))   # the agent accepts the suggestion

    actions, outcomes, *_ = _actions(qtbot, tmp_path, choose)
    actions.save_as("../../.bashrc", source)
    run_until(loop, lambda: outcomes)
    assert outcomes == [("saved", str(folder / "bashrc"))]
    assert os.path.basename(suggestions[0]) == "bashrc"
    assert (folder / "bashrc").read_bytes() == source.read_bytes()
    assert not (tmp_path / ".bashrc").exists() and not (tmp_path / "downloads" / ".bashrc").exists()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["bashrc", "blob"]


def test_a_name_typed_or_passed_with_folders_or_hidden_characters_stays_in_the_folder(qtbot, loop, tmp_path):
    folder = tmp_path / "chosen"
    folder.mkdir()
    source = tmp_path / "blob"
    source.write_bytes(b"data")
    actions, outcomes, *_ = _actions(qtbot, tmp_path)
    for name, expected in (("..\\..\\.bashrc", "bashrc"), ("invoice\u202efdp.exe", "invoicefdp.exe"),
                           ("CON.txt", "_CON.txt"), (".profile", "profile")):
        target = actions.safe_target(folder / name)
        assert target == folder.resolve() / expected, name


def test_save_as_refuses_a_link_that_points_elsewhere_and_says_why(qtbot, loop, tmp_path):
    folder = tmp_path / "chosen"
    folder.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    (folder / "report.txt").symlink_to(outside)
    source = tmp_path / "blob"
    source.write_bytes(b"overwrite")
    actions, outcomes, _asked, informed, _ = _actions(qtbot, tmp_path, lambda *_: str(folder / "report.txt"))
    actions.save_as("report.txt", source)
    assert outcomes and outcomes[0][0] == "failed"
    assert informed == ["report.txt is a link or a folder: choose another name."]
    assert outside.read_text() == "keep me"
    missing = actions.safe_target(tmp_path / "nowhere" / "a.txt")
    assert isinstance(missing, str) and "does not exist" in missing


def test_a_cancelled_save_dialog_writes_nothing(qtbot, loop, tmp_path):
    actions, outcomes, *_ = _actions(qtbot, tmp_path, lambda *_: "")
    actions.save_as("a.txt", tmp_path / "blob")
    assert outcomes == []


def _open_with_answer(qtbot, loop, tmp_path, name, data, answer):
    source = tmp_path / "blob"
    source.write_bytes(data)
    actions, outcomes, asked, _informed, opened_urls = _actions(qtbot, tmp_path)
    questions: list[QMessageBox] = []

    def confirm(box: QMessageBox) -> int:
        questions.append(box)
        asked.append(box.text())
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
        return answer

    actions.confirm = confirm
    actions.open_file(name, source)
    run_until(loop, lambda: outcomes)
    return actions, outcomes, asked, opened_urls


def test_a_program_named_like_a_photo_asks_first_and_no_opens_nothing(qtbot, loop, tmp_path):
    _actions_, outcomes, asked, opened_urls = _open_with_answer(
        qtbot, loop, tmp_path, "holiday.jpg", PE, QMessageBox.StandardButton.No)
    assert outcomes == [("failed", "declined")] and opened_urls == []
    assert len(asked) == 1
    assert "can run code" in asked[0] and "Its name says .jpg, but its contents are" in asked[0]


def test_a_risky_file_opens_a_private_copy_under_its_safe_name_after_yes(qtbot, loop, tmp_path):
    actions, outcomes, asked, opened_urls = _open_with_answer(
        qtbot, loop, tmp_path, "invoice\u202efdp.exe", PE, QMessageBox.StandardButton.Yes)
    assert "hidden characters" in asked[0] and "“invoicefdp.exe”" in asked[0]
    assert outcomes[0][0] == "opened" and opened_urls == [outcomes[0][1]]
    copy = outcomes[0][1]
    assert os.path.basename(copy) == "invoicefdp.exe"
    root = actions._temp_root()
    assert copy.startswith(str(root)) and stat.S_IMODE(os.stat(root).st_mode) == 0o700
    actions.cleanup()
    assert not root.exists()


def test_a_real_picture_opens_without_a_question(qtbot, loop, tmp_path):
    actions, outcomes, asked, opened_urls = _open_with_answer(
        qtbot, loop, tmp_path, "photo.png", picture(20, 20), QMessageBox.StandardButton.No)
    assert asked == [] and outcomes[0][0] == "opened" and opened_urls[0].endswith("photo.png")
    actions.cleanup()


def test_chips_show_the_name_as_it_really_reads(qapp):
    assert chip_text("invoice\u202efdp.exe", 1_234_567, "application/x-msdownload") == \
        "invoicefdp.exe · 1.2 MB · EXE file"
    assert chip_text("scan.pdf", 340 * 1024, "application/pdf") == "scan.pdf · 340 KB · PDF"
    assert chip_text("cat.png", 12, "image/png") == "cat.png · 12 B · Picture (PNG)"
    assert chip_text("noext", 1, "application/octet-stream").endswith("· File")
