"""The real window on common call-centre screens, both languages, agent and lead: it fits.

Each case launches the app under Xvfb on a screen of that size (1920×1080 at 150 % is Qt scaling
1.5 on a 1920×1080 screen: 1280×720 logical pixels) and grabs the window once the inbox painted.
Screenshots go to $AGENT_DESKTOP_ARTIFACTS (default: the test's temporary folder) to be looked at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]

CASES = [  # (screen, scale, language, user, view)
    ("1366x768", 1.0, "en", "agent1", "inbox"),
    ("1366x768", 1.0, "zh_CN", "agent1", "inbox"),
    ("1366x768", 1.0, "en", "lead1", "dashboard"),
    ("1366x768", 1.0, "zh_CN", "lead1", "dashboard"),
    ("1366x768", 1.0, "zh_CN", "lead1", "wallboard"),
    ("1280x1024", 1.0, "en", "agent1", "inbox"),
    ("1600x1000", 1.0, "en", "lead1", "wallboard"),
    ("1920x1080", 1.5, "zh_CN", "agent1", "inbox"),
]


@pytest.mark.xvfb
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Xvfb is a Linux X server")
@pytest.mark.parametrize("screen,scale,language,user,view", CASES,
                         ids=[f"{c[0]}@{c[1]}-{c[2]}-{c[3]}-{c[4]}" for c in CASES])
def test_the_window_fits_the_screen(tmp_path, screen, scale, language, user, view):
    assert shutil.which("xvfb-run"), "xvfb-run is missing: scripts/setup.sh test installs it (package xvfb)"
    out_dir = Path(os.environ.get("AGENT_DESKTOP_ARTIFACTS", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    shot = out_dir / f"screen-{screen}-{scale}-{language}-{user}-{view}.png"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(AGENT_DESKTOP_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR=str(scale))
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", f"-screen 0 {screen}x24", sys.executable, str(ROOT / "main.py"),
         "--lang", language, "--user", user, "--view", view, "--screenshot", str(shot)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"launch to painted inbox: [\d.]+ s", done.stdout), done.stdout
    image = QImage(str(shot))
    assert not image.isNull()
    width, height = (int(n) for n in screen.split("x"))
    # The grab is in device pixels: the window must fit the physical screen.
    assert image.width() <= width and image.height() <= height, (
        f"{image.width()}×{image.height()} does not fit {screen} at {scale:g}× ({shot})")
    colours = {image.pixel(x, y) for y in range(0, image.height(), 9) for x in range(0, image.width(), 9)}
    assert len(colours) > 40, f"the screenshot looks blank: {shot}"
