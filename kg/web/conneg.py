"""Content negotiation: read an HTTP ``Accept`` header and choose among offered media types.

Follows RFC 9110, section 12.5.1: each offered type takes the quality of the *most specific*
media range that matches it (``text/turtle`` before ``text/*`` before ``*/*``), so
``text/*;q=0.1, text/turtle`` prefers Turtle and ``*/*, text/html;q=0`` refuses HTML. A
quality of 0 means "not acceptable". Among offers of equal quality the server's order of
preference decides. An absent header accepts anything.

>>> best_match("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
...            ["text/turtle", "text/html"])
'text/html'
>>> best_match("application/ld+json;q=0.5, text/turtle;q=0.9", ["text/html", "text/turtle",
...            "application/ld+json"])
'text/turtle'
>>> best_match("image/png", ["text/html"]) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MediaRange", "best_match", "parse_accept", "quality"]

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE = re.compile(rf"^\s*({_TOKEN})\s*/\s*({_TOKEN})\s*$")
_QVALUE = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header: ``type/subtype`` (either may be ``*``) and its q."""

    type: str
    subtype: str
    q: float = 1.0

    def matches(self, media: str) -> bool:
        """Whether this range covers the media type ``media`` (``type/subtype``, no params).

        >>> MediaRange("text", "*").matches("text/turtle"), MediaRange("*", "*").matches("a/b")
        (True, True)
        """
        kind, _, sub = media.lower().partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        return 0 if self.type == "*" else 1 if self.subtype == "*" else 2


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header, in the client's order.

    Parameters other than ``q`` are read past (``profile``, ``charset``); an element that is
    not a media range, or whose q is not a valid qvalue, is left out, as is ``*/subtype``.

    >>> parse_accept('text/turtle;q=0.5, application/ld+json; profile="x,y", bad, a/b;q=2')
    [MediaRange(type='text', subtype='turtle', q=0.5), MediaRange(type='application', \
subtype='ld+json', q=1.0)]
    """
    ranges = []
    for element in _split(header):
        fields = element.split(";")
        match = _RANGE.match(fields[0])
        if not match:
            continue
        kind, sub = match.group(1).lower(), match.group(2).lower()
        if kind == "*" and sub != "*":
            continue
        q: float | None = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                value = value.strip()
                q = float(value) if _QVALUE.match(value) else None
        if q is not None:
            ranges.append(MediaRange(kind, sub, q))
    return ranges


def _split(header: str) -> list[str]:
    """The comma-separated elements of a header, commas inside quoted strings kept."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in header:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def quality(media: str, ranges: Sequence[MediaRange]) -> float:
    """The quality the client gives ``media``: the q of the most specific range matching it
    (the highest q where equally specific ranges disagree), 0 where none matches.

    >>> quality("text/html", parse_accept("text/*;q=0.3, text/html;q=0.7, */*;q=0.5"))
    0.7
    >>> quality("text/plain", parse_accept("text/*;q=0.3, text/html;q=0.7, */*;q=0.5"))
    0.3
    """
    matching = [r for r in ranges if r.matches(media)]
    if not matching:
        return 0.0
    top = max(r.specificity for r in matching)
    return max(r.q for r in matching if r.specificity == top)


def best_match(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer (in the server's order of preference) the client likes best, or None when
    the client accepts none of them. An absent or empty header gives the first offer; so
    does a header with no valid element (RFC 9110 lets a server ignore such a header)."""
    if not offers:
        return None
    ranges = parse_accept(header or "")
    if not ranges:
        return offers[0]
    scored = [(quality(offer, ranges), -n, offer) for n, offer in enumerate(offers)]
    q, _, offer = max(scored)
    return offer if q > 0 else None
