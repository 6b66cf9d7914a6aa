"""What an installer needs besides the code: the desktop entry and AppStream metadata pass their
real validators (desktop-file-validate, appstreamcli), both speak English and Chinese, the icon
PNGs and the Windows .ico are what scripts/make_icons.py renders from the app's SVG, and the app
uses that icon."""

from __future__ import annotations

import configparser
import importlib.util
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "org.agentdesktop.AgentDesktop"
DESKTOP = ROOT / "packaging" / "linux" / f"{APP_ID}.desktop"
METAINFO = ROOT / "packaging" / "linux" / f"{APP_ID}.metainfo.xml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _make_icons():
    spec = importlib.util.spec_from_file_location("make_icons", ROOT / "scripts" / "make_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: scripts/setup.sh test installs it (desktop-file-utils, appstream)"
    return found


def test_the_desktop_entry_passes_desktop_file_validate_in_both_languages():
    done = subprocess.run([_tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True)
    assert done.returncode == 0 and "error" not in done.stdout, done.stdout + done.stderr
    entry = configparser.RawConfigParser(strict=True)
    entry.optionxform = str   # keys are case-sensitive
    entry.read(DESKTOP, encoding="utf-8")
    group = entry["Desktop Entry"]
    assert group["Exec"].split()[0] == "agent-desktop"        # the console script pyproject installs
    assert group["Icon"] == "agent-desktop"                   # packaging/icons/agent-desktop-<N>.png
    for key in ("Name", "GenericName", "Comment"):
        assert group[key] and group[f"{key}[zh_CN]"], key
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'agent-desktop = "' in pyproject


def test_the_appstream_metadata_passes_appstreamcli_and_names_the_desktop_entry():
    done = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert {name.get(XML_LANG) for name in root.findall("name")} == {None, "zh_CN"}
    assert {s.get(XML_LANG) for s in root.findall("summary")} == {None, "zh_CN"}
    version = (ROOT / "agent_desktop" / "__init__.py").read_text(encoding="utf-8")
    release = root.find("releases/release")
    assert release is not None and f'__version__ = "{release.get("version")}"' in version


def test_the_icons_are_what_make_icons_renders_from_the_svg(qapp, tmp_path):
    make_icons = _make_icons()
    make_icons.build(tmp_path)
    for size in make_icons.SIZES:
        shipped = QImage(str(ROOT / "packaging" / "icons" / f"agent-desktop-{size}.png"))
        fresh = QImage(str(tmp_path / "icons" / f"agent-desktop-{size}.png"))
        assert shipped.size().width() == size and shipped.size().height() == size
        assert shipped == fresh, f"packaging/icons/agent-desktop-{size}.png is stale: run scripts/make_icons.py"
    ico = (ROOT / "packaging" / "windows" / "agent-desktop.ico").read_bytes()
    assert ico == (tmp_path / "windows" / "agent-desktop.ico").read_bytes(), "stale .ico: run scripts/make_icons.py"
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind, count) == (0, 1, len(make_icons.SIZES))
    sides = sorted(struct.unpack_from("<B", ico, 6 + 16 * n)[0] or 256 for n in range(count))
    assert sides == sorted(make_icons.SIZES)


@pytest.mark.parametrize("size", [16, 256])
def test_the_app_icon_is_drawn_not_empty(qapp, size):
    from agent_desktop.ui.resources import icon

    image = icon("app").pixmap(size, size).toImage()
    assert not image.isNull() and image.width() == size
    colours = {image.pixel(x, y) for x in range(0, size, max(1, size // 16)) for y in range(0, size, max(1, size // 16))}
    assert len(colours) > 2
