"""One real window under Xvfb: `main.py --screenshot` on the embedded demo backend."""

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


def _distinct_colours(image: QImage, step: int = 7) -> int:
    seen = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


@pytest.mark.xvfb
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Xvfb is a Linux X server")
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_screenshot_of_a_real_window(tmp_path, language):
    assert shutil.which("xvfb-run"), "xvfb-run is missing: scripts/test.sh installs it (package xvfb)"
    out = tmp_path / f"shot-{language}.png"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(AGENT_DESKTOP_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="xcb")
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, str(ROOT / "main.py"),
         "--lang", language, "--screenshot", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    match = re.search(r"launch to painted inbox: ([\d.]+) s", done.stdout)
    assert match, done.stdout
    image = QImage(str(out))
    assert not image.isNull()
    assert image.width() >= 1000 and image.height() >= 600
    assert _distinct_colours(image) > 40, "the screenshot looks blank"
    print(f"{language}: launch to painted inbox {match.group(1)} s")
