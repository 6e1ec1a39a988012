"""Pure helpers around the Solr field types `text_de*` (docs/search.md).

`fold` reproduces what Lucene's GermanNormalizationFilter does to a lower-cased
word, because the compound dictionary is matched *after* that filter and
therefore holds folded spelling.

The compound parts are the portal's vocabulary of administrative German,
`schemas/search/compound_parts_de.txt` (shipped with the package, written in
ordinary or folded spelling). Solr's splitter reads `compounds_de.txt` in the
config set, which is generated from it (folded, sorted, without duplicates):

    python -m ckanext.thueringen.search.analysis --solr-dictionary > config/solr/configsets/ckan/conf/compounds_de.txt

The same parts split the words of a query (`expand_query`), so that a compound
typed by a citizen also finds documents that use its parts separately.
``python -m ckanext.thueringen.search.analysis Wort ...`` prints the folded
form of a word and the parts it splits into.
"""
from __future__ import annotations

import functools
import re
import sys
from functools import cache
from pathlib import Path

CONF_DIR = Path(__file__).resolve().parents[4] / "config" / "solr" / "configsets" / "ckan" / "conf"
COMPOUND_PARTS = Path(__file__).resolve().parents[1] / "schemas" / "search" / "compound_parts_de.txt"
COMPOUND_DICTIONARY = CONF_DIR / "compounds_de.txt"
STOPWORDS = CONF_DIR / "stopwords_de.txt"
SYNONYMS = CONF_DIR / "synonyms_de.txt"

_UMLAUTS = {"ä": "a", "ö": "o", "ü": "u"}


def fold(word: str) -> str:
    """Lower-case `word` and fold it like GermanNormalizationFilter (German2
    snowball rules): ß -> ss, ä/ö/ü -> a/o/u, "ae"/"oe" -> a/o, and "ue" -> u
    except after a vowel or q (so "Bauer" and "Quelle" keep their e)."""
    out: list[str] = []
    # after a/o, or a u that follows a consonant, an e is the second half of an umlaut
    after_umlaut_base = False
    after_consonant = True
    for char in word.lower():
        if char in "ao":
            out.append(char)
            after_umlaut_base, after_consonant = True, False
        elif char == "u":
            out.append(char)
            after_umlaut_base, after_consonant = after_consonant, False
        elif char == "e":
            if not after_umlaut_base:
                out.append(char)
            after_umlaut_base, after_consonant = False, False
        elif char in "iqy":
            out.append(char)
            after_umlaut_base, after_consonant = False, False
        elif char in _UMLAUTS:
            out.append(_UMLAUTS[char])
            after_umlaut_base, after_consonant = False, False
        elif char == "ß":
            out.append("ss")
            after_umlaut_base, after_consonant = False, True
        else:
            out.append(char)
            after_umlaut_base, after_consonant = False, True
    return "".join(out)


def word_list(path: Path) -> list[str]:
    """The entries of a Solr word-list file: one per line, `#` starts a comment."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            entries.append(entry)
    return entries


# Linking elements between the parts of a German compound (Fugenelemente),
# and plural endings, which the stemmer removes anyway.
_LINKS = ("", "s", "es", "n", "en", "e", "er")


def is_compound_of(word: str, parts: set[str], min_part: int = 3) -> bool:
    """Whether `word` is made of two or more of `parts` (other than itself),
    joined by linking elements: such an entry must not be in the dictionary,
    it would hide its own parts from the longest-match splitter."""
    @cache
    def rest_splits(rest: str, first: bool) -> bool:
        if not rest:
            return not first
        for end in range(min_part, len(rest) + 1):
            part = rest[:end]
            if part != word and part in parts:
                tail = rest[end:]
                if any(tail.startswith(link) and rest_splits(tail[len(link):], False) for link in _LINKS):
                    return True
        return False
    return rest_splits(word, True)


SOLR_DICTIONARY_HEADER = """\
# GENERATED from ckanext/thueringen/schemas/search/compound_parts_de.txt by
#   python -m ckanext.thueringen.search.analysis --solr-dictionary
# Do not edit: edit that file (docs/search.md, "The compound dictionary").
"""


def solr_dictionary(vocabulary: list[str]) -> str:
    """The text of Solr's `compounds_de.txt`: the vocabulary's entries folded,
    sorted, once each."""
    entries = sorted({fold(entry) for entry in vocabulary})
    return SOLR_DICTIONARY_HEADER + "".join(f"{entry}\n" for entry in entries)


@functools.cache
def compound_parts() -> frozenset[str]:
    """The folded parts of the portal's compound vocabulary."""
    return frozenset(fold(entry) for entry in word_list(COMPOUND_PARTS))


