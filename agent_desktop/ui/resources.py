"""Icons, the theme and translations shipped inside the package (`agent_desktop/resources/`).

Found through `importlib.resources`, so an installed wheel finds them as the source tree does.
Qt needs real file paths: the package is always installed unzipped (wheels, editable, bundles).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES = Path(str(files("agent_desktop") / "resources"))


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(RESOURCES / "icons" / f"{name}.svg"))


def stylesheet() -> str:
    return (RESOURCES / "theme.qss").read_text(encoding="utf-8")


def translations_dir() -> Path:
    return RESOURCES / "i18n"
