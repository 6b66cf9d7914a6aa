"""What the agent does with a customer's file: Save as… and Open, plus the text of its chip.

A file name from a customer is never a path: Save as… writes `save_name(name)` inside the folder
the agent chose and refuses anything that would land elsewhere (a symlink, a folder). Open copies
the file under its safe name into a private temporary folder and hands that copy to the system;
a file that could run code (`is_risky`), or whose bytes are not what its name says, is opened
only after the agent read why and said yes (No is the default). The bytes are sniffed here
again, not taken from the server's word. Disk work runs on a worker, never the GUI thread.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..domain.attachments import (
    IMAGE_TYPES,
    PDF_TYPE,
    SNIFF_BYTES,
    display_name,
    extension,
    human_size,
    is_risky,
    name_disagrees,
    save_name,
    sniff,
)
from .tasks import spawn


def type_label(content_type: str, name: str = "") -> str:
    """A short, translated kind of file for a chip ("PDF", "Picture (PNG)", "ZIP file")."""
    translate = QCoreApplication.translate
    if content_type == PDF_TYPE:
        return translate("Attachments", "PDF")
    if content_type in IMAGE_TYPES:
        return translate("Attachments", "Picture (%1)").replace("%1", content_type.split("/")[1].upper())
    ext = extension(name)
    if ext and ext.isalnum() and len(ext) <= 8:
        return translate("Attachments", "%1 file").replace("%1", ext.upper())
    return translate("Attachments", "File")


def chip_text(name: str, size: int, content_type: str) -> str:
    """"invoicefdp.exe · 1.2 MB · EXE file": the name as it really reads (no RTL override)."""
    return f"{display_name(name)} · {human_size(size)} · {type_label(content_type, name)}"


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SNIFF_BYTES)


def _copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


class AttachmentActions(QObject):
    """Save as… and Open for one window. The dialog, the question and the system's "open" are
    attributes so tests drive them without a real dialog blocking."""

    saved = Signal(str)        # where a file was saved
    opened = Signal(str)       # the private copy handed to the system
    failed = Signal(str)       # why a save or open did not happen (already shown to the agent)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window = parent
        self.choose_save_path: Callable[[QWidget | None, str, str], str] = self._ask_path
        self.confirm: Callable[[QMessageBox], int] = lambda box: box.exec()
        self.inform: Callable[[str, str], object] = self._inform
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl
        self._temp: Path | None = None

    # -- Save as… --------------------------------------------------------------------------------
    def save_as(self, name: str, source: Path) -> None:
        suggested = save_name(name)
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation) or str(Path.home())
        chosen = self.choose_save_path(self.window, self.tr("Save attachment as"), str(Path(folder) / suggested))
        if not chosen:
            return
        target = self.safe_target(Path(chosen))
        if isinstance(target, str):
            self._fail(self.tr("Not saved"), target)
            return
        spawn(asyncio.to_thread(_copy, source, target), owner=self,
              on_done=lambda path: self.saved.emit(str(path)),
              on_error=lambda error: self._fail(self.tr("Not saved"), self.tr("The file could not be saved: %1")
                                                .replace("%1", getattr(error, "strerror", None) or str(error))))

    def safe_target(self, chosen: Path) -> Path | str:
        """The path to write for what the dialog returned, or why not: always `save_name` of the
        chosen name directly inside the chosen folder, never a link or a folder."""
        folder = chosen.parent
        target = folder / save_name(chosen.name)
        try:
            real_folder = folder.resolve(strict=True)
        except OSError:
            return self.tr("The folder %1 does not exist.").replace("%1", str(folder))
        if target.is_symlink() or target.is_dir():
            return self.tr("%1 is a link or a folder: choose another name.").replace("%1", target.name)
        if target.resolve().parent != real_folder:
            return self.tr("The file would be saved outside the folder you chose.")
        return real_folder / target.name

    # -- Open --------------------------------------------------------------------------------------
    def open_file(self, name: str, source: Path) -> None:
        """Sniff the bytes (worker), ask if they could run code or disagree with the name, copy
        under the safe name into a private folder (worker), then let the system open the copy."""
        spawn(asyncio.to_thread(_head, source), owner=self,
              on_done=lambda head: self._open_sniffed(name, source, sniff(head)),
              on_error=lambda error: self._fail(self.tr("Not opened"), str(error)))

    def risk_reasons(self, name: str, content_type: str) -> list[str]:
        reasons = []
        shown = display_name(name)
        if is_risky(name, content_type):
            reasons.append(self.tr("“%1” is a program, script or web page: opening it can run code on this "
                                   "computer.").replace("%1", shown))
        if name_disagrees(name, content_type):
            reasons.append(self.tr("Its name says .%1, but its contents are %2.").replace("%1", extension(name))
                           .replace("%2", type_label(content_type)))
        if any(unicodedata.category(ch) in ("Cf", "Cc") for ch in name):
            reasons.append(self.tr("Its name contains hidden characters that change how it reads."))
        return reasons

    def _open_sniffed(self, name: str, source: Path, content_type: str) -> None:
        reasons = self.risk_reasons(name, content_type)
        if reasons and not self._ask_open(name, reasons):
            self.failed.emit("declined")
            return
        try:
            folder = Path(tempfile.mkdtemp(prefix="open-", dir=self._temp_root()))
        except OSError as exc:
            self._fail(self.tr("Not opened"), str(exc))
            return
        spawn(asyncio.to_thread(_copy, source, folder / save_name(name)), owner=self,
              on_done=self._hand_over,
              on_error=lambda error: self._fail(self.tr("Not opened"), str(error)))

    def _hand_over(self, copy: Path) -> None:
        if self.open_url(QUrl.fromLocalFile(str(copy))):
            self.opened.emit(str(copy))
        else:
            self._fail(self.tr("Not opened"), self.tr("No program on this computer opens this kind of file. "
                                                      "Use Save as… instead."))

    def _ask_open(self, name: str, reasons: list[str]) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Open this file?"),
                          self.tr("Be careful with “%1”:").replace("%1", display_name(name)) + "\n\n• "
                          + "\n• ".join(reasons) + "\n\n" + self.tr("Open it only if you trust the sender and "
                                                                    "expected this file."),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setEscapeButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Open anyway"))
        return self.confirm(box) == QMessageBox.StandardButton.Yes

    def _temp_root(self) -> Path:
        """One private folder (owner-only) per run for the copies that are opened."""
        if self._temp is None:
            self._temp = Path(tempfile.mkdtemp(prefix="agentdesktop-open-"))
            os.chmod(self._temp, 0o700)
        return self._temp

    def cleanup(self) -> None:
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None

    # -- telling the agent -------------------------------------------------------------------------
    def _fail(self, title: str, text: str) -> None:
        self.inform(title, text)
        self.failed.emit(text)

    def _inform(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()

    @staticmethod
    def _ask_path(parent: QWidget | None, title: str, suggested: str) -> str:
        return QFileDialog.getSaveFileName(parent, title, suggested)[0]
