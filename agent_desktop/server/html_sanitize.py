"""The HTML part of a message, cleaned before it is stored: an allow-list (nh3 / ammonia), never regexes.

The server keeps what an e-mail needs to read as written — formatting, lists, quotes, tables,
links and images — and drops scripts, styles, frames, forms, event and `style` attributes. Images
stay as references only (`cid:` parts of the same message, or remote addresses): the server never
fetches them, and the desktop client shows a remote one as a placeholder. The client sanitises
again when it shows the HTML (`ui/html_body.py`): this is the first wall, not the only one.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "a", "b", "strong", "i", "em", "u", "s", "br", "p", "div", "span", "blockquote", "pre", "code",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "td", "th",
    "img", "sub", "sup", "small",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}, "blockquote": {"type", "cite"},
}
URL_SCHEMES = {"http", "https", "mailto", "cid"}
# Dropped together with their content, not just unwrapped (a script's text is not a message).
DROPPED_WITH_CONTENT = {"script", "style", "title", "head", "noscript", "template", "iframe", "object",
                        "embed", "svg", "math", "textarea", "select"}


def sanitize(html: str) -> str:
    """`html` with everything outside the allow-list removed ("" stays "")."""
    if not html.strip():
        return ""
    return nh3.clean(html, tags=ALLOWED_TAGS, clean_content_tags=DROPPED_WITH_CONTENT,
                     attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, url_relative="deny",
                     link_rel="noopener noreferrer", strip_comments=True)

