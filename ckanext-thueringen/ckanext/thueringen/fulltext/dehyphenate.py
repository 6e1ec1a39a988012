"""Undo the hyphenation of words broken at line ends ("Haushalts-\\nplan").

PDF text comes out line by line, so a word the typesetter hyphenated arrives
in two pieces. German capitalises nouns, which tells a typesetter's hyphen
from a real one: a piece continuing in lower case belongs to the same word
("Haushalts-" + "plan"), one continuing in upper case or with a digit is a
compound written with a hyphen ("Bund-" + "Länder", "2020-" + "2024") and
keeps it. A hyphen before a conjunction is the ellipsis of a shared word part
("Ein- und Ausgaben") and keeps the space too.
"""
from __future__ import annotations

import re

# A letter or digit, a hyphen (or U+2010), then the line break with any spaces around it,
# and the first word of the next line.
_BROKEN = re.compile(r"(?<=[^\W_])[-\u2010][ \t]*\r?\n[ \t]*(?P<next>\w+)")
_CONJUNCTIONS = frozenset({"und", "oder", "bis", "sowie", "bzw", "als", "noch", "wie"})
_SOFT_HYPHEN = "\u00ad"


def _join(match: re.Match) -> str:
    following = match.group("next")
    if following.lower() in _CONJUNCTIONS:
        return "- " + following
    if following[0].islower():
        return following
    return "-" + following


def dehyphenate(text: str) -> str:
    """The text with line-end hyphenation undone and soft hyphens removed."""
    # A soft hyphen followed by a line break is the same thing made explicit.
    text = re.sub(_SOFT_HYPHEN + r"[ \t]*\r?\n[ \t]*", "", text)
    text = text.replace(_SOFT_HYPHEN, "")
    return _BROKEN.sub(_join, text)
