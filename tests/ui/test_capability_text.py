"""Why a feature is greyed out, in the agent's language, for every capability and every kind of
backend: a sentence lupdate never saw (the wrong translation context) would stay English in the
Chinese window."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from agent_desktop.backends.base import Capability
from agent_desktop.backends.registry import KINDS
from agent_desktop.ui.capability_text import unsupported_reason
from agent_desktop.ui.resources import translations_dir

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def chinese(qapp):
    translator = QTranslator()
    assert translator.load(str(translations_dir() / "agent_desktop_zh_CN.qm"))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


@pytest.mark.parametrize("kind", ["", *KINDS])
def test_every_reason_is_translated(chinese, kind):
    for capability in Capability:
        if capability is Capability.CORE:
            continue
        reason = unsupported_reason(capability, kind)
        assert CJK.search(reason), (kind, capability, reason)


def test_a_vendor_reason_names_the_vendor_and_says_where_to_do_it(qapp):
    assert "Zammad" in unsupported_reason(Capability.CALLBACKS, "zammad")
    assert "pending reminder" in unsupported_reason(Capability.CALLBACKS, "zammad")
    assert unsupported_reason(Capability.CALLBACKS, "") == "This server does not support callbacks."
