"""Renders the app icon (agent_desktop/resources/icons/app.svg) into what installers want:
PNGs for the Linux icon theme (packaging/icons/agent-desktop-<N>.png) and a Windows .ico holding
every size (packaging/windows/agent-desktop.ico, PNG-compressed entries as Windows Vista and later
read them). Run it after changing the SVG: `python scripts/make_icons.py`; the suite checks the
files are what this script makes (tests/distribution/test_desktop_files.py)."""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "agent_desktop" / "resources" / "icons" / "app.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def render_png(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """ICONDIR, one ICONDIRENTRY per size (0 means 256), then the PNG bytes."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    entries, blobs = b"", b""
    offset = len(header) + 16 * len(pngs)
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(blobs))
        blobs += png
    return header + entries + blobs


def build(out: Path) -> list[Path]:
    pngs = {size: render_png(size) for size in SIZES}
    written = []
    for size, png in pngs.items():
        path = out / "icons" / f"agent-desktop-{size}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        written.append(path)
    path = out / "windows" / "agent-desktop.ico"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ico(pngs))
    written.append(path)
    return written


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])
    for written in build(ROOT / "packaging"):
        print(written.relative_to(ROOT))
