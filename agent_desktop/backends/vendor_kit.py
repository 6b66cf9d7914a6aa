"""What the vendor adapters (Chatwoot, Zendesk, Zammad) share, written once.

- `same_text` and `html_to_text`: how look-before-resend recognises our own earlier write in the
  form the vendor kept it (line ends, spaces, HTML wrapping changed).
- `VendorClock`: the vendor's clock against ours, from its answers' `Date` headers, so "created at or
  after our first attempt" is asked in the vendor's time with a small slack instead of a wide window
  that would adopt an identical message the agent sent on purpose minutes earlier.
- `WorkerPool`: one thread pool per adapter for independent requests side by side (a pull does not
  start threads, and sessions with their TLS connections are reused).
- `upsert`: one change of the feed.
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any, TypeVar

from ..domain.timeutil import parse_iso
from .base import Rejected

T = TypeVar("T")

_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6])\s*/?\s*>", re.IGNORECASE)
_HTTP_DATE = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")


def same_text(a: str, b: str) -> bool:
    """Bodies compared as a vendor may keep them: runs of spaces and line ends folded, ends trimmed."""
    return _SPACE.sub(" ", a).strip() == _SPACE.sub(" ", b).strip()


def html_to_text(html: str) -> str:
    """A vendor's HTML body as text: the app never renders a vendor's markup, nor fetches what it links."""
    text = unescape(_TAG.sub("", _BREAK.sub("\n", html)))
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def upsert(entity: str, record_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"entity": entity, "op": "upsert", "id": record_id, "data": data}


def skew_from(header: str | None, now: float, max_skew: float | None = None) -> float | None:
    """The server's clock less ours (`now`), from an HTTP `Date` header: the first well-formed date
    (a proxy may add its own beside the server's); None without one, or past `max_skew` seconds."""
    found = _HTTP_DATE.search(header or "")
    if found is None:
        return None
    try:
        skew = parsedate_to_datetime(found.group(0)).timestamp() - now
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return None if max_skew is not None and abs(skew) > max_skew else skew


class VendorClock:
    """The vendor's clock minus ours, in seconds, learnt from the `Date` header of its answers (the
    first well-formed one: a proxy may add its own). Whole seconds, so +0.5 s on average."""

    def __init__(self) -> None:
        self.skew: float | None = None

    def note(self, header: str | None) -> None:
        skew = skew_from(header, time.time())
        if skew is not None:
            self.skew = skew + 0.5   # the header's whole seconds: the middle of the second

    def now(self) -> float:
        """The vendor's time now, Unix seconds, as far as its answers told (ours before any)."""
        return time.time() + (self.skew or 0.0)

    def resend_cutoff(self, since: str, *, slack: float, blind: float) -> float:
        """When our first attempt began (`since`, our clock) in the vendor's time, less `slack`
        seconds (or `blind` seconds before any `Date` was seen): our own earlier write is not older.
        An unreadable `since` is refused, so nothing is sent again blindly."""
        try:
            began = parse_iso(since).timestamp()
        except (ValueError, TypeError, OverflowError, AttributeError) as exc:
            raise Rejected("the time of the earlier attempt is unreadable, so this message is not sent again "
                           "blindly; check the conversation and send it once more if it is missing", 400) from exc
        if self.skew is None:
            return began - blind
        return began + self.skew - slack


class WorkerPool:
    """Independent requests side by side, on a pool made on first use and kept for the adapter's
    life (ended by `close()`, or when the pool is collected with its adapter)."""

    def __init__(self, workers: int, name: str) -> None:
        self.workers = workers
        self.name = name
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def run(self, calls: Sequence[Callable[[], T]]) -> list[T]:
        if len(calls) <= 1 or self.workers <= 1:
            return [call() for call in calls]
        return list(self._executor().map(lambda call: call(), calls))

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=self.name)
                weakref.finalize(self, self._pool.shutdown, wait=False)
            return self._pool

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False)


class _Markdown(HTMLParser):
    """Chatwoot's messages are Markdown: the composer's HTML (bold, italic, links, lists, code,
    paragraphs) in those terms; any other tag keeps only its text."""

    MARKS = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`", "s": "~~", "strike": "~~", "del": "~~"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[str | None] = []
        self.lists: list[list[int]] = []   # per open list: [1] numbered (next number), [] bullets
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.MARKS:
            self.out.append(self.MARKS[tag])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href if href.startswith(("http://", "https://", "mailto:")) else None)
            if self.links[-1]:
                self.out.append("[")
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("ul", "ol"):
            self.lists.append([1] if tag == "ol" else [])
            self.out.append("\n")
        elif tag == "li":
            numbered = self.lists[-1] if self.lists else []
            indent = "  " * max(0, len(self.lists) - 1)
            if numbered:
                self.out.append(f"\n{indent}{numbered[0]}. ")
                numbered[0] += 1
            else:
                self.out.append(f"\n{indent}- ")
        elif tag == "blockquote":
            self.out.append("\n\n> ")
        elif tag in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr"):
            self.out.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.MARKS:
            self.out.append(self.MARKS[tag])
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.out.append(f"]({href})")
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.out.append("\n")
        elif tag in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"):
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(_SPACE.sub(" ", data))


def html_to_markdown(html: str) -> str:
    """The agent's HTML reply as Markdown text (Chatwoot renders messages as Markdown)."""
    parser = _Markdown()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
