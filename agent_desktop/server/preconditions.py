"""`If-Match` as RFC 9110 §13.1.1 reads it: "*" or a list of entity-tags, compared strongly.

A well-formed tag that does not match (a stale version, a tag this server never issued, any weak
tag) is a failed precondition (412); only a header that is not an entity-tag list at all is 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ApiError

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE ; etagc = %x21 / %x23-7E / obs-text
_ENTITY_TAG = re.compile(r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"')
_OWS = " \t"


@dataclass(frozen=True)
class IfMatch:
    """A parsed `If-Match`: `any_tag` for "*", else the strong tags listed (weak ones never match)."""

    any_tag: bool
    strong_tags: frozenset[str] = frozenset()

    def matches(self, current_tag: str) -> bool:
        """Strong comparison of the record's current entity-tag (its opaque part, unquoted)."""
        return self.any_tag or current_tag in self.strong_tags


def parse_if_match(value: str | None) -> IfMatch | None:
    """None when the request carries no precondition; ApiError(400) when the header is malformed."""
    if value is None:
        return None
    text = value.strip(_OWS)
    if text == "*":
        return IfMatch(any_tag=True)
    strong: set[str] = set()
    seen_a_tag = False
    position = 0
    while position < len(text):
        while position < len(text) and text[position] in _OWS + ",":  # empty list elements are allowed
            position += 1
        if position == len(text):
            break
        match = _ENTITY_TAG.match(text, position)
        if match is None:
            raise _malformed()
        seen_a_tag = True
        if match.group(1) is None:
            strong.add(match.group(2))
        position = match.end()
        while position < len(text) and text[position] in _OWS:
            position += 1
        if position < len(text) and text[position] != ",":
            raise _malformed()
    if not seen_a_tag:
        raise _malformed()
    return IfMatch(any_tag=False, strong_tags=frozenset(strong))


def _malformed() -> ApiError:
    return ApiError(400, "bad_if_match", 'If-Match must be "*" or a list of entity-tags such as "7"')
