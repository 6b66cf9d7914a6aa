"""One language at a time: no English wording in the Chinese interface, no Chinese wording in the
English one (data, such as customer names, excepted), as agent and as lead."""

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


def _chrome_texts(tmp_path, language: str, user: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "AGENT_DESKTOP_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "ui_texts_driver.py"), "--lang", language,
                           "--user", user], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    match = re.search(r"^TEXTS (.*)$", done.stdout, re.M)
    assert match, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads(match.group(1))


@pytest.mark.parametrize("user", ["agent1", "lead1"])
def test_the_chinese_interface_has_no_english_wording(tmp_path, user):
    offenders = []
    for text in _chrome_texts(tmp_path, "zh_CN", user):
        words = {w for w in re.findall(r"[A-Za-z][A-Za-z]+", text.replace("&", "")) if w not in LATIN_KEPT}
        if words:
            offenders.append(text)
    assert not offenders, offenders


@pytest.mark.parametrize("user", ["agent1", "lead1"])
def test_the_english_interface_has_no_chinese_wording(tmp_path, user):
    offenders = [text for text in _chrome_texts(tmp_path, "en", user)
                 if CJK.search(re.sub("|".join(CJK_KEPT_IN_ENGLISH), "", text))]
    assert not offenders, offenders
