"""A row of buttons that never widens its panel: what does not fit goes into a "More" menu.

The row's minimum width is its "More" button alone, so a narrow conversation column (1366×768
screens, Chinese labels) keeps every action reachable instead of pushing the window wider. A
button's own shortcut works while it is on screen; while it waits in the menu, the row's shortcut
for it is live instead (never both: Qt ignores an ambiguous shortcut).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QSizePolicy, QToolButton, QWidget

SPACING = 6


class ActionRow(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._buttons: list[QPushButton] = []
        self._wanted: dict[QPushButton, bool] = {}
        self._shortcuts: dict[QPushButton, QShortcut] = {}
        self.more = QToolButton()
        self.more.setObjectName("moreActions")
        self.more.setText(self.tr("More"))
        self.more.setToolTip(self.tr("More actions"))
        self.more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.more)
        self.menu.aboutToShow.connect(self._fill_menu)
        self.more.setMenu(self.menu)
        self.more.setVisible(False)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(SPACING)
        self._layout.addWidget(self.more)
        self._layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def add(self, button: QPushButton, *, wanted: bool = True) -> None:
        self._layout.insertWidget(len(self._buttons), button)
        self._buttons.append(button)
        self._wanted[button] = wanted
        keys = button.shortcut()
        if not keys.isEmpty():
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.setEnabled(False)
            shortcut.activated.connect(lambda b=button: self._click_overflowed(b))
            self._shortcuts[button] = shortcut
        self._relayout()

    def set_wanted(self, button: QPushButton, wanted: bool) -> None:
        """Whether the button belongs in the row now (on screen or in the menu)."""
        if self._wanted.get(button) != wanted:
            self._wanted[button] = wanted
            self._relayout()

    def overflowed(self) -> list[QPushButton]:
        return [b for b in self._buttons if self._wanted[b] and b.isHidden()]

    # -- layout ---------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        wanted = [b for b in self._buttons if self._wanted[b]]
        width = sum(b.sizeHint().width() for b in wanted) + SPACING * max(0, len(wanted) - 1)
        height = max([b.sizeHint().height() for b in self._buttons] + [self.more.sizeHint().height()])
        return QSize(width, height)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.more.sizeHint().width(), self.sizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._relayout()

    def event(self, event: QEvent) -> bool:
        # A button's size hint can grow after the row last chose what fits (the theme's padding
        # arrives with polishing at first show, a font or text change): the child asks its parent
        # for a new layout, and the choice is made again instead of squeezing every button.
        if event.type() == QEvent.Type.LayoutRequest:
            self._relayout()
        return super().event(event)

    def _relayout(self) -> None:
        wanted = [b for b in self._buttons if self._wanted[b]]
        widths = [b.sizeHint().width() for b in wanted]
        room = self.width()
        fits = len(wanted)
        if sum(widths) + SPACING * max(0, len(wanted) - 1) > room:
            room -= self.more.sizeHint().width() + SPACING
            used, fits = 0, 0
            for width in widths:
                if used + width > room:
                    break
                used += width + SPACING
                fits += 1
        shown = set(wanted[:fits])
        for button in self._buttons:
            on_screen = button in shown
            if button.isHidden() == on_screen:
                button.setVisible(on_screen)
            shortcut = self._shortcuts.get(button)
            if shortcut is not None:
                shortcut.setEnabled(self._wanted[button] and not on_screen)
        self.more.setVisible(fits < len(wanted))

    def _click_overflowed(self, button: QPushButton) -> None:
        if self._wanted[button] and button.isEnabled():
            button.click()

    def _fill_menu(self) -> None:
        self.menu.clear()
        for button in self.overflowed():
            keys = button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action = self.menu.addAction(f"{button.text()}\t{keys}" if keys else button.text())
            action.setEnabled(button.isEnabled())
            action.triggered.connect(lambda _=False, b=button: b.click())
