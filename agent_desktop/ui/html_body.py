"""Untrusted e-mail HTML, made safe to show: an allow-list sanitiser (nh3 / ammonia), never regexes.

What survives is formatting and links: no images, no style sheets, no frames, forms, scripts,
`style` or event attributes. Links keep only http, https and mailto targets with absolute
URLs (relative, protocol-relative, UNC, `file:` and `javascript:` targets are removed), and
the thread view still asks before opening one, showing its real address. The view's
`loadResource` refuses every fetch as a second wall.
"""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {
    "a", "b", "strong", "i", "em", "u", "s", "br", "p", "div", "span", "blockquote", "pre", "code",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "td", "th",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
LINK_SCHEMES = {"http", "https", "mailto"}
# Dropped together with their content, not just unwrapped (a script's text is not a message).
DROPPED_WITH_CONTENT = {"script", "style", "title", "head", "noscript", "template", "iframe", "object",
                        "embed", "svg", "math", "textarea", "select"}

_LOOKS_HTML = re.compile(r"<\s*(html|body|div|p|br|table|a|b|i|span|img|font|style|head)\b", re.IGNORECASE)


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
