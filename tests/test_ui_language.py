"""One language at a time: no English wording in the Chinese interface, no Chinese wording in the
English one (data, such as customer names, excepted), as agent and as lead; and in either language,
at 1366×740, no text is cut and no tab hides behind tab-bar arrows."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Words that stay as they are in Chinese interfaces: key names and the trade's acronyms.
LATIN_KEPT = {"Ctrl", "Shift", "Enter", "Tab", "Esc", "SLA", "CSAT", "FAQ", "VIP", "AHT", "ASA", "FCR", "ACW",
              "F5", "F6", "F7", "F8", "F11", "Alt", "OK"}
CJK = re.compile(r"[\u3400-\u9fff]")
# The 话术 tab keeps its Chinese trade word in English too: it is the product's name for scripts.
CJK_KEPT_IN_ENGLISH = {"话术"}


_RUNS: dict[tuple[str, str], dict[str, object]] = {}


def _driven(tmp_path_factory, language: str, user: str) -> dict[str, object]:
    """One run of the real app per language and user: its chrome texts, size and clipped parts."""
    if (language, user) not in _RUNS:
        home = tmp_path_factory.mktemp(f"{language}-{user}")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
               "AGENT_DESKTOP_HOME": str(home / "home")}
        done = subprocess.run([sys.executable, str(ROOT / "tests" / "ui_texts_driver.py"), "--lang", language,
                               "--user", user], cwd=home, env=env, capture_output=True, text=True, timeout=240)
        found = dict(re.findall(r"^(TEXTS|SIZE|CLIPPED) (.*)$", done.stdout, re.M))
        assert set(found) == {"TEXTS", "SIZE", "CLIPPED"}, done.stdout[-2000:] + done.stderr[-3000:]
        _RUNS[language, user] = {key: json.loads(value) for key, value in found.items()}
    return _RUNS[language, user]


def _chrome_texts(tmp_path_factory, language: str, user: str) -> list[str]:
    return _driven(tmp_path_factory, language, user)["TEXTS"]  # type: ignore[return-value]


@pytest.mark.parametrize("user", ["agent1", "lead1"])
def test_the_chinese_interface_has_no_english_wording(tmp_path_factory, user):
    offenders = []
    for text in _chrome_texts(tmp_path_factory, "zh_CN", user):
        words = {w for w in re.findall(r"[A-Za-z][A-Za-z]+", text.replace("&", "")) if w not in LATIN_KEPT}
        if words:
            offenders.append(text)
    assert not offenders, offenders


@pytest.mark.parametrize("user", ["agent1", "lead1"])
def test_the_english_interface_has_no_chinese_wording(tmp_path_factory, user):
    offenders = [text for text in _chrome_texts(tmp_path_factory, "en", user)
                 if CJK.search(re.sub("|".join(CJK_KEPT_IN_ENGLISH), "", text))]
    assert not offenders, offenders


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("user", ["agent1", "lead1"])
def test_nothing_is_cut_at_1366x768(tmp_path_factory, language, user):
    run = _driven(tmp_path_factory, language, user)
    assert run["SIZE"] == [1366, 740]      # the window took the size: its minimum is smaller
    assert run["CLIPPED"] == []


def test_the_clipping_check_sees_a_cut_text_and_tabs_behind_arrows(qtbot):
    """The check above can fail: a squeezed button and a crowded tab bar are reported."""
    from PySide6.QtWidgets import QPushButton, QTabWidget, QVBoxLayout, QWidget

    from tests.ui_texts_driver import _clipped

    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    button = QPushButton("Resolve and go to the next conversation")
    button.setFixedWidth(60)
    tabs = QTabWidget()
    tabs.setUsesScrollButtons(True)
    for n in range(12):
        tabs.addTab(QWidget(), f"Scripts and answers {n}")
    layout.addWidget(button)
    layout.addWidget(tabs)
    window.resize(300, 200)
    window.show()
    qtbot.waitExposed(window)
    found = _clipped(window)
    assert any(f.startswith("text cut:") and "Resolve and go" in f for f in found), found
    assert any(f.startswith("tabs behind arrows:") for f in found), found
