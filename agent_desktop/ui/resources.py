"""Paths to icons, themes and translations shipped in `resources/`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(RESOURCES / "icons" / f"{name}.svg"))


def stylesheet() -> str:
    return (RESOURCES / "theme.qss").read_text(encoding="utf-8")


def translations_dir() -> Path:
    return RESOURCES / "i18n"
