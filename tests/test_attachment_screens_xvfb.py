"""Screenshots of the attachment and rich e-mail features in the real window, both languages.

For each language the app runs under Xvfb on a 1366×768 screen (a real X window, not offscreen),
signed in to the embedded demo as agent1, driven by tests/attachment_screens_driver.py: the
demo's rich HTML e-mail scrolled to its bottom (inline photo, invoice chip, "Show quoted text"),
the same with the quote unfolded (the remote-image placeholder), the PDF preview on the invoice,
the demo chat with the photo's thumbnail and the picture viewer on it. The driver checks what is
on screen and prints "FINDING …" lines for what a person should judge (sideways scrolling, a
dialog taller than the screen, English in the Chinese interface, missing-glyph boxes).
Screenshots (attachments-<lang>-<what>.png) go to $AGENT_DESKTOP_ARTIFACTS (default: the test's
temporary folder) to be looked at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]
SCREEN = "1366x768"
SHOTS = ("thread", "thread-unfolded", "pdf", "pdf-screen", "chat", "viewer")


@pytest.mark.xvfb
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Xvfb is a Linux X server")
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_attachment_screens(tmp_path, language):
    assert shutil.which("xvfb-run"), "xvfb-run is missing: scripts/setup.sh test installs it (package xvfb)"
    out_dir = Path(os.environ.get("AGENT_DESKTOP_ARTIFACTS", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = f"attachments-{language}"
    for name in SHOTS:
        (out_dir / f"{prefix}-{name}.png").unlink(missing_ok=True)   # never judge an older run's picture
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(AGENT_DESKTOP_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", f"-screen 0 {SCREEN}x24", sys.executable,
         str(ROOT / "tests" / "attachment_screens_driver.py"), str(out_dir), prefix,
         "--lang", language, "--user", "agent1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    print(done.stdout)   # the checks and the findings, for `pytest -s` and the report
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-3000:]
    assert "FAIL" not in done.stdout, done.stdout
    width, height = (int(n) for n in SCREEN.split("x"))
    for name in SHOTS:
        shot = out_dir / f"{prefix}-{name}.png"
        assert shot.is_file(), f"no screenshot {shot}"
        image = QImage(str(shot))
        assert not image.isNull(), f"unreadable screenshot {shot}"
        colours = {image.pixel(x, y) for y in range(0, image.height(), 9) for x in range(0, image.width(), 9)}
        assert len(colours) > 40, f"the screenshot looks blank: {shot}"
        if name in ("thread", "thread-unfolded", "chat", "pdf-screen"):
            assert image.width() <= width and image.height() <= height, f"{shot} is larger than {SCREEN}"
