"""Wire records of the knowledge feature: `script` (话术, plain or guided) and `faq_article`.

Validated like every other feed record: `parse_*` returns a clean record or raises
InvalidRecord naming the field, so one malformed script never blocks a sync batch.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from .records import (
    MAX_ID_LENGTH,
    InvalidRecord,
    _choice,
    _count,
    _id,
    _require_dict,
    _str,
    _str_list,
    _time,
    _version,
)
from .scripts import InvalidGuide, parse_guide

CATEGORIES = ("presales", "aftersales", "complaints", "general")
LANGUAGES = ("zh", "en")
SCOPES = ("shared", "personal")
KINDS = ("text", "guided")
MAX_SCRIPT_BODY = 20_000
MAX_ARTICLE_BODY = 200_000
SHORTCUT = re.compile(r"^[0-9A-Za-z_\-\u4e00-\u9fff]{0,32}$")
# Ids the client proposes for personal scripts made offline: "ps-" + 32 hex digits.
PERSONAL_ID = re.compile(r"^ps-[0-9a-f]{32}$")


@dataclass(frozen=True)
class Script:
    id: str
    title: str
    body: str
    category: str
    language: str
    version: int
    shortcut: str = ""
    tags: list[str] = field(default_factory=list)
    scope: str = "shared"
    owner_id: str | None = None
    kind: str = "text"
    start: str | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    used_count: int = 0
    updated_at: str | None = None

    def to_wire(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("id")
        return data


@dataclass(frozen=True)
class FaqArticle:
    id: str
    title: str
    body: str
    category: str
    language: str
    version: int
    tags: list[str] = field(default_factory=list)
    url: str = ""
    updated_at: str | None = None
    used_count: int = 0
    helpful_count: int = 0
    not_helpful_count: int = 0

    def to_wire(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("id")
        return data


def parse_script(record_id: str, data: Any) -> Script:
    data = _require_dict(data)
    kind = _choice(data, "kind", KINDS, default="text")
    shortcut = (_str(data, "shortcut", required=False, limit=32) or "").strip().lstrip("/")
    if not SHORTCUT.match(shortcut):
        raise InvalidRecord("field 'shortcut' may hold only letters, digits, '-', '_' and Chinese characters")
    steps = data.get("steps") or []
    start = _str(data, "start", required=False, limit=64, default=None)
    if kind == "guided":
        try:
            parse_guide(start, steps)
        except InvalidGuide as exc:
            raise InvalidRecord(f"field 'steps': {exc}") from exc
    scope = _choice(data, "scope", SCOPES, default="shared")
    owner = _id(data, "owner_id", required=False)
    if scope == "personal" and not owner:
        raise InvalidRecord("a personal script needs 'owner_id'")
    body = _str(data, "body", required=kind == "text", limit=MAX_SCRIPT_BODY) or ""
    if kind == "text" and not body.strip():
        raise InvalidRecord("field 'body' is empty")
    title = (_str(data, "title") or "").strip()
    if not title:
        raise InvalidRecord("field 'title' is empty")
    return Script(
        id=record_id, title=title, body=body,
        category=_choice(data, "category", CATEGORIES, default="general"),
        language=_choice(data, "language", LANGUAGES, default="zh"),
        version=_version(data) if "version" in data else 1,
        shortcut=shortcut, tags=_str_list(data, "tags"), scope=scope, owner_id=owner, kind=kind,
        start=start if kind == "guided" else None, steps=steps if kind == "guided" else [],
        used_count=_count(data, "used_count"), updated_at=_time(data, "updated_at"),
    )


def parse_faq_article(record_id: str, data: Any) -> FaqArticle:
    data = _require_dict(data)
    title = (_str(data, "title") or "").strip()
    if not title:
        raise InvalidRecord("field 'title' is empty")
    url = _str(data, "url", required=False, limit=500) or ""
    if url and not url.startswith(("https://", "http://")):
        raise InvalidRecord("field 'url' must be an http(s) address")  # never javascript: or file:
    return FaqArticle(
        id=record_id, title=title, body=_str(data, "body", limit=MAX_ARTICLE_BODY) or "",
        category=_choice(data, "category", CATEGORIES, default="general"),
        language=_choice(data, "language", LANGUAGES, default="zh"),
        version=_version(data) if "version" in data else 1,
        tags=_str_list(data, "tags"), url=url, updated_at=_time(data, "updated_at"),
        used_count=_count(data, "used_count"), helpful_count=_count(data, "helpful_count"),
        not_helpful_count=_count(data, "not_helpful_count"),
    )


def check_personal_id(script_id: str) -> str:
    if len(script_id) > MAX_ID_LENGTH or not PERSONAL_ID.match(script_id):
        raise InvalidRecord("a personal script id must be 'ps-' followed by 32 hex digits")
    return script_id


# -- matching customer text against the knowledge base ---------------------------------------------

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[0-9A-Za-z]+(?:[-'][0-9A-Za-z]+)*")
# Pairs that appear in almost every customer message and say nothing about the topic.
STOP_BIGRAMS = frozenset(
    "你好 您好 谢谢 请问 一下 我们 你们 这个 那个 什么 怎么 可以 没有 还是 就是 已经 现在 一个 如果 因为 "
    "所以 但是 不是 时候 的话 麻烦 帮我 帮忙 我的 我想 想要 一直 为什么 请帮 下我 了吗 吗？ 好的 知道 问题 "
    "客服 这样 那么 今天 明天 昨天 还没 能不 不能 了一 是不 有没".split())
STOP_WORDS = frozenset(
    "a an and are as at be but by can could did do does for from get got had has have hello hi how i i'm "
    "if in is it it's its me my no not of on or our please so still that the their them then there this "
    "to too up us was we were what when where which who why will with would you your yet just thanks thank "
    "hey dear regards".split())


def keywords(text: str, limit: int = 32) -> list[str]:
    """Search terms from a customer's message: Chinese as overlapping character pairs (no
    segmenter needed: 扫地机器人 → 扫地, 地机, 机器, 器人), other words lower-cased, stop words out."""
    seen: dict[str, None] = {}
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            continue
        for index in range(len(run) - 1):
            pair = run[index:index + 2]
            if pair not in STOP_BIGRAMS:
                seen.setdefault(pair, None)
    for word in _LATIN.findall(_CJK_RUN.sub(" ", text)):
        word = word.lower()
        if (len(word) >= 3 or any(ch.isdigit() for ch in word)) and word not in STOP_WORDS:
            seen.setdefault(word, None)
    return list(seen)[:limit]


def match_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the words of `query` occur in `text`, for highlighting (merged, in order).

    Chinese runs match as substrings; other words match at the start of a word (like the FTS prefix query)."""
    spans: list[tuple[int, int]] = []
    lowered = text.lower()
    for run in _CJK_RUN.findall(query):
        start = lowered.find(run)
        while start >= 0:
            spans.append((start, start + len(run)))
            start = lowered.find(run, start + len(run))
    for word in _LATIN.findall(_CJK_RUN.sub(" ", query)):
        pattern = re.compile(r"(?<![0-9a-z])" + re.escape(word.lower()))
        spans.extend((m.start(), m.end()) for m in pattern.finditer(lowered))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def detect_language(text: str) -> str:
    """'zh' when the text holds Chinese characters, else 'en' (enough to prefer a script's language)."""
    return "zh" if _CJK_RUN.search(text) else "en"
