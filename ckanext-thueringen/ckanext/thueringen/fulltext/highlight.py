"""The search words in a document's extracted text, marked with <mark>.

Pure. The text is escaped here and nothing but <mark> becomes markup. A word
of the text is marked when it begins with a query word, or ends with one (the
last part of a compound: "Plan" in "Haushaltsplan", up to an inflection
ending), compared in the spelling that Solr's German analysis folds to
(ä/ae, ß/ss; search/analysis.py) and with plural and case endings of the
query word taken off ("Kitas" → "Kita", "Beiträge" → "Beitrag"): close to
what found the document, without Solr's dictionary.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from ckanext.thueringen.search.analysis import fold

_WORD = re.compile(r"\w+")
# Solr's operators and the most frequent function words mark nothing.
_IGNORED = frozenset({"and", "or", "not", "und", "oder", "der", "die", "das", "den", "dem", "des", "ein", "eine",
                      "einer", "eines", "einem", "einen", "im", "in", "zu", "zum", "zur", "von", "vom", "mit",
                      "für", "fur", "auf", "an", "am", "bei", "aus", "ist", "sind"})
# Plural and case endings taken off a query word, longest first.
_ENDINGS = ("ungen", "innen", "ern", "en", "er", "es", "e", "n", "s")
_MIN_STEM = 4
_MIN_TERM = 3
# A compound's last part may be followed by an ending of this length.
_MAX_TAIL = 4


def stem(word: str) -> str:
    folded = fold(word)
    for ending in _ENDINGS:
        if folded.endswith(ending) and len(folded) - len(ending) >= _MIN_STEM:
            return folded[: -len(ending)]
    return folded


def query_terms(q: str | None) -> tuple[str, ...]:
    """The stems of the query's words that are searched for in the text."""
    terms: list[str] = []
    for word in _WORD.findall(q or ""):
        if word.lower() in _IGNORED or word.isdigit() and len(word) < 2:
            continue
        term = stem(word)
        if len(term) >= _MIN_TERM and term not in terms:
            terms.append(term)
    return tuple(terms)


@lru_cache(maxsize=65536)
def _folded(word: str) -> str:
    return fold(word)


def matches(word: str, terms: tuple[str, ...]) -> bool:
    folded = _folded(word)
    for term in terms:
        if folded.startswith(term):
            return True
        at = folded.rfind(term)
        if at > 0 and len(folded) - at - len(term) <= _MAX_TAIL:
            return True
    return False


@dataclass(frozen=True)
class Highlighted:
    html: str        # escaped text, matches in <mark id="treffer-N">
    count: int       # marks on this part
    first_id: int    # the number of its first mark (counted over the whole text)


def highlight(text: str, terms: tuple[str, ...], first_id: int = 1) -> Highlighted:
    """`text` as HTML with every matching word in <mark id="treffer-N">."""
    if not terms:
        return Highlighted(html.escape(text, quote=False), 0, first_id)
    out: list[str] = []
    position = 0
    number = first_id
    for match in _WORD.finditer(text):
        if not matches(match.group(), terms):
            continue
        out.append(html.escape(text[position:match.start()], quote=False))
        out.append(f'<mark id="treffer-{number}">{html.escape(match.group(), quote=False)}</mark>')
        number += 1
        position = match.end()
    out.append(html.escape(text[position:], quote=False))
    return Highlighted("".join(out), number - first_id, first_id)


def count_matches(text: str, terms: tuple[str, ...]) -> int:
    if not terms:
        return 0
    return sum(1 for match in _WORD.finditer(text) if matches(match.group(), terms))


def parts(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) of the parts a long text is shown in: about `size`
    characters each, cut after a line break where there is one."""
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            newline = text.rfind("\n", start + size // 2, end)
            if newline > start:
                end = newline + 1
        spans.append((start, end))
        start = end
    return spans or [(0, 0)]
