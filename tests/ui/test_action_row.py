"""The conversation's action row never widens the window, and every action stays reachable."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget

from agent_desktop.ui.action_row import ActionRow


def _row(qtbot, width: int):
    host = QWidget()
    qtbot.addWidget(host)
    row = ActionRow()
    clicked: list[str] = []
    buttons = []
    for n, keys in enumerate(["Ctrl+Shift+P", "Ctrl+Shift+R", "Ctrl+Shift+T", "Ctrl+Shift+X", "Ctrl+Shift+B"]):
        button = QPushButton(f"Action number {n}")
        button.setShortcut(QKeySequence(keys))
        button.clicked.connect(lambda _=False, n=n: clicked.append(n))
        row.add(button)
        buttons.append(button)
    QVBoxLayout(host).addWidget(row)
    host.resize(width, 80)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is host)  # shortcuts need the active window
    return host, row, buttons, clicked


def test_a_narrow_row_moves_what_does_not_fit_into_more_and_its_shortcuts_still_work(qtbot):
    host, row, buttons, clicked = _row(qtbot, 330)
    assert row.minimumSizeHint().width() < 150       # the row never sets the window's width
    overflowed = row.overflowed()
    assert overflowed and row.more.isVisible()
    assert all(b.isVisible() for b in buttons if b not in overflowed)
    assert all(b.geometry().right() <= row.width() for b in buttons if b.isVisible())
    hidden = overflowed[-1]
    qtbot.keyClick(host, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert clicked == [buttons.index(hidden)]
    row.menu.aboutToShow.emit()
    assert [a.text().split("\t")[0] for a in row.menu.actions()] == [b.text() for b in overflowed]


def test_a_wide_row_shows_everything_and_unwanted_buttons_take_no_place(qtbot):
    _host, row, buttons, clicked = _row(qtbot, 1200)
    assert not row.overflowed() and not row.more.isVisible()
    row.set_wanted(buttons[0], False)
    assert not buttons[0].isVisible() and buttons[0] not in row.overflowed()
    buttons[1].click()
    assert clicked == [1]


def test_a_button_that_grows_after_the_row_chose_moves_into_more_instead_of_squeezing_the_rest(qtbot):
    """The theme's padding arrives with polishing, a language change lengthens a label: the row
    chooses again when a button asks for more room (seen once in CI: every Chinese button cut to 57 px)."""
    host, row, buttons, _clicked = _row(qtbot, 2000)
    assert not row.overflowed()
    host.resize(sum(b.sizeHint().width() for b in buttons) + 6 * 4 + 30, 80)
    qtbot.waitUntil(lambda: row.width() < 2000)
    assert not row.overflowed()
    buttons[1].setText("A much, much longer label for the second action than before")

    def settled() -> bool:
        shown = [b for b in buttons if b.isVisible()]
        return all(b.width() >= b.sizeHint().width() for b in shown) and bool(row.overflowed())

    qtbot.waitUntil(settled)
    assert row.more.isVisible()
