"""Spell check in the reply box with the real Enchant dictionary: red wavy underlines on misspelt
English words only, suggestions and "Add to dictionary" from the context menu, one paragraph
re-checked per edit; off with a reason (never a crash) without a dictionary."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCharFormat

from agent_desktop.services.spelling import MISSING_DICTIONARY, SpellingService
from agent_desktop.ui import spell_check
from agent_desktop.ui.composer import Composer
from tests.ui.conftest import type_text


@pytest.fixture
def spelling(tmp_path):
    service = SpellingService(tmp_path / "personal-dictionary.txt")
    if not service.available:
        pytest.skip(f"no English dictionary for Enchant here ({service.reason}); the setup installs hunspell-en-us")
    return service


@pytest.fixture
def composer(qtbot, spelling):
    made = Composer()
    qtbot.addWidget(made)
    made.resize(600, 240)
    made.show()
    made.set_spelling(spelling)
    return made


def marks(block) -> list[tuple[int, int, QTextCharFormat]]:
    """The block's formats, copied while the list that owns them is alive."""
    ranges = block.layout().formats()
    return [(r.start, r.length, QTextCharFormat(r.format)) for r in ranges]


def wavy(block) -> list[str]:
    return [block.text()[start:start + length] for start, length, fmt in marks(block)
            if fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline]


def flagged(text: str, service: SpellingService) -> list[str]:
    return [text[s:s + n] for s, n in spell_check.misspelt_spans(text, service.check)]


def test_only_plain_english_words_are_checked(spelling):
    text = ("Helo, I recieved the parcel. See https://exampel.com/teh or www.exampel.org, mail jonh@exampel.com, "
            "{{custmer.nmae}} VIP客户wrold 你好 abc123 NASAA don't café x")
    assert flagged(text, spelling) == ["Helo", "recieved", "wrold"]


def test_misspelt_words_get_a_red_wavy_underline(composer, spelling):
    composer.load("reply", "Thank you for the qestion {{订单号}}")
    block = composer.editor.document().firstBlock()
    found = marks(block)
    red = [(start, length) for start, length, fmt in found
           if fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
           and fmt.underlineColor().name() == spell_check.UNDERLINE]
    assert red == [(len("Thank you for the "), len("qestion"))]
    assert any(fmt.background().color().name() == "#ffe08a" for _, _, fmt in found)   # the placeholder still marked


def test_suggestions_replace_the_word_and_add_to_dictionary_keeps_it(composer, spelling, tmp_path):
    composer.load("reply", "I hav a Zorblax question")
    menu = composer.editor.spelling_menu(3)
    texts = [a.text() for a in menu.actions()]
    assert "have" in texts[:5]
    next(a for a in menu.actions() if a.text() == "have").trigger()
    assert composer.editor.toPlainText() == "I have a Zorblax question"
    position = composer.editor.toPlainText().index("Zorblax") + 2
    menu = composer.editor.spelling_menu(position)
    add = next(a for a in menu.actions() if a.objectName() == "addToDictionary")
    assert "Zorblax" in add.text()
    add.trigger()
    assert flagged("Zorblax", spelling) == []
    assert "Zorblax" in (tmp_path / "personal-dictionary.txt").read_text(encoding="utf-8")
    assert SpellingService(tmp_path / "personal-dictionary.txt").check("Zorblax")   # kept for next time
    assert wavy(composer.editor.document().firstBlock()) == []
    # A word spelt right gets no suggestions, only the standard menu.
    plain = composer.editor.spelling_menu(1)
    assert not [a for a in plain.actions() if a.objectName() == "addToDictionary"]


def test_an_edit_rechecks_its_own_paragraph_not_the_whole_text(composer, qtbot, spelling):
    composer.load("reply", "\n".join(f"Paragraph {n} with a mistaek in it." for n in range(3000)))
    before = composer.highlighter.blocks_checked
    cursor = composer.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    composer.editor.setTextCursor(cursor)
    composer.editor.setFocus()
    type_text(qtbot, composer.editor, " wrold")
    assert 1 <= composer.highlighter.blocks_checked - before <= 2 * len(" wrold")
    assert wavy(composer.editor.document().lastBlock()) == ["mistaek", "wrold"]
    # One huge paragraph: only its head is checked.
    huge = "wrold " * 20_000
    spans = spell_check.misspelt_spans(huge, spelling.check)
    assert spans and max(s for s, _ in spans) < spell_check.MAX_BLOCK_CHARS


def test_without_a_dictionary_spell_check_is_off_with_a_reason(qtbot, tmp_path):
    service = SpellingService(tmp_path / "words.txt", language="xx_YY")
    assert not service.available and service.reason == MISSING_DICTIONARY
    assert service.check("wrold") and service.suggest("wrold") == []
    composer = Composer()
    qtbot.addWidget(composer)
    composer.set_spelling(service)
    composer.load("reply", "wrold")
    assert "no English (en_US) dictionary" in composer.spelling_off
    assert not marks(composer.editor.document().firstBlock())
    assert not [a for a in composer.editor.spelling_menu(2).actions() if a.objectName() == "addToDictionary"]


def test_the_context_menu_key_offers_suggestions_for_the_word_at_the_cursor(composer, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    composer.load("reply", "Plese call me")
    cursor = composer.editor.textCursor()
    cursor.setPosition(2)
    composer.editor.setTextCursor(cursor)
    # The Menu key (or Shift+F10): Qt sends a keyboard context-menu event; the word is the cursor's.
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(1, 1), QPoint(1, 1))
    QApplication.sendEvent(composer.editor, event)
    menu = composer.editor.context_menu
    qtbot.waitUntil(lambda: menu.isVisible())
    texts = [a.text() for a in menu.actions()]
    assert "Please" in texts[:5] and "Add “Plese” to dictionary" in texts
    next(a for a in menu.actions() if a.text() == "Please").trigger()
    menu.close()
    assert composer.editor.toPlainText() == "Please call me"
