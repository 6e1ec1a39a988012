"""Query-side compound splitting and the shipped dictionary (search/analysis.py),
with hypothesis for the spelling and inflection variants a citizen types."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.thueringen.search.analysis import (
    COMPOUND_DICTIONARY,
    COMPOUND_PARTS,
    compound_parts,
    expand_query,
    fold,
    solr_dictionary,
    split_compound,
    word_list,
)
from ckanext.thueringen.search.ranking import with_compound_parts

PARTS = compound_parts()


def test_solr_dictionary_is_generated_from_the_vocabulary():
    assert COMPOUND_DICTIONARY.read_text(encoding="utf-8") == solr_dictionary(word_list(COMPOUND_PARTS))


@pytest.mark.parametrize("word, parts", [
    ("Haushaltsplan", ("haushalt", "plan")),
    ("Haushaltsplanentwurf", ("haushalt", "plan", "entwurf")),
    ("Haushaltspläne", ("haushalt", "plan")),
    ("Straßenausbaubeiträge", ("strasse", "ausbau", "beitrag")),
    ("Strassenausbaubeitrag", ("strasse", "ausbau", "beitrag")),
    ("Abwassergebühren", ("abwasser", "gebuhr")),
    ("Schuelerverkehr", ("schuler", "verkehr")),
    ("Kreistagsbeschluss", ("kreistag", "beschluss")),
])
def test_compounds_split_into_their_parts(word, parts):
    assert split_compound(word, PARTS) == parts


@pytest.mark.parametrize("word", ["Plan", "Planet", "Verwaltung", "Bauer", "Beiträge", "Kitas", "2024", "Jena"])
def test_parts_short_words_and_inflected_parts_stay_whole(word):
    assert split_compound(word, PARTS) is None


# How citizens write the same compound: case, ß or ss, ä or ae, plural and genitive endings.
SPELLINGS = {"ß": ("ß", "ss"), "ä": ("ä", "ae"), "ü": ("ü", "ue"), "ö": ("ö", "oe")}


def variants(word: str) -> st.SearchStrategy[str]:
    def spell(choices: list[str]) -> str:
        return "".join(choices)
    letters = [st.sampled_from(SPELLINGS.get(char, (char,))) for char in word]
    return st.tuples(*letters).map(spell).flatmap(
        lambda spelled: st.sampled_from(["", "s", "es", "e", "en", "n"]).map(lambda end: spelled + end)).flatmap(
        lambda text: st.sampled_from([text, text.lower(), text.upper(), text.capitalize()]))


@given(variants("Straßenausbaubeitrag"))
def test_every_spelling_and_ending_of_a_compound_gives_the_same_parts(word):
    assert split_compound(word, PARTS) == ("strasse", "ausbau", "beitrag")


@given(variants("Gebührenbescheid"))
def test_folding_makes_umlaut_and_transcription_equal(word):
    assert fold(word).startswith("gebuhrenbescheid")


def test_expand_query_keeps_the_word_and_asks_for_its_parts():
    assert expand_query("Haushaltsplan", PARTS) == '(Haushaltsplan OR (haushalt AND plan) OR "haushalt plan"~1)'
    assert expand_query("Haushaltsplan 2024 Jena", PARTS) == \
        '(Haushaltsplan OR (haushalt AND plan) OR "haushalt plan"~1) 2024 Jena'


@pytest.mark.parametrize("q", ['"Haushaltsplan Jena"', "-Haushaltsplan", "Haushalt AND Plan", "Kita", "Plan)",
                               "Haushaltsplan-Entwurf", ""])
def test_expand_query_leaves_phrases_exclusions_operators_and_other_tokens(q):
    assert expand_query(q, PARTS) == q


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_expand_query_never_breaks_what_is_not_a_compound(q):
    expanded = expand_query(q, PARTS)
    assert expanded.count("(") - q.count("(") == expanded.count(")") - q.count(")")
    assert all(token in expanded for token in q.split())


def test_compound_parts_only_when_the_portal_chose_edismax():
    given_params = {"q": "Haushaltsplan"}
    chosen = {"q": "Haushaltsplan", "defType": "edismax", "qf": "title_de"}
    assert with_compound_parts(chosen, given_params, PARTS)["q"] == \
        '(Haushaltsplan OR (haushalt AND plan) OR "haushalt plan"~1)'
    assert with_compound_parts(given_params, given_params, PARTS) is given_params
    own = {"q": "Haushaltsplan", "defType": "edismax"}
    assert with_compound_parts(own, own, PARTS) is own
