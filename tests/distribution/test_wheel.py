"""The package works without the source tree: the sdist builds, the wheel built from it carries the
theme, icons, translations and contract, and, installed into a fresh virtual environment, starts
and paints the inbox from a folder outside the checkout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("agent_desktop/resources/theme.qss", "agent_desktop/resources/openapi.json",
           "agent_desktop/resources/i18n/agent_desktop_zh_CN.qm", "agent_desktop/resources/icons/inbox.svg")

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Xvfb is a Linux X server"),
]


def _run(command: list[str], **options) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, **options)
    assert done.returncode == 0, f"{command[:3]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: nothing points into the checkout."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "QT_QPA_PLATFORM", "VIRTUAL_ENV") and not k.startswith("PYTEST")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """sdist → wheel (built from the sdist, as `python -m build` does) → a fresh venv."""
    work = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(ROOT)], timeout=600)
    sdists = list((work / "dist").glob("agent_desktop-*.tar.gz"))
    wheels = list((work / "dist").glob("agent_desktop-*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, list((work / "dist").iterdir())
    with tarfile.open(sdists[0]) as sdist:
        in_sdist = {"/".join(name.split("/")[1:]) for name in sdist.getnames()}
    with zipfile.ZipFile(wheels[0]) as wheel:
        in_wheel = set(wheel.namelist())
    for shipped in SHIPPED:
        assert shipped in in_sdist, f"the sdist lacks {shipped}"
        assert shipped in in_wheel, f"the wheel lacks {shipped}"
    assert "constraints.txt" in in_sdist  # the lock travels with the source
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-qq", "--disable-pip-version-check",
          "-c", str(ROOT / "constraints.txt"), str(wheels[0])], timeout=900, env=_clean_env())
    return venv


def test_the_installed_package_is_not_the_checkout(installed, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    done = _run([str(installed / "bin" / "python"), "-c",
                 "import agent_desktop, agent_desktop.ui.resources as r; print(agent_desktop.__file__); "
                 "print(r.translations_dir()); print(len(r.stylesheet()))"],
                cwd=outside, env=_clean_env(QT_QPA_PLATFORM="offscreen"), timeout=60)
    module, translations, stylesheet_size = done.stdout.split()
    assert Path(module).is_relative_to(installed) and not Path(module).is_relative_to(ROOT)
    assert (Path(translations) / "agent_desktop_zh_CN.qm").is_file()
    assert int(stylesheet_size) > 1000


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_installed_app_starts_and_paints_the_inbox_outside_the_checkout(installed, tmp_path, language):
    assert shutil.which("xvfb-run"), "xvfb-run is missing: scripts/setup.sh test installs it (package xvfb)"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    home = tmp_path / "home"
    shot = tmp_path / f"wheel-{language}.png"
    done = _run(["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", str(installed / "bin" / "agent-desktop"),
                 "--lang", language, "--screenshot", str(shot)],
                cwd=outside, env=_clean_env(AGENT_DESKTOP_HOME=str(home), QT_QPA_PLATFORM="xcb"), timeout=240)
    assert re.search(r"launch to painted inbox: [\d.]+ s", done.stdout), done.stdout
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 1000
    colours = {image.pixel(x, y) for y in range(0, image.height(), 7) for x in range(0, image.width(), 7)}
    assert len(colours) > 40, "the screenshot looks blank"
    log = (home / "logs" / "agent-desktop.log").read_text(encoding="utf-8")
    assert "translation not found" not in log and "No such file" not in log, log[-2000:]
