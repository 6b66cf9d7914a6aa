"""English spelling through Enchant (pyenchant), with the agent's own word list in the data folder.

Off, with the reason, when pyenchant or an English dictionary is missing (the setup installs
hunspell-en-us): the reply box then simply has no underlines. Words are checked on the GUI thread
one at a time (microseconds each, and remembered), never a whole text at once.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

PERSONAL_FILE = "personal-dictionary.txt"
LANGUAGE = "en_US"
SUGGESTIONS = 5
CACHE_LIMIT = 50_000     # remembered answers (a word each): bounded, cleared when full
MISSING_LIBRARY = "missing_library"
MISSING_DICTIONARY = "missing_dictionary"
BROKEN = "broken"


class SpellingService:
    def __init__(self, personal: Path, language: str = LANGUAGE) -> None:
        self.personal = personal
        self.language = language
        self.reason = ""          # "" when available, else MISSING_LIBRARY / MISSING_DICTIONARY / BROKEN
        self._dict = None
        self._known: dict[str, bool] = {}
        try:
            import enchant
        except ImportError:
            self.reason = MISSING_LIBRARY
        else:
            try:
                if not enchant.dict_exists(language):
                    self.reason = MISSING_DICTIONARY
                else:
                    personal.parent.mkdir(parents=True, exist_ok=True)
                    self._dict = enchant.DictWithPWL(language, str(personal))
            except (enchant.errors.Error, OSError) as exc:
                self.reason = BROKEN
                log.warning("spell check off: %s", type(exc).__name__)
        if self.reason:
            log.info("spell check off (%s, %s)", self.reason, language)

    @property
    def available(self) -> bool:
        return self._dict is not None

    def check(self, word: str) -> bool:
        """True when `word` is spelt right (or nothing can tell)."""
        if self._dict is None:
            return True
        known = self._known.get(word)
        if known is None:
            if len(self._known) >= CACHE_LIMIT:
                self._known.clear()
            known = self._known[word] = bool(self._dict.check(word))
        return known

    def suggest(self, word: str, limit: int = SUGGESTIONS) -> list[str]:
        if self._dict is None:
            return []
        return list(dict.fromkeys(self._dict.suggest(word)))[:limit]

    def add(self, word: str) -> None:
        """Into the personal word list (a line appended to its file): right from now on."""
        if self._dict is None or not word.strip():
            return
        self._dict.add(word)
        self._known[word] = True