# Endings after the last part of a compound: plural and case (Haushaltspläne, -plänen, -plans).
_ENDINGS = ("", "e", "en", "n", "s", "es", "er", "ern")
# Solr's splitter (minWordSize, minSubwordSize): shorter words and parts are not split.
MIN_COMPOUND = 6
MIN_PART = 3


def split_compound(word: str, parts: frozenset[str] | set[str]) -> tuple[str, ...] | None:
    """The folded parts of `word` when it is a compound of two or more of
    `parts`, joined by linking elements and followed by an inflection ending:
    "Haushaltsplanentwurf" -> (haushalt, plan, entwurf). The split with the
    fewest parts wins, then the one with the longest first part. None for a
    word that is a part itself, too short, or not made of parts."""
    folded = fold(word)
    if len(folded) < MIN_COMPOUND or folded in parts or not folded.isalpha():
        return None

    @cache
    def rest(start: int) -> tuple[str, ...] | None:
        best: tuple[str, ...] | None = None
        for end in range(len(folded), start + MIN_PART - 1, -1):
            part = folded[start:end]
            if part not in parts:
                continue
            tail = folded[end:]
            if tail in _ENDINGS:
                candidate: tuple[str, ...] | None = (part,)
            else:
                candidate = None
                for link in _LINKS:
                    if tail.startswith(link) and end + len(link) < len(folded):
                        found = rest(end + len(link))
                        if found and (candidate is None or len(found) + 1 < len(candidate)):
                            candidate = (part, *found)
            if candidate and (best is None or len(candidate) < len(best)):
                best = candidate
        return best

    found = rest(0)
    return found if found and len(found) >= 2 else None


_QUERY_TOKEN = re.compile(r'"[^"]*"?|\S+')
_PLAIN_WORD = re.compile(r"([+-]?)([^\W\d_]+)")
_OPERATORS = {"AND", "OR", "NOT"}


def expand_query(q: str, parts: frozenset[str] | set[str]) -> str:
    """The query with every plain word that is a compound also asked for as its
    parts: "Haushaltsplanentwurf 2025" -> "(Haushaltsplanentwurf OR (haushalt
    AND plan AND entwurf) OR "haushalt plan entwurf"~2) 2025". A document with
    the whole word matches every side and ranks above one that has only the
    parts; one whose parts stand together (another compound of them,
    "Nachtragshaushaltsplan", or "Haushalt Plan") matches the phrase too and
    ranks above one that has the parts far apart ("Bauzeitenplan … im
    Haushalt"), however common the parts are in the rest of the index. Phrases
    in quotes, operators and words with other characters stay as they are."""
    def expand(match: re.Match) -> str:
        token = match.group(0)
        plain = _PLAIN_WORD.fullmatch(token)
        if not plain or token in _OPERATORS:
            return token
        sign, word = plain.groups()
        split = split_compound(word, parts)
        # a word to exclude stays whole: excluding its parts would drop far more
        if not split or sign == "-":
            return token
        # slop: the index puts a compound's parts at its own position, so
        # adjacent parts are 0 apart and the next word 1 (n parts: n - 1)
        together = f'"{" ".join(split)}"~{len(split) - 1}'
        return f"{sign}({word} OR ({' AND '.join(split)}) OR {together})"

    return _QUERY_TOKEN.sub(expand, q)


if __name__ == "__main__":
    if sys.argv[1:] == ["--solr-dictionary"]:
        sys.stdout.write(solr_dictionary(word_list(COMPOUND_PARTS)))
    else:
        for argument in sys.argv[1:]:
            split = split_compound(argument, compound_parts())
            print(fold(argument), " ".join(split) if split else "")
