"""Pure helpers around the Solr field type `text_de` (docs/search.md).

`fold` reproduces what Lucene's GermanNormalizationFilter does to a lower-cased
word, because the compound dictionary `compounds_de.txt` is matched *after*
that filter and therefore has to be written in folded spelling. Run
``python -m ckanext.thueringen.search.analysis Wort ...`` to get the
line to add for a new word.
"""
from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

CONF_DIR = Path(__file__).resolve().parents[4] / "config" / "solr" / "configsets" / "ckan" / "conf"
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


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(fold(argument))
