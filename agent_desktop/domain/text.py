"""Text rules shared by search and display: CJK-aware tokens, and neutralising Unicode traps."""

from __future__ import annotations

import re
import unicodedata

# CJK ideographs, kana and hangul: languages written without spaces.
_CJK = "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+(?:[._@+\-'][0-9A-Za-z\u00c0-\u024f]+)*")

# Bidi overrides/embeddings/isolates, zero-width characters and other invisible formatters.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


# Private-use characters are tokens to unicode61; this one marks "punctuation was here" so a
# phrase like "退 款" cannot match across "撤退，款项".
BREAK_TOKEN = "\ue000"
_SEPARATORS = re.compile(f"[^\\w{_CJK}]+")


def spaced_for_index(text: str) -> str:
    """Put a space around every CJK character so FTS5's unicode61 indexes each one alone.

    A per-character index finds 1- and 2-character Chinese words (退, 退款) that trigram and
    unicode61 miss (DESIGN.md §5). Runs of punctuation and spaces become a break token.
    """
    spaced = _SEPARATORS.sub(f" {BREAK_TOKEN} ", text)
    # One substitution per run of CJK characters, not per character: the sync's hottest loop.
    return _CJK_RUN.sub(lambda run: " " + " ".join(run.group()) + " ", spaced)


def fts_query(user_text: str) -> str | None:
    """Turn what a user typed into an FTS5 MATCH expression, or None if nothing searchable.

    CJK runs become phrases of single characters (`"退 款"`); other words become prefix terms
    (`"invoic"*`). All parts must match. Quotes are always balanced: user input never reaches
    FTS5 syntax unescaped.
    """
    parts: list[str] = []
    for run in _CJK_RUN.findall(user_text):
        parts.append('"' + " ".join(run) + '"')
    rest = _CJK_RUN.sub(" ", user_text)
    for word in _WORD.findall(rest):
        # "zhang.wei@acme" stays one phrase (the parts in this order), the last part a prefix.
        pieces = [piece for piece in re.split(r"[._@+\-']", word) if piece]
        if pieces:
            parts.append('"' + f" {BREAK_TOKEN} ".join(pieces) + '"*')
    return " ".join(parts) if parts else None


def like_patterns(user_text: str) -> list[str]:
    """LIKE patterns (escape character backslash) for the parts `fts_query` would match: CJK runs
    and words as substrings. For messages not indexed yet (the minutes after a full sync)."""
    parts = _CJK_RUN.findall(user_text) + _WORD.findall(_CJK_RUN.sub(" ", user_text))
    escaped = (part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for part in parts)
    return [f"%{part}%" for part in escaped]


def safe_display(text: str | None, limit: int | None = None) -> str:
    """Neutralise text from a server for a label, list row or header.

    Removes RTL overrides, zero-width and control characters and lone surrogates (which would
    reorder or hide text, or crash encoders), folds newlines to spaces, and caps the length.
    """
    if not text:
        return ""
    text = _SURROGATE.sub("\ufffd", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    text = " ".join(text.split())
    text = unicodedata.normalize("NFC", text)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


def clean_body(text: str) -> str:
    """A message body for the thread: keeps line breaks, drops traps that reorder or hide text."""
    text = _SURROGATE.sub("\ufffd", text)
    text = _INVISIBLE.sub("", text)
    return _CONTROL.sub("", text)


def localized_name(record: dict, chinese: bool, key: str = "name") -> str:
    """A record's name in the interface language: `<key>_en` in English when it has one, else `<key>`
    (queues, wrap-up codes and the like carry the Chinese name first)."""
    english = record.get(f"{key}_en")
    return str(english if english and not chinese else record.get(key) or "")
