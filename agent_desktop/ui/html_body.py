"""Untrusted e-mail HTML, made safe to show: an allow-list sanitiser (nh3 / ammonia), never regexes.

What survives is formatting and links: no style sheets, no frames, forms, scripts, `style` or
event attributes. Links keep only http, https and mailto targets with absolute URLs (relative,
protocol-relative, UNC, `file:` and `javascript:` targets are removed), and the thread view still
asks before opening one, showing its real address. The view's `loadResource` refuses every fetch
but the app's own image scheme as a second wall.

`render_email` goes further for the thread: a remote image becomes a visible placeholder naming
its host (never fetched); a `cid:` image becomes `agentdesktop-image://<sha256>/inline` only when
it is one of this message's own image attachments (and the view can serve it); the quoted history
is split off to be folded; and HTML that is hostile or broken (`hostile_reason`) is shown as its
plain-text part instead, with a note saying why.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import nh3
from PySide6.QtCore import QCoreApplication

from ..domain.attachments import Attachment
from ..domain.text import safe_display

ALLOWED_TAGS = {
    "a", "b", "strong", "i", "em", "u", "s", "br", "p", "div", "span", "blockquote", "pre", "code",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "td", "th",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
LINK_SCHEMES = {"http", "https", "mailto"}
# Dropped together with their content, not just unwrapped (a script's text is not a message).
DROPPED_WITH_CONTENT = {"script", "style", "title", "head", "noscript", "template", "iframe", "object",
                        "embed", "svg", "math", "textarea", "select"}
IMAGE_SCHEME = "agentdesktop-image"

# What makes HTML "hostile or broken": past these the plain-text part is shown instead.
MAX_DEPTH = 48              # nested elements after parsing: deep nesting makes Qt's layout crawl
MARKUP_MIN = 20_000         # the markup ratio only counts for big bodies ...
MARKUP_RATIO = 200          # ... with more than this many characters of markup per character of text
REMOVED_MIN = 200           # characters of text before "sanitising removed most of it" counts
REMOVED_SHARE = 0.5         # less than this share of the text survived sanitising
RENDER_CACHE = 64           # rendered bodies remembered (each at most the thread's HTML cap)

_LOOKS_HTML = re.compile(r"<\s*(html|body|div|p|br|table|a|b|i|span|img|font|style|head)\b", re.IGNORECASE)
_VOID = {"br", "hr", "img", "wbr", "meta", "link", "input", "area", "base", "col", "embed", "source", "track",
         "param", "keygen"}
_BLOCK = {"p", "div", "br", "li", "tr", "td", "th", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
          "table", "ul", "ol", "pre"}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Quoted history: the markers mail programs leave (classes and ids only read, never kept).
_QUOTE_CLASSES = {"gmail_quote", "moz-cite-prefix", "yahoo_quoted", "outlookmessageheader", "protonmail_quote"}
_QUOTE_IDS = {"divrplyfwdmsg", "appendonsend", "stopspelling"}
_ATTRIBUTION = re.compile(r"^\s*(On\b.{0,300}\bwrote:|在.{0,200}写道[:：]|-{2,}\s*(Original Message|原始邮件)\s*-{2,})\s*$",
                          re.IGNORECASE | re.DOTALL)
_HEADER_FROM = re.compile(r"^\s*(From|发件人)\s*[:：]", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*(Sent|Date|To|Subject|Cc|发送时间|日期|收件人|主题|抄送)\s*[:：]", re.IGNORECASE)


def looks_like_html(body: str) -> bool:
    """Only bodies that clearly are HTML go down the HTML path; everything else stays plain text."""
    return bool(_LOOKS_HTML.search(body[:4096]))


def sanitize(body: str) -> str:
    """The body as HTML safe to hand to a QTextBrowser whose loadResource refuses everything."""
    return nh3.clean(
        body,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        url_relative="deny",
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@dataclass(frozen=True)
class RenderedBody:
    """A message body ready for the thread: what shows, what folds, and a note when plain won."""

    html: str
    quoted: str = ""     # the folded history ("" when there is none)
    note: str = ""       # why the plain-text part is shown instead of the HTML ("" when it is not)


# -- measuring ------------------------------------------------------------------------------------
def _text_length(fragment: str, dropped: set[str]) -> int:
    """Characters of readable text (whitespace not counted): all markup, and `dropped` elements
    with their content, removed (by nh3: fast even on big bodies)."""
    text = nh3.clean(fragment, tags=set(), clean_content_tags=dropped, attributes={}, strip_comments=True)
    return len("".join(html.unescape(text).split()))


class _Depth(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = self.deepest = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID:
            self.depth = max(0, self.depth - 1)


def _deepest(fragment: str) -> int:
    parser = _Depth()
    parser.feed(fragment)
    parser.close()
    return parser.deepest


def hostile_reason(source: str, cleaned: str, deepest: int | None = None, plain: str = "") -> str:
    """Why this HTML should not be shown as HTML ("" when it may): `cleaned` is its sanitised form,
    `deepest` its nesting when already measured, `plain` the message's text part.

    Nesting is measured after parsing (html5ever closed what the sender left open); the text that
    sanitising removed is text in scripts, frames, SVG and the like (style sheets do not count)."""
    deepest = _deepest(cleaned) if deepest is None else deepest
    before, after = _text_length(source, {"style", "head", "title"}), _text_length(cleaned, set())
    if deepest > MAX_DEPTH:
        return QCoreApplication.translate("HtmlBody", "the HTML is nested too deeply")
    if len(source) >= MARKUP_MIN and after * MARKUP_RATIO < len(source):
        return QCoreApplication.translate("HtmlBody", "the HTML is almost all markup")
    if before >= REMOVED_MIN and after < before * REMOVED_SHARE:
        return QCoreApplication.translate("HtmlBody", "making the HTML safe removed most of it")
    if not after and (before or plain.strip()):
        return QCoreApplication.translate("HtmlBody", "the HTML has no readable text")
    return ""


# -- rewriting images and finding the quoted history -----------------------------------------------
class _Rewriter(HTMLParser):
    """Walks sanitised HTML once: images replaced, quote markers and text blocks noted by chunk index."""

    def __init__(self, image_url: Callable[[str], str | None]) -> None:
        super().__init__(convert_charrefs=True)
        self.image_url = image_url
        self.out: list[str] = []
        self.text_at: dict[int, str] = {}          # chunk index -> its text (data chunks only)
        self.blocks: list[tuple[int, str]] = []    # (chunk index where a text block starts, its text)
        self.markers: list[int] = []               # chunk indexes where a quote marker starts
        self.quotes: list[tuple[int, int]] = []    # top-level blockquotes: (start, end) chunk indexes
        self._block_start = 0
        self._block_text: list[str] = []
        self._quote_depth = 0
        self._quote_start = 0
        self.depth = self.deepest = 0              # element nesting (for hostile_reason)

    def _end_block(self, next_start: int) -> None:
        self.blocks.append((self._block_start, "".join(self._block_text)))
        self._block_start, self._block_text = next_start, []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = {c.lower() for c in (found.get("class") or "").split()}
        if classes & _QUOTE_CLASSES or (found.get("id") or "").lower() in _QUOTE_IDS:
            self.markers.append(len(self.out))
        if tag not in _VOID:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)
        if tag in _BLOCK and tag != "br":
            self._end_block(len(self.out))
        if tag == "blockquote":
            if self._quote_depth == 0:
                self._quote_start = len(self.out)
            self._quote_depth += 1
        if tag == "img":
            self.out.append(self._image(found))
            return
        kept = "".join(f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs
                       if name not in ("class", "id"))
        self.out.append(f"<{tag}{kept}>")
        if tag == "br":
            self._end_block(len(self.out))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        self.depth = max(0, self.depth - 1)
        self.out.append(f"</{tag}>")
        if tag in _BLOCK:
            self._end_block(len(self.out))
        if tag == "blockquote" and self._quote_depth:
            self._quote_depth -= 1
            if self._quote_depth == 0:
                self.quotes.append((self._quote_start, len(self.out)))

    def handle_data(self, data: str) -> None:
        self.text_at[len(self.out)] = data
        self.out.append(html.escape(data, quote=False))
        self._block_text.append(data)

    def _image(self, attrs: dict[str, str | None]) -> str:
        src = (attrs.get("src") or "").strip()
        if src.lower().startswith("cid:"):
            url = self.image_url(src[4:])
            if url:
                return f'<img src="{html.escape(url, quote=True)}" alt="">'
            return _placeholder(QCoreApplication.translate("HtmlBody", "Inline image not shown"))
        host = urlsplit(src).hostname if src.lower().startswith(("http:", "https:")) else None
        if host:
            text = QCoreApplication.translate("HtmlBody", "Remote image not loaded: %1")
            return _placeholder(text.replace("%1", safe_display(host, 80)))
        return _placeholder(QCoreApplication.translate("HtmlBody", "Image not shown"))

    def close(self) -> None:
        super().close()
        self._end_block(len(self.out))

    def quote_start(self) -> int | None:
        """Where the quoted history starts, or None (never when nothing would be left above it)."""
        starts = list(self.markers)
        texts = [(start, text) for start, text in self.blocks if text.strip()]
        for n, (start, text) in enumerate(texts):
            if _ATTRIBUTION.match(text):
                starts.append(start)
            elif _HEADER_FROM.match(text) and any(_HEADER_NEXT.match(t) for _, t in texts[n + 1:n + 5]):
                starts.append(start)
        with_text = [at for at, text in self.text_at.items() if text.strip()]
        if not with_text:
            return None
        first, last = min(with_text), max(with_text)
        # A blockquote is history when nothing but blanks follows it (not a quotation mid-message).
        starts += [start for start, end in self.quotes if last < end]
        # Never fold everything: some of the sender's own text stays above the history.
        return min((start for start in starts if first < start), default=None)


def _placeholder(text: str) -> str:
    return f"<i>[{html.escape(text, quote=False)}]</i>"


def _final_clean(fragment: str, images: set[str]) -> str:
    """The last wall: the allow-list again, with <img> kept only for this message's own image URLs."""
    def only_ours(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return value if value in images else None
        return value

    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS | {"img"},
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes={**ALLOWED_ATTRIBUTES, "img": {"src", "alt"}},
        attribute_filter=only_ours,
        url_schemes=LINK_SCHEMES | {IMAGE_SCHEME},
        url_relative="deny",
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _first_clean(source: str) -> str:
    """The allow-list, keeping <img src> (http/https/cid) and quote markers for the rewriter to read."""
    attributes = {**ALLOWED_ATTRIBUTES, "img": {"src", "alt"}}
    for tag in ("div", "blockquote", "span", "p", "hr", "table"):
        attributes[tag] = attributes.get(tag, set()) | {"class", "id"}
    return nh3.clean(
        source,
        tags=ALLOWED_TAGS | {"img"},
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=attributes,
        url_schemes=LINK_SCHEMES | {"cid"},
        url_relative="deny",
        link_rel=None,
        strip_comments=True,
    )


def _cid(value: str) -> str:
    return unquote(value).strip().strip("<>").strip()


def render_email(source: str, plain: str, attachments: Sequence[Attachment] = (), *,
                 inline_images: bool = False) -> RenderedBody:
    """An HTML e-mail body for the thread. `plain` is its text part ("" when it has none);
    `inline_images` says the view can serve `agentdesktop-image://` (else cid: images stay placeholders).

    Remembered: the thread re-renders on every refresh, and a big e-mail takes tens of milliseconds."""
    own = tuple(a for a in attachments if isinstance(a, Attachment))   # anything else is never an image source
    # The rendering holds translated placeholders and notes: after a language switch it is made again.
    language = QCoreApplication.translate("HtmlBody", "Remote image not loaded: %1")
    return _render_email(source, plain, own, inline_images, language)


@functools.lru_cache(maxsize=RENDER_CACHE)
def _render_email(source: str, plain: str, attachments: tuple[Attachment, ...], inline_images: bool,
                  _language: str) -> RenderedBody:
    cleaned = _first_clean(source)
    by_cid = {_cid(a.content_id): a for a in attachments
              if a.content_id and a.is_image and _SHA256.match(a.sha256.lower())}
    images: set[str] = set()

    def image_url(cid: str) -> str | None:
        found = by_cid.get(_cid(cid))
        if found is None or not inline_images:
            return None
        url = f"{IMAGE_SCHEME}://{found.sha256.lower()}/inline"
        images.add(url)
        return url

    rewriter = _Rewriter(image_url)
    rewriter.feed(cleaned)
    rewriter.close()
    reason = hostile_reason(source, cleaned, rewriter.deepest, plain)
    if reason:
        text = plain if plain.strip() and not looks_like_html(plain) else html_to_text(cleaned)
        shown = render_plain(text)
        note = QCoreApplication.translate("HtmlBody", "Shown as plain text: %1.").replace("%1", reason)
        return RenderedBody(shown.html, shown.quoted, note)
    split = rewriter.quote_start()
    chunks = rewriter.out
    if split is None:
        return RenderedBody(_final_clean("".join(chunks), images))
    return RenderedBody(_final_clean("".join(chunks[:split]), images), _final_clean("".join(chunks[split:]), images))


# -- plain text --------------------------------------------------------------------------------------
def split_plain_quote(text: str) -> tuple[str, str]:
    """(what the sender wrote, the quoted history) of a plain-text e-mail.

    History starts at an attribution ("On … wrote:", "-----Original Message-----", an Outlook
    "From:" header block); failing that, it is the trailing run of lines starting with ">"
    (a ">" line followed by the sender's own text is an inline reply and stays)."""
    lines = text.split("\n")
    for n, line in enumerate(lines):
        attribution = _ATTRIBUTION.match(line) or (
            _HEADER_FROM.match(line) and any(_HEADER_NEXT.match(nxt) for nxt in lines[n + 1:n + 5]))
        if attribution and any(earlier.strip() for earlier in lines[:n]):
            return "\n".join(lines[:n]).rstrip(), "\n".join(lines[n:])
    end = len(lines)
    start = end
    while start > 0 and (not lines[start - 1].strip() or lines[start - 1].lstrip().startswith(">")):
        start -= 1
    if any(line.lstrip().startswith(">") for line in lines[start:end]) and any(x.strip() for x in lines[:start]):
        return "\n".join(lines[:start]).rstrip(), "\n".join(lines[start:]).strip("\n")
    return text, ""


def _plain_html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def render_plain(text: str) -> RenderedBody:
    """A plain-text e-mail body: escaped, its quoted history split off to fold."""
    main, quoted = split_plain_quote(text)
    return RenderedBody(_plain_html(main), _plain_html(quoted) if quoted else "")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Readable text of sanitised HTML: blocks on their own lines."""
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()
